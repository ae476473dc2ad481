"""Each channel opened into its traffic sources: the view sums each store's latest day
with sources, and ``t`` on the overview shows them."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable

from opsboard.points import FinePoint
from opsboard.runtime import Runtime
from opsboard.timeutil import local_midnight, zone
from opsboard.tui.app import OpsboardApp
from opsboard.tui.screens.channel_sources import ChannelSourcesScreen
from opsboard.tui.screenshots import settle
from opsboard.views.channel_sources import load_channel_sources
from opsboard.views.sample_world import SAMPLE_NOW

SHANGHAI = zone("Asia/Shanghai")


def _sources(runtime: Runtime, day: date) -> None:
    ts = int(local_midnight(day, SHANGHAI).timestamp())
    rows = [
        ("organic_search", "手淘搜索", 3000.0),
        ("recommendation", "手淘推荐", 2000.0),
        ("display", "引力魔方", 400.0),
    ]
    with runtime.open_store() as store, store.batch(source="t", origin="t") as batch:
        batch.add_fine(
            FinePoint("tmall-flagship", "day", ts, channel, "", "", "uv", uv, source=source)
            for channel, source, uv in rows
        )


def test_the_view_shows_each_channel_over_its_sources(seeded_runtime: Runtime) -> None:
    yesterday = SAMPLE_NOW.astimezone(SHANGHAI).date() - timedelta(days=1)
    _sources(seeded_runtime, yesterday)
    with seeded_runtime.open_store() as store:
        found = load_channel_sources(
            store,
            seeded_runtime.engine(store),
            ["tmall-flagship"],
            seeded_runtime.tz_for,
            lambda _name: "CNY",
            SAMPLE_NOW,
        )
    assert found.days == {"tmall-flagship": yesterday}
    sources = {(r.channel, r.source): r for r in found.rows if r.source}
    assert sources[("recommendation", "手淘推荐")].uv == 2000
    # The seeded channel figures are the channel's own; the sources lie below them.
    search = next(r for r in found.rows if r.channel == "organic_search" and not r.source)
    assert search.uv is not None
    assert search.uv > 0
    assert sources[("organic_search", "手淘搜索")].share == 3000 / search.uv
    order = [(r.channel, r.source) for r in found.rows]
    assert order.index(("organic_search", "")) < order.index(("organic_search", "手淘搜索"))


async def test_t_opens_the_channels_into_their_sources(
    app: OpsboardApp, seeded_runtime: Runtime
) -> None:
    _sources(seeded_runtime, SAMPLE_NOW.astimezone(SHANGHAI).date() - timedelta(days=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ChannelSourcesScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sources-table", DataTable)
        names = [str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)]
        assert "手淘推荐" in names
        assert "recommendation" in names
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChannelSourcesScreen)

"""Pilot tests of the dashboard: navigation, alerts, stores, replay, collector or viewer."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.color import Color
from textual.coordinate import Coordinate
from textual.theme import Theme
from textual.widgets import Input

from opsboard.config.models import AdapterConfig
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.palette import palette
from opsboard.tui.screens.help import HelpScreen
from opsboard.tui.screens.movers import MoversScreen
from opsboard.tui.screens.overview import OverviewScreen
from opsboard.tui.screens.prompt import AckPrompt, SilencePrompt
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.alerts_table import AlertsTable
from opsboard.tui.widgets.movers_table import MoversTable
from opsboard.tui.widgets.promotion import PromotionTable
from opsboard.tui.widgets.sku_detail import SkuDetail
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.tui.widgets.traffic import TrafficFigures
from opsboard.views.alerts import BUCKET_RANK, current_user
from opsboard.views.sample_world import SAMPLE_NOW


def _cell(table: TrafficFigures, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


async def test_overview_shows_todays_figures(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        traffic = screen.query_one(TrafficFigures)
        assert traffic.row_count == 7
        expected = app.source.engine.compare(["uv"], stores=["tmall-flagship"], at=SAMPLE_NOW)
        assert _cell(traffic, "uv", "today") == f"{expected['uv']['today']:,.0f}"
        alerts = screen.query_one(AlertsTable)
        # What the alert engine raised over the seeded morning, firing before the rest.
        assert {a.rule for a in alerts.alerts if a.state == "firing"} == {
            "budget-before-peak",
            "detail-page-bounce",
            "roi-below-break-even",
            "sku-traffic-collapse",
        }
        # Firing, pending, acknowledged, strategic, resolved; the worst first in each.
        ranks = [BUCKET_RANK[a.bucket] for a in alerts.alerts]
        assert ranks == sorted(ranks)
        assert [a.state for a in alerts.alerts][-2:] == ["strategic", "resolved"]
        bounce = next(a for a in alerts.alerts if a.rule == "detail-page-bounce")
        assert bounce.scope == "sku:100200300403"
        assert bounce.acked_by == "li.wei"
        promotion = screen.query_one(PromotionTable)
        assert promotion.row_count == 7  # three channels, four campaigns
        status = str(screen.query_one("#status").render())
        assert status.startswith("collector pid 4242 ops@ops-server, polled 14:29:48 | ")


async def test_keys_move_between_screens_and_help(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, MoversScreen)
        movers = app.screen.query_one(MoversTable)
        assert movers.movers, "the movers list is empty"
        assert {m.sku for m in movers.movers[:3]} >= {"100200300401", "100200300403"}
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


async def test_selecting_a_sku_shows_its_diagnosis(app: OpsboardApp) -> None:
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        table = app.screen.query_one(MoversTable)
        index = next(i for i, m in enumerate(table.movers) if m.sku == "100200300403")
        table.move_cursor(row=index)
        await settle(pilot)
        detail = app.screen.query_one(SkuDetail)
        assert detail.shown is not None
        assert detail.shown.sku == "100200300403"
        assert table.selected is not None
        assert table.selected.sku == "100200300403"
        assert any("detail page" in note for note in table.selected.diagnosis)


async def test_acknowledge_with_a_note(app: OpsboardApp, seeded_runtime: Runtime) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        target = table.selected
        assert target is not None
        assert target is table.alerts[0]
        assert not target.acked_by
        await pilot.press("a")
        assert isinstance(app.screen, AckPrompt)
        await pilot.press(*"checking the listing", "enter")
        await settle(pilot)
        refreshed = app.screen.query_one(AlertsTable)
        row = next(a for a in refreshed.alerts if a.id == target.id)
        assert row.acked_by == current_user()
        assert row.ack_note == "checking the listing"
    with Store.open(seeded_runtime.db_path) as store:
        note = store.conn.execute(
            "SELECT note FROM alert_acks WHERE alert_id = ?", (target.id,)
        ).fetchone()
    assert note == ("checking the listing",)


async def test_the_acknowledge_prompt_names_the_rule_once(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        alerts = app.screen.query_one(AlertsTable).alerts
        # A resolved alert's message starts with its rule's name, as chat shows it.
        target = next(a for a in alerts if a.message.startswith(f"{a.rule}: "))
        app.ask_ack(target)
        await pilot.pause()
        assert isinstance(app.screen, AckPrompt)
        assert app.screen.what.count(target.rule) == 1
        await pilot.press("escape")


async def test_escape_cancels_an_acknowledgement(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", "x", "escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert not app.screen.query_one(AlertsTable).alerts[0].acked_by


async def test_silence_for_a_duration(app: OpsboardApp, seeded_runtime: Runtime) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        chosen = app.screen.query_one(AlertsTable).selected
        assert chosen is not None
        await pilot.press("x")
        assert isinstance(app.screen, SilencePrompt)
        field = app.screen.query_one(Input)
        field.value = "1d"
        await pilot.press("enter")
        await settle(pilot)
        row = next(a for a in app.screen.query_one(AlertsTable).alerts if a.id == chosen.id)
        assert row.silenced_until == SAMPLE_NOW + timedelta(days=1)
    with Store.open(seeded_runtime.db_path) as store:
        rule, scope = store.conn.execute("SELECT rule, scope FROM silences").fetchone()
    assert (rule, scope) == (chosen.rule, chosen.scope)


async def test_a_bad_silence_duration_is_explained(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        app.screen.query_one(Input).value = "soon"
        await pilot.press("enter")
        assert isinstance(app.screen, SilencePrompt)
        assert "30m, 2h or 1d" in str(app.screen.query_one("#prompt-error").render())


async def test_switching_store_changes_figures_and_currency(seeded_runtime: Runtime) -> None:
    app = make_app(seeded_runtime, collect="never", live_refresh=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store_name is None
        await pilot.press("s")
        await settle(pilot)
        assert app.store_name == "amazon-us"
        gmv = _cell(app.screen.query_one(TrafficFigures), "gmv", "today")
        assert gmv.startswith("$")
        await pilot.press("s")
        await settle(pilot)
        assert app.store_name == "tmall-flagship"
        assert _cell(app.screen.query_one(TrafficFigures), "gmv", "today").startswith("¥")


async def test_replay_steps_back_and_returns_to_live(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        live_uv = _cell(app.screen.query_one(TrafficFigures), "uv", "today")
        await pilot.press("left_curly_bracket")
        await settle(pilot)
        assert app.at is not None
        assert app.at < SAMPLE_NOW - timedelta(hours=23)
        title = str(app.screen.query_one(TitleBar).render())
        assert "REPLAY" in title
        assert "2026-06-17" in title
        expected = app.source.engine.compare(["uv"], stores=["tmall-flagship"], at=app.at)
        replay_uv = _cell(app.screen.query_one(TrafficFigures), "uv", "today")
        assert replay_uv == f"{expected['uv']['today']:,.0f}" != live_uv
        # The traffic-drop alert fired 50 minutes before "now": a day earlier it did not exist.
        rules = [a.rule for a in app.screen.query_one(AlertsTable).alerts]
        assert "sku-traffic-drop" not in rules
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.at is not None
        assert app.at < SAMPLE_NOW - timedelta(hours=24)
        await pilot.press("l")
        await settle(pilot)
        assert app.at is None
        assert _cell(app.screen.query_one(TrafficFigures), "uv", "today") == live_uv


async def test_hour_by_hour_replay_shows_the_alert_firing(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("left_square_bracket")  # back to 10:59 local
        await settle(pilot)
        states = {(a.rule, a.state) for a in app.screen.query_one(AlertsTable).alerts}
        assert ("budget-before-peak", "pending") in states  # pending from 10:00, fired at 11:00
        assert ("detail-page-bounce", "firing") in states  # fired at 09:00
        await pilot.press("left_square_bracket", "left_square_bracket")  # 08:59
        await settle(pilot)
        states = {(a.rule, a.state) for a in app.screen.query_one(AlertsTable).alerts}
        assert not any(rule == "detail-page-bounce" for rule, _ in states)
        assert ("budget-before-peak", "pending") not in states
        assert ("budget-before-peak", "resolved") in states  # the night's short burst
        for _ in range(6):
            await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.at is None


async def test_hidden_screens_do_not_load(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cycles = app.cycles
        await pilot.press("question_mark")
        app.refresh_data()
        await settle(pilot)
        assert app.cycles == cycles
        await pilot.press("escape")
        await settle(pilot)
        assert app.cycles == cycles + 1  # back in view: loaded at once


async def test_a_new_minute_moves_the_clock_and_reloads_only_when_time_tells(
    app: OpsboardApp,
) -> None:
    # A new minute with no new data moves the title bar's clock; the screen is read again
    # when new data arrives or when what follows the clock alone is five minutes old.
    from opsboard.timeutil import FrozenClock
    from opsboard.tui.widgets.title_bar import TitleBar

    clock = app.runtime.clock
    assert isinstance(clock, FrozenClock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._tick()  # the first timed cycle learns what the data looks like
        await settle(pilot)
        cycles = app.cycles
        clock.advance(timedelta(minutes=1))
        app._tick()
        await settle(pilot)
        assert app.cycles == cycles
        assert "14:31" in str(app.screen.query_one(TitleBar).render())
        clock.advance(timedelta(minutes=4))
        app._tick()
        await settle(pilot)
        assert app.cycles == cycles + 1


async def test_between_loads_the_status_bar_reads_who_collects_every_ten_seconds(
    app: OpsboardApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsboard.timeutil import FrozenClock

    clock = app.runtime.clock
    assert isinstance(clock, FrozenClock)
    asked: list[bool] = []
    real = app.source.collector_status

    def counting(**kwargs: Any) -> Any:
        asked.append(True)
        return real(**kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._tick()
        await settle(pilot)
        monkeypatch.setattr(app.source, "collector_status", counting)
        cycles = app.cycles
        for seconds in (2, 2, 10, 2):
            clock.advance(timedelta(seconds=seconds))
            app._tick()
            await settle(pilot)
        assert app.cycles == cycles  # no new data: no load
        assert len(asked) == 2  # the first tick and ten seconds later


async def test_unchanged_data_is_not_redrawn(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        traffic = app.screen.query_one(TrafficFigures)
        cleared: list[bool] = []
        original = traffic.clear

        def counting_clear(columns: bool = False) -> TrafficFigures:
            cleared.append(columns)
            return original(columns)

        traffic.clear = counting_clear  # type: ignore[method-assign]
        app.refresh_data()
        await settle(pilot)
        assert cleared == []
        await pilot.press("s")  # another store: new figures, one redraw
        await settle(pilot)
        assert cleared == [False]


async def test_command_palette_switches_store(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Store: amazon")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.store_name == "amazon-us"


async def test_narrow_terminal_stacks_panels_without_cutting_numbers(app: OpsboardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        order = [p.id for p in screen.query(".panel") if p.display]
        assert order[:3] == ["traffic-panel", "alerts-panel", "promotion-panel"]
        for panel in screen.query(".panel"):
            assert panel.region.width <= 80
        traffic = screen.query_one(TrafficFigures)
        assert traffic.virtual_size.width <= traffic.size.width
        promotion = screen.query_one(PromotionTable)
        for row in range(promotion.row_count):
            spend = str(promotion.get_cell_at(Coordinate(row, 1)))
            assert spend == "" or spend[-1].isdigit() or spend.endswith("k")


async def test_resizing_across_the_breakpoint_keeps_the_data(app: OpsboardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#left") is not None
        assert screen.query_one(TrafficFigures).row_count == 7


async def test_viewer_beside_a_running_collector(
    seeded_runtime: Runtime, sample_collector: Store, tmp_path: Path
) -> None:
    sample_collector.close()
    drop = tmp_path / "drop"
    drop.mkdir()
    settings = seeded_runtime.settings.model_copy(
        update={
            "adapters": [
                AdapterConfig(
                    name="exports", type="csv", options={"folders": [{"path": str(drop)}]}
                )
            ]
        }
    )
    runtime = Runtime(settings=settings, db_path=seeded_runtime.db_path, clock=seeded_runtime.clock)
    with Store.open(runtime.db_path) as other:
        other.acquire_collector_lock()
        viewer = make_app(runtime, live_refresh=False)
        async with viewer.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert viewer.role == "viewer"
            assert viewer.collector is None
    collector = make_app(runtime, live_refresh=False)
    async with collector.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert collector.role == "collector"
        assert collector.collector is not None
        assert collector.collector.store is not None
        assert collector.collector.store.is_collector
        with Store.open(runtime.db_path) as probe:
            assert probe.collector_running()
    with Store.open(runtime.db_path) as probe:
        assert not probe.collector_running()


@pytest.mark.parametrize("theme", ["textual-light", "nord"])
async def test_theme_from_settings(seeded_runtime: Runtime, theme: str) -> None:
    settings = seeded_runtime.settings.model_copy(update={"theme": theme})
    runtime = Runtime(settings=settings, db_path=seeded_runtime.db_path, clock=seeded_runtime.clock)
    app = make_app(runtime, collect="never", live_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == theme


async def test_charts_fall_back_to_ascii(seeded_runtime: Runtime) -> None:
    app = make_app(
        seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False, unicode=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        from opsboard.tui.widgets.hourly_chart import HourlyChart

        chart = app.screen.query_one(HourlyChart)
        text = str(chart.render())
        assert "*" in text  # today's line
        assert not set(text) & set("┌┐└┘├┤┬┴─│⠁⠂⠄⡀")
        gauges = str(app.screen.query_one(PromotionTable).get_cell_at(Coordinate(0, 2)))
        assert set(gauges) <= set("#- 0123456789%")


async def test_a_dropped_file_reaches_the_screen(
    seeded_runtime: Runtime, sample_collector: Store, tmp_path: Path
) -> None:
    sample_collector.close()
    drop = tmp_path / "drop"
    drop.mkdir()
    settings = seeded_runtime.settings.model_copy(
        update={
            "adapters": [
                AdapterConfig(
                    name="exports",
                    type="csv",
                    poll_interval=timedelta(seconds=0.2),
                    options={"folders": [{"path": str(drop), "store": "tmall-flagship"}]},
                )
            ]
        }
    )
    runtime = Runtime(settings=settings, db_path=seeded_runtime.db_path, clock=seeded_runtime.clock)
    app = make_app(runtime, store="tmall-flagship", live_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.role == "collector"
        before = _cell(app.screen.query_one(TrafficFigures), "uv", "today")
        hour = SAMPLE_NOW.replace(minute=0).isoformat().replace("+00:00", "Z")
        staging = tmp_path / "visitors.csv"
        staging.write_text(
            f"ts,store,channel,campaign,sku,metric,value\n{hour},tmall-flagship,,,,uv,900000\n",
            encoding="utf-8",
        )
        staging.rename(drop / "visitors.csv")
        deadline = time.monotonic() + 15
        after = before
        while after == before and time.monotonic() < deadline:
            await pilot.pause(0.05)
            await settle(pilot)
            after = _cell(app.screen.query_one(TrafficFigures), "uv", "today")
        assert after != before
        assert after.endswith("k")  # 900,000 more visitors this hour


async def test_review_key_opens_yesterdays_review(app: OpsboardApp) -> None:
    from textual.widgets import Markdown

    from opsboard.tui.screens.review import ReviewScreen

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.set_store("tmall-flagship")
        await settle(pilot)
        await pilot.press("v")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "2026-06-17" in screen.review_title
        await app.workers.wait_for_complete()
        await pilot.pause()
        markdown = screen.query_one("#review", Markdown)
        text = markdown.source
        assert "tmall-flagship" in text
        assert "Visitors" in text or "visitors" in text
        assert "could not be built" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_narrow_alerts_keep_the_scope_readable(app: OpsboardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        assert table.narrow
        severity = str(table.get_cell_at(Coordinate(0, 0)))
        assert severity.startswith("!")
        assert "firing" not in severity
        legend = app.screen.query_one("#alerts-panel").border_subtitle
        assert legend is not None
        assert "! firing" in str(legend)
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        assert not table.narrow
        assert "firing" in str(table.get_cell_at(Coordinate(0, 0)))
        assert not app.screen.query_one("#alerts-panel").border_subtitle


async def test_dashboard_keys_wait_behind_the_review(app: OpsboardApp) -> None:
    from opsboard.tui.screens.review import ReviewScreen

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("s", "k", "left_square_bracket", "c")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.store_name == "tmall-flagship"
        assert app.at is None
        await pilot.press("escape")
        await pilot.press("s")
        await settle(pilot)
        assert app.store_name != "tmall-flagship"


async def test_panels_are_laid_out_again_across_each_breakpoint(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        pair = screen.query_one("#pair")
        assert [c.id for c in pair.children] == ["traffic-panel", "channels-panel"]
        for width, paired, columns in ((90, False, False), (160, False, True), (120, True, False)):
            await pilot.resize_terminal(width, 40)
            await settle(pilot)
            assert bool(screen.query("#pair")) is paired, width
            assert bool(screen.query("#left")) is columns, width
            # The same data is shown again at once, not at the next refresh.
            traffic = screen.query_one(TrafficFigures)
            assert traffic.row_count == 7, width


async def test_status_colours_come_from_the_theme(app: OpsboardApp) -> None:
    """The widgets' colours are theme variables: the terminal's ANSI colours by default, a
    theme's own where it sets them."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert palette(app).bad == Style(color=Color.parse("ansi_red").rich_color)
        app.register_theme(
            Theme(name="opsboard-test", primary="#0178D4", variables={"status-bad": "#ff0000"})
        )
        app.theme = "opsboard-test"
        await pilot.pause()
        assert palette(app).bad == Style(color="#ff0000")
        assert palette(app).good == Style(color=Color.parse("ansi_green").rich_color)

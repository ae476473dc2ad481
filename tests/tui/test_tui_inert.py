"""Text from files reaches the dashboard inert: an escape sequence in a plan's id or a
product's name is shown escaped (never sent to the terminal) and a name that looks like
Rich markup is shown as written."""

from __future__ import annotations

from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.movers import MoversScreen
from opsboard.tui.screenshots import settle
from opsboard.views.sample_world import SAMPLE_NOW

HOSTILE_PLAN = "kw-\x1b]0;pwned\x07evil"
HOSTILE_SKU = "sku-\x1b[2J\u202ewipe"


def _add_hostile(runtime: Runtime) -> None:
    """Figures and names as an old database may hold them (before ingest refused them)."""
    hour = int(SAMPLE_NOW.timestamp()) // 3600 * 3600 - 3600
    with runtime.open_store() as store, store.batch(source="test", origin="hostile") as batch:
        batch.add_raw([
            ("tmall-flagship", "hour", hour, "paid_search", HOSTILE_PLAN, "", "spend", 900.0),
            ("tmall-flagship", "hour", hour, "paid_search", HOSTILE_PLAN, "", "clicks", 300.0),
            ("tmall-flagship", "hour", hour, "", "", HOSTILE_SKU, "uv", 5000.0),
            ("tmall-flagship", "hour", hour, "", "", HOSTILE_SKU, "spend", 50.0),
        ])  # fmt: skip
        batch.add_names({
            ("tmall-flagship", "campaign", HOSTILE_PLAN): "[bold red]plan[/bold red]",
            ("tmall-flagship", "sku", HOSTILE_SKU): "[reverse]product[/reverse]",
        })  # fmt: skip


async def test_escape_sequences_and_markup_from_data_are_shown_inert(
    seeded_runtime: Runtime,
) -> None:
    _add_hostile(seeded_runtime)
    app: OpsboardApp = make_app(
        seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False, blink=False
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        overview = app.export_screenshot()
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, MoversScreen)
        movers = app.export_screenshot()
    for svg in (overview, movers):
        assert "\x1b" not in svg
        assert "\x07" not in svg
        assert "\u202e" not in svg
    # Shown escaped (the column shortens it) and the markup-like name as written.
    assert "kw-\\x1b]0;pw" in overview
    assert "sku-\\x1b[2J\\u202ewipe" in movers
    assert "[reverse" in movers

"""The Plans screen (`p`): each target with a progress bar, time, days left and what each
remaining day needs, at 80x24 and 120x36, in English and Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from opsboard.config.targets import TargetConfig
from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.plans import PlansScreen
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.plan_rows import PlanRows
from opsboard.views.plans import load_plans, shown_targets
from opsboard.views.sample_world import SAMPLE_NOW

SnapCompare = Callable[..., bool]

TARGETS = [
    TargetConfig(store="tmall-flagship", metric="gmv", period="2026-06", value=3_000_000),
    TargetConfig(store="tmall-flagship", metric="spend", period="2026-06", at_most=400_000),
    TargetConfig(store="tmall-flagship", metric="contribution", period="2026-06", value=5e5),
    TargetConfig(store="tmall-flagship", metric="store_roi", period="2026-06", at_least=4.0),
    TargetConfig(
        store="tmall-flagship",
        metric="ctr",
        scope="campaign:crowd-retarget",
        period="2026-06-12..2026-06-21",
        at_least=0.03,
    ),
    # Over before the 18th: kept a week, with its outcome; the next month's: coming up.
    TargetConfig(store="tmall-flagship", metric="uv", period="2026-06-01..2026-06-14", value=1e5),
    TargetConfig(store="tmall-flagship", metric="gmv", period="2026-07", value=3_200_000),
]


@pytest.fixture
def planned(seeded_runtime: Runtime) -> Runtime:
    """The sample world (to 14:30 on 18 June) with a month of targets."""
    settings = seeded_runtime.settings.model_copy(update={"targets": TARGETS})
    return Runtime(settings=settings, db_path=seeded_runtime.db_path, clock=seeded_runtime.clock)


def _app(runtime: Runtime) -> OpsboardApp:
    return make_app(
        runtime,
        store="tmall-flagship",
        collect="never",
        live_refresh=False,
        unicode=True,
        blink=False,
    )


def test_the_plans_view_has_a_row_per_target_shown(planned: Runtime) -> None:
    with planned.open_store() as store:
        engine = planned.engine(store)
        view = load_plans(store, engine, planned.settings, names=["tmall-flagship"],
                          at=SAMPLE_NOW, live=True, tz_name="Asia/Shanghai")  # fmt: skip
    rows = {row.name: row for row in view.rows[:5]}
    names = [row.name for row in view.rows]
    # Under way first (the month before the 10 days), then ended, then coming up.
    assert names[:5] == ["GMV", "Contribution", "Spend", "Store ROI", "CTR campaign:crowd-retarget"]
    assert [(r.name, r.status) for r in view.rows[5:]] == [
        ("Visitors", "missed"),
        ("GMV", "upcoming"),
    ]
    gmv = view.rows[0]
    assert gmv.goal == "¥3.00M"
    assert gmv.days_left == 13  # the rest of the 18th and 12 more days
    assert gmv.needed.startswith("¥")
    assert 0 < gmv.time_share < 1
    roi = rows["Store ROI"]
    assert roi.ratio
    assert roi.needed == ""
    assert roi.trend[0] in "↑↓→"
    assert rows["Spend"].ceiling
    assert rows["CTR campaign:crowd-retarget"].period == "Jun 12-21"
    assert view.note == ""


def test_shown_targets_keep_a_week_after_and_look_a_fortnight_ahead() -> None:
    targets = [t.resolve() for t in TARGETS]
    assert len(shown_targets(targets, date(2026, 6, 18))) == 7
    later = shown_targets(targets, date(2026, 6, 29))
    assert all(t.metric != "uv" for t in later)  # ended 14 June: gone after a week
    assert len(shown_targets(targets, date(2026, 5, 10))) == 0


async def test_p_opens_the_plans_and_escape_goes_back(planned: Runtime) -> None:
    app = _app(planned)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PlansScreen)
        shown = str(app.screen.query_one(PlanRows).render())
        assert "GMV · 2026-06 · goal ¥3.00M" in shown
        assert "days left" in shown
        assert "/day needed" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PlansScreen)


async def test_without_targets_the_screen_says_how_to_add_them(seeded_runtime: Runtime) -> None:
    app = _app(seeded_runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        note = app.screen.query_one("#plans-note")
        assert note.display
        assert "No targets under way" in str(note.render())


def _on_plans(pilot_keys: tuple[str, ...] = ("p",)) -> Callable[..., Any]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in pilot_keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize(
    "size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
)
def test_plans_screen(snap_compare: SnapCompare, planned: Runtime, size: tuple[int, int]) -> None:
    assert snap_compare(_app(planned), terminal_size=size, run_before=_on_plans())


@pytest.mark.parametrize(
    "size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
)
def test_plans_screen_in_chinese(
    snap_compare: SnapCompare, planned: Runtime, chinese: None, size: tuple[int, int]
) -> None:
    assert snap_compare(_app(planned), terminal_size=size, run_before=_on_plans())

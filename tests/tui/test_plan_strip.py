"""The Overview's plan strip: shown with targets, absent without."""

from __future__ import annotations

from opsboard.config.targets import TargetConfig
from opsboard.runtime import Runtime
from opsboard.tui.app import make_app
from opsboard.tui.widgets.plan_strip import PlanStrip
from opsboard.views.overview import OverviewLoader
from opsboard.views.sample_world import SAMPLE_NOW


def _with_targets(runtime: Runtime) -> Runtime:
    targets = [
        TargetConfig(store="tmall-flagship", metric="gmv", period="2026-06", value=3_000_000),
        TargetConfig(store="tmall-flagship", metric="roi", period="2026-06", at_least=3.0),
    ]
    settings = runtime.settings.model_copy(update={"targets": targets})
    return Runtime(settings=settings, db_path=runtime.db_path, clock=runtime.clock)


def test_the_overview_carries_a_line_per_target_under_way(seeded_runtime: Runtime) -> None:
    runtime = _with_targets(seeded_runtime)
    with runtime.open_store() as store:
        loader = OverviewLoader(store, runtime.engine(store), runtime.settings)
        view = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW, live=True, chart_metric="uv")
        plain = OverviewLoader(store, seeded_runtime.engine(store), seeded_runtime.settings)
        without = plain.load(store_name=None, at=SAMPLE_NOW, live=True, chart_metric="uv")
    assert without.plans == ()
    texts = [line.text for line in view.plans]
    assert texts[0].startswith("June GMV ¥3.00M: ")
    assert "needed per remaining day" in texts[0]
    assert texts[1].startswith("June ROI 3.00: ")
    assert view.plans[0].short.startswith("Jun GMV ¥3.00M: ")
    assert 0 < view.plans[0].time_share < 1


async def test_the_plan_panel_shows_only_with_targets(seeded_runtime: Runtime) -> None:
    app = make_app(
        _with_targets(seeded_runtime),
        store="tmall-flagship",
        collect="never",
        live_refresh=False,
        blink=False,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#plan-panel").display
        assert "June GMV ¥3.00M" in str(app.screen.query_one(PlanStrip).render())


def test_the_overview_carries_the_days_contribution(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        loader = OverviewLoader(store, seeded_runtime.engine(store), seeded_runtime.settings)
        one = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW, live=True, chart_metric="uv")
        every = loader.load(store_name=None, at=SAMPLE_NOW, live=True, chart_metric="uv")
    # The flagship's margin is 40%; the sample data has no refunds, and says so.
    assert one.contribution.startswith("Contribution ¥")
    assert "Store ROI " in one.contribution
    assert "Spend share " in one.contribution
    assert "(no refunds data)" in one.contribution
    assert every.contribution == ""  # money of stores in two currencies is not added up

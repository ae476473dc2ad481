"""`opsboard demo` end to end: the simulated platform, the drop folder, the dashboard."""

from __future__ import annotations

import stat
import time

import pytest

from opsboard.cli.demo import DEMO_FILES, running_demo
from opsboard.tui.app import make_app
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.alerts_table import AlertsTable
from opsboard.tui.widgets.traffic import TrafficFigures


async def test_demo_shows_data_and_alerts() -> None:
    pytest.importorskip("opsboard_simulator.runner")
    with running_demo(speed=1.0) as demo:
        assert stat.S_IMODE(demo.folder.stat().st_mode) == 0o700
        names = {s.name for s in demo.runtime.settings.stores}
        assert {"tmall-flagship", "amazon-us", "shopify-dtc"} <= names
        assert sorted(p.name for p in (demo.drop / "jd-official").iterdir()) == list(
            DEMO_FILES["jd-official"]
        )
        app = make_app(demo.runtime)
        async with app.run_test(size=(160, 50)) as pilot:
            assert app.role == "collector"
            deadline = time.monotonic() + 45
            figures = alerts = 0
            while time.monotonic() < deadline:
                await settle(pilot)
                figures = app.screen.query_one(TrafficFigures).row_count
                alerts = sum(
                    1 for a in app.screen.query_one(AlertsTable).alerts if a.state == "firing"
                )
                if figures == 7 and alerts:
                    break
                await pilot.pause(0.2)
            assert figures == 7, "no traffic on screen"
            assert alerts, "no alert fired"
        assert stat.S_IMODE(demo.runtime.db_path.stat().st_mode) == 0o600
    assert not demo.folder.exists()

"""The Files and sources screen, the toast per file, and the first run without a config."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from opsboard.config.models import AdapterConfig, Settings
from opsboard.models import HealthState, MetricPoint, SourceHealth
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.sources import FirstRunScreen, SourcesScreen, _shortened
from opsboard.tui.screenshots import settle
from opsboard.views.sample_world import SAMPLE_NOW, SAMPLE_ZONE
from opsboard.views.sources import load_sources


def _load_file(db_path: Path, name: str) -> None:
    """A file of two days loaded for tmall-flagship, as the drop folder records it."""
    with Store.open(db_path) as store, store.batch(
        source="exports", origin=f"/srv/drop/tmall-flagship/{name}", format="sycm_traffic",
        store="tmall-flagship",
    ) as batch:  # fmt: skip
        batch.add_points(
            MetricPoint(
                "tmall-flagship", local_midnight(day, zone(SAMPLE_ZONE)), "day", "uv", 100.0
            )
            for day in (date(2026, 6, 16), date(2026, 6, 17))
        )


def _refuse_file(db_path: Path, name: str, reason: str) -> None:
    with Store.open(db_path) as store:
        store.record_failed_ingest(
            source="exports",
            origin=f"/srv/drop/tmall-flagship/{name}",
            format="",
            store="tmall-flagship",
            message=reason,
        )


def _rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _recording(app: OpsboardApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    told: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        told.append((message, str(options.get("severity", "information"))))
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return told


async def test_files_loaded_and_refused_are_listed(seeded_runtime: Runtime) -> None:
    _load_file(seeded_runtime.db_path, "traffic-0616.csv")
    _refuse_file(seeded_runtime.db_path, "jd-orders.csv", "line 3, column 2: not a number")
    with Store.open(seeded_runtime.db_path) as store:
        store.set_health(
            SourceHealth(
                "jd-api",
                HealthState.RATE_LIMITED,
                SAMPLE_NOW,
                store="jd-main",
                reason="429 from the API",
            )
        )
    app = make_app(seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        files = _rows(app.screen.query_one("#files", DataTable))
        refused, loaded = files[0], files[1]
        assert refused[1:3] == ["jd-orders.csv", "refused"]
        assert refused[-1] == "line 3, column 2: not a number"
        assert loaded[1:8] == [
            "traffic-0616.csv",
            "loaded",
            "tmall-flagship",
            "2026-06-16..17",
            "2",
            "sycm_traffic",
            "",
        ]
        sources = _rows(app.screen.query_one("#sources", DataTable))
        api = next(row for row in sources if row[0] == "jd-api")
        assert api[2:4] == ["jd-main", "rate limited"]
        assert api[-1] == "429 from the API"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.kind == "overview"


async def test_a_toast_says_when_a_file_loads_or_is_refused(
    seeded_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_file(seeded_runtime.db_path, "old.csv")  # before the start: no toast
    app = make_app(seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False)
    told = _recording(app, monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        _load_file(seeded_runtime.db_path, "traffic-0617.csv")
        _refuse_file(seeded_runtime.db_path, "bad.xlsx", "no header row recognised")
        app.refresh_data()
        await settle(pilot)
    assert told == [
        (
            "loaded traffic-0617.csv: sycm_traffic for tmall-flagship, "
            "2026-06-16 .. 2026-06-17, 2 points",
            "information",
        ),
        ("refused bad.xlsx: no header row recognised", "error"),
    ]


async def test_files_loaded_at_once_share_one_toast(
    seeded_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five exports dropped together: one toast, so that a small terminal keeps its panels;
    # a refused file still has its own.
    app = make_app(seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False)
    told = _recording(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for index in range(5):
            _load_file(seeded_runtime.db_path, f"traffic-{index}.csv")
        _refuse_file(seeded_runtime.db_path, "bad.xlsx", "no header row recognised")
        app.refresh_data()
        await settle(pilot)
    assert told == [
        ("loaded 5 files: traffic-0.csv, traffic-1.csv and 3 more (f: files)", "information"),
        ("refused bad.xlsx: no header row recognised", "error"),
    ]


async def test_first_run_says_where_the_config_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config" / "opsboard" / "config.toml"
    monkeypatch.setenv("OPSBOARD_CONFIG", str(config))
    runtime = Runtime(
        settings=Settings(), db_path=tmp_path / "new.db", clock=FrozenClock(SAMPLE_NOW)
    )
    app = make_app(runtime, live_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        text = " ".join(str(app.screen.query_one("#first-run", Static).render()).split())
        assert str(config) in text
        assert "opsboard init" in text
        assert f"opsboard config example > {config}" in text
        assert "opsboard ingest FILE --store NAME" in text
        assert str(tmp_path / "new.db") in text
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        status = str(app.screen.query_one("#status").render())
        assert "no config yet" in status
        assert "no collector: alerts are not sent (no source in the config)" in status


async def test_the_files_screen_names_the_drop_folders(
    seeded_runtime: Runtime, tmp_path: Path
) -> None:
    settings = seeded_runtime.settings.model_copy(
        update={
            "adapters": [
                AdapterConfig(
                    name="exports",
                    type="csv",
                    options={"folders": [{"path": str(tmp_path / "drop"), "store": "jd-main"}]},
                )
            ]
        }
    )
    runtime = Runtime(
        settings=settings,
        db_path=seeded_runtime.db_path,
        config_path=tmp_path / "opsboard.toml",
        clock=seeded_runtime.clock,
    )
    app = make_app(runtime, collect="never", live_refresh=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, FirstRunScreen)
        await pilot.press("f")
        await settle(pilot)
        text = str(app.screen.query_one("#start-help", Static).render())
        assert f"- {tmp_path / 'drop'}  (store jd-main)" in text
        assert "No config yet" not in text


def test_the_files_of_one_store_and_short_names(seeded_runtime: Runtime) -> None:
    _load_file(seeded_runtime.db_path, "traffic-0616.csv")
    _refuse_file(seeded_runtime.db_path, "unknown.csv", "no store")
    with Store.open(seeded_runtime.db_path) as store:
        store.record_failed_ingest(
            source="exports", origin="/srv/drop/x.csv", format="", store="", message="?"
        )
        view = load_sources(
            store, seeded_runtime.settings, at=SAMPLE_NOW, tz_name=SAMPLE_ZONE,
            config_path="", has_config=True, store_name="jd-main",
        )  # fmt: skip
    assert [f.name for f in view.files] == ["x.csv"]  # of no store: it may be jd-main's
    assert _shortened("sycm_store_traffic_daily_gbk.csv", 28) == "sycm_store_traffic…y_gbk.csv"
    assert len(_shortened("sycm_store_traffic_daily_gbk.csv", 28)) == 28

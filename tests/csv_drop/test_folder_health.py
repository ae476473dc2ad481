"""What a drop folder reports and says: stale exports, store folders, advice for a folder."""

from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from opsboard_csv.options import CsvDropOptions

from csv_drop.helpers import AN_HOUR_AGO, GOOD, drop_old, make_adapter, points
from opsboard.collect.collector import Collector
from opsboard.models import HealthState
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock


def shop_health(adapter: object) -> object:
    """The health line of store ``shop``."""
    return {h.store: h for h in adapter.health()}["shop"]  # type: ignore[attr-defined]


async def test_exports_that_stop_coming_make_the_store_stale(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, stale_after="30m")
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "day.csv", GOOD)
    await run.run_cycle(force=True)
    loaded_at = clock.now()
    assert shop_health(adapter).state is HealthState.OK  # type: ignore[attr-defined]
    clock.advance(timedelta(minutes=29))
    assert shop_health(adapter).state is HealthState.OK  # type: ignore[attr-defined]
    clock.advance(timedelta(minutes=2))
    await run.run_cycle(force=True)
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state is HealthState.STALE
    assert health.since == loaded_at + timedelta(minutes=30)  # when it became stale
    assert "no file loaded for 31 min" in health.reason
    assert "at least every 30 min" in health.reason
    assert health.last_ok == loaded_at
    drop_old(tmp_path / "drop" / "next.csv", "2026-06-19 10:00,,,,,uv,5\n")
    await run.run_cycle(force=True)
    assert shop_health(adapter).state is HealthState.OK  # type: ignore[attr-defined]


def test_without_stale_after_a_quiet_folder_stays_ok(tmp_path: Path, clock: FrozenClock) -> None:
    adapter = make_adapter(tmp_path, clock)
    clock.advance(timedelta(days=3))
    assert shop_health(adapter).state is HealthState.OK  # type: ignore[attr-defined]


def test_a_folder_sets_its_own_stale_after(tmp_path: Path, clock: FrozenClock) -> None:
    (tmp_path / "daily").mkdir()
    (tmp_path / "hourly").mkdir()
    folders = [
        {"path": str(tmp_path / "daily"), "store": "daily"},
        {"path": str(tmp_path / "hourly"), "store": "hourly", "stale_after": "2h"},
    ]
    adapter = make_adapter(tmp_path, clock, folders=folders, stale_after="26h")
    adapter.drop_folders()
    clock.advance(timedelta(hours=3))
    states = {h.store: h.state for h in adapter.health()}
    assert states == {"daily": HealthState.OK, "hourly": HealthState.STALE}
    hourly = {h.store: h for h in adapter.health()}["hourly"]
    assert "since watching began" in hourly.reason


def test_after_a_restart_staleness_counts_from_the_last_file_moved_in(
    tmp_path: Path, clock: FrozenClock
) -> None:
    processed = tmp_path / "drop" / "processed"
    processed.mkdir(parents=True)
    long_ago = clock.now().timestamp() - 5 * 3600
    os.utime(processed, (long_ago, long_ago))
    adapter = make_adapter(tmp_path, clock, stale_after="4h")
    adapter.drop_folders()
    health = shop_health(adapter)
    assert health.state is HealthState.STALE  # type: ignore[attr-defined]
    assert "no file loaded for 5 h" in health.reason  # type: ignore[attr-defined]


def test_stale_after_must_be_a_positive_duration() -> None:
    with pytest.raises(ValueError, match="above 0"):
        CsvDropOptions.model_validate({"folders": [{"path": "/x"}], "stale_after": "0s"})
    with pytest.raises(ValueError, match="duration"):
        CsvDropOptions.model_validate({"folders": [{"path": "/x"}], "stale_after": "soon"})


async def test_a_store_folder_whose_name_is_no_store_name_refuses_its_files(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    drop = tmp_path / "drop"
    adapter = make_adapter(tmp_path, clock, folders=[{"path": str(drop)}])
    drop_old(drop / "tmall-flagship" / "t.csv", "2026-06-18 10:00,,,,,uv,7\n")
    drop_old(drop / "示例旗舰店" / "c.csv", "2026-06-18 10:00,,,,,uv,8\n")
    drop_old(drop / "my shop" / "m.csv", "2026-06-18 10:00,,,,,uv,9\n")
    await collector(adapter).run_cycle(force=True)
    assert sorted((s, v) for (s, _, _), v in points(store).items()) == [
        ("tmall-flagship", 7.0),
        ("示例旗舰店", 8.0),
    ]
    reason = (drop / "my shop" / "failed" / "m.csv.error.txt").read_text(encoding="utf-8")
    assert f"the folder {drop / 'my shop'} is named after no valid store" in reason
    assert "rename the folder" in reason
    assert "my shop" not in {h.store for h in store.health()}
    assert {i["store"] for i in store.ingests() if i["status"] == "rejected"} == {""}


def test_a_folder_store_that_cannot_be_a_store_name_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        CsvDropOptions.model_validate({"folders": [{"path": "/x", "store": "my shop"}]})


async def test_a_report_without_a_date_says_how_to_date_it_in_a_folder(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
) -> None:
    adapter = make_adapter(tmp_path, clock)
    undated = tmp_path / "drop" / "BusinessReport.csv"
    shutil.copy(sample("amazon_business_report_child.csv"), undated)
    os.utime(undated, (AN_HOUR_AGO, AN_HOUR_AGO))
    dated = tmp_path / "drop" / "BusinessReport_2026-06-17.csv"
    shutil.copy(sample("amazon_business_report_child.csv"), dated)
    os.utime(dated, (AN_HOUR_AGO, AN_HOUR_AGO))
    await collector(adapter).run_cycle(force=True)
    reason = (tmp_path / "drop" / "failed" / "BusinessReport.csv.error.txt").read_text("utf-8")
    assert "--date" not in reason  # there is no --date in a folder
    assert "BusinessReport_2026-06-18.csv" in reason
    assert (tmp_path / "drop" / "processed" / "BusinessReport_2026-06-17.csv").exists()


async def test_max_file_bytes_holds_inside_a_zip(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, max_file_bytes=20_000)
    header = "日期,跟单SKU ID,产品线,账户昵称,展现数,点击数,花费,总订单行,总订单金额\n"
    body = header + "2026-06-18,100017569947,饮水设备,账户,2385,49,82.65,1,434.55\n" * 2000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("京准通.csv", body)
    path = tmp_path / "drop" / "报表.zip"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 20_000 < len(body)
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    await collector(adapter).run_cycle(force=True)
    reason = (tmp_path / "drop" / "failed" / "报表.zip.error.txt").read_text("utf-8")
    assert "more than max_file_bytes (20000)" in reason
    assert points(store) == {}


async def test_a_loaded_file_without_a_column_its_format_relies_on_says_so(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock)
    run = collector(adapter)
    path = tmp_path / "drop" / "Sponsored Products Campaign report.csv"
    path.write_text(
        "Date,Campaign Name,Status,Impressions,Clicks,Spend\n2026-06-18,Brand,ENABLED,100,5,2.50\n",
        encoding="utf-8",
    )
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    await run.run_cycle(force=True)
    health = shop_health(adapter)
    assert health.state is HealthState.OK  # type: ignore[attr-defined]
    reason = health.reason  # type: ignore[attr-defined]
    assert "missing column '7 Day Total Sales'" in reason
    assert "ad_gmv is not loaded" in reason
    last = health.detail["last_loaded"]  # type: ignore[attr-defined]
    assert len(last["missing_columns"]) == 2

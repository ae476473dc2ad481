"""A report of another platform than its store's loads, with a warning that names both."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from opsboard_csv.adapter import CsvDropAdapter, CsvDropOptions

from opsboard.adapters.api import AdapterContext
from opsboard.cli.main import main
from opsboard.collect.collector import Collector
from opsboard.config.models import Settings
from opsboard.platforms import platform_mismatch
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .helpers import AN_HOUR_AGO

REPO = Path(__file__).resolve().parents[2]
JD_REPORT = REPO / "tests" / "data" / "samples" / "jd_jzt_promotion_daily_utf8.csv"


def test_a_report_of_another_platform_is_named() -> None:
    assert platform_mismatch("tmall-flagship", "tmall", "taobao") is None
    assert platform_mismatch("tmall-flagship", "tmall", "alimama") is None  # 万相台
    assert platform_mismatch("shopify-dtc", "shopify", "google") is None  # any store's ads
    assert platform_mismatch("shop", "other", "jd") is None
    found = platform_mismatch("tmall-flagship", "tmall", "jd")
    assert found is not None
    assert found.startswith("a JD report loaded for tmall-flagship, a Taobao/Tmall store")


async def test_a_jd_export_in_a_tmall_folder_loads_with_a_warning(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    settings = Settings.model_validate(
        {"stores": [{"name": "tmall-flagship", "platform": "tmall"}]}
    )
    opts = CsvDropOptions.model_validate(
        {"folders": [{"path": str(drop), "store": "tmall-flagship"}]}
    )
    adapter = CsvDropAdapter(opts, AdapterContext("drops", settings, clock, tmp_path / "s"))
    target = drop / JD_REPORT.name
    shutil.copy(JD_REPORT, target)
    os.utime(target, (AN_HOUR_AGO, AN_HOUR_AGO))
    report = await collector(adapter).run_cycle(force=True)
    assert report.points["drops"] > 0  # loaded all the same
    health = {h.store: h for h in store.health()}["tmall-flagship"]
    assert "a JD report loaded for tmall-flagship" in health.reason
    assert health.detail["last_loaded"]["warnings"]  # type: ignore[index]


def test_ingest_names_a_report_of_another_platform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[stores]]\nname = "tmall-flagship"\nplatform = "tmall"\n')
    args = ["--config", str(config), "--db", str(tmp_path / "x.db"), "ingest", str(JD_REPORT)]
    assert main([*args, "--store", "tmall-flagship"]) == 0
    out = capsys.readouterr().out
    assert "note: a JD report loaded for tmall-flagship, a Taobao/Tmall store" in out

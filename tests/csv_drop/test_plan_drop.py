"""A plan sheet (.xlsx or .csv) dropped into a folder or ingested is kept as targets."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from csv_formats.support import xlsx_bytes

from csv_drop.helpers import AN_HOUR_AGO, make_adapter
from opsboard.cli.main import main
from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

PLAN: list[list[object]] = [
    ["店铺", "指标", "周期", "目标值", "范围"],
    ["shop", "gmv", "2026-06", 3000000, ""],
    ["shop", "spend", "2026-06", 600000, "channel:paid_search"],
]


async def test_a_dropped_plan_workbook_becomes_targets(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    path = tmp_path / "drop" / "2026年6月计划.xlsx"
    path.write_bytes(xlsx_bytes(PLAN))
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    await collector(adapter).run_cycle(force=True)
    kept = [(t.metric, t.scope, t.period, t.value, t.direction) for t in store.targets("shop")]
    assert kept == [
        ("gmv", "", "2026-06", 3_000_000, "at_least"),
        ("spend", "channel:paid_search", "2026-06", 600_000, "at_most"),
    ]
    assert (tmp_path / "drop" / "processed" / path.name).exists()


def test_a_revised_plan_replaces_the_old_goal(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "plan.xlsx"
    first.write_bytes(xlsx_bytes(PLAN))
    revised = tmp_path / "plan-v2.csv"
    revised.write_text("store,metric,period,value\nshop,gmv,2026-06,3200000\n", encoding="utf-8")
    for path in (first, revised):
        assert main(["ingest", str(path), "--db", str(db_path)]) == 0
    capsys.readouterr()
    with Store.open(db_path) as store:
        assert [(t.metric, t.value) for t in store.targets()] == [
            ("gmv", 3_200_000),
            ("spend", 600_000),
        ]


def test_a_plan_workbook_with_a_bad_cell_is_refused_whole(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes([*PLAN, ["shop", "roi", "2026-13", 3, ""]]))
    assert main(["ingest", str(path), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "line 4, column '周期'" in err
    assert "2026-13" in err
    with Store.open(db_path) as store:
        assert store.targets() == []


async def test_a_dropped_plan_naming_a_store_not_configured_is_refused(
    tmp_path: Path, clock: FrozenClock, store: Store
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    path = tmp_path / "drop" / "plan.xlsx"
    path.write_bytes(xlsx_bytes([*PLAN, ["shpo", "uv", "2026-06", 90000, ""]]))
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    collector = Collector(store, [(adapter, 0.0)], clock, known_stores={"shop"})
    try:
        report = await collector.run_cycle(force=True)
    finally:
        await collector.aclose()
    assert store.targets() == []  # nothing of the sheet, not even its good rows
    reason = (tmp_path / "drop" / "failed" / "plan.xlsx.error.txt").read_text(encoding="utf-8")
    assert "line 4, column '店铺'" in reason
    assert "unknown store 'shpo'" in reason
    assert "use one of the configured stores: shop" in reason
    assert report.rejected

"""Names of plans and products dropped into a folder are kept with the file's points."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from csv_drop.helpers import AN_HOUR_AGO, make_adapter
from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock


async def test_a_dropped_plan_report_keeps_its_plan_names(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    path = tmp_path / "drop" / "计划报表_20260618_090000.csv"
    rows = [
        "日期,场景ID,场景名字,计划ID,计划名字,展现量,点击量,花费",
        "2026-06-18,24114,关键词推广,77012003172,春季新品推广,20000,800,1200.00",
    ]
    path.write_bytes("\n".join(rows).encode("gb18030"))
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 3}
    assert store.names_of("shop", "campaign", ["77012003172"]) == {
        ("shop", "77012003172"): "春季新品推广"
    }

"""A search terms report dropped into a folder commits its terms with its other points
(a batch's ``fine_points``), through the real collector and store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from csv_formats.support import FORMATS

from csv_drop.helpers import AN_HOUR_AGO, make_adapter
from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock


async def test_a_dropped_search_terms_report_commits_its_terms(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    report_file = tmp_path / "drop" / "Search terms report range.csv"
    shutil.copyfile(FORMATS / "Search terms report range.csv", report_file)
    os.utime(report_file, (AN_HOUR_AGO, AN_HOUR_AGO))
    report = await collector(adapter).run_cycle(force=True)
    # 4 metrics of 3 terms, of the unlisted rest and of the account.
    assert report.points == {"drops": 20}
    terms = store.conn.execute("SELECT DISTINCT term FROM series ORDER BY term").fetchall()
    assert terms == [("",), ("(other search terms)",), ("brand shoes",), ("running shoes",),
                     ("trail shoes",)]  # fmt: skip
    assert (tmp_path / "drop" / "processed" / "Search terms report range.csv").exists()

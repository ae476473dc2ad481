"""Ingest benchmarks: bulk load against the sqlite3 shell, and drop-folder freshness.

(a) `opsboard ingest` of a generated 1M-point canonical CSV through the real write path
    (validation, series lookup, upsert), against (b) the `sqlite3` shell's `.import --csv`
    of the same file into a fresh database: a plain table (the reference of the goal) and
    a table with the same unique key (a second reference). Goal: >= 0.5x its rows/s.
(c) The same file renamed into a watched folder with a running collector: time until it is
    committed (and moved to processed/).
(d) 20 small files renamed into the folder one at a time: p95 of the time until their
    points are queryable from another connection. Goal: <= 1 s.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from common import (
    Row,
    best_of,
    opsboard_command,
    opsboard_env,
    percentile,
    rate,
    run_quiet,
    workdir,
    write_canonical_csv,
)

POINTS = 1_000_000
SMALL_FILES = 20


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM points").fetchone()[0])


def _fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".collector.lock"):
        side = path.with_name(path.name + suffix)
        side.unlink(missing_ok=True)
    return path


def measure_cli(csv_path: Path, work: Path, points: int) -> tuple[float, float]:
    """Best wall time of `opsboard ingest` into a fresh database, then of a re-ingest."""
    env = opsboard_env(work)
    db = work / "opsboard.db"

    def once() -> float:
        _fresh(db)
        return run_quiet(
            [*opsboard_command(), "ingest", str(csv_path), "--db", str(db), "--store", "bench"],
            env=env,
        )

    first = best_of(2, once)
    if _count(db) != points:
        raise RuntimeError(f"opsboard ingest stored {_count(db)} points, expected {points}")
    again = run_quiet(
        [*opsboard_command(), "ingest", str(csv_path), "--db", str(db), "--store", "bench"],
        env=env,
    )
    if _count(db) != points:
        raise RuntimeError("re-ingest changed the number of points (upsert broken)")
    return first, again


def measure_sqlite(shell: str, csv_path: Path, work: Path) -> tuple[float, float]:
    """Best wall time of the sqlite3 shell's .import: plain table, then a keyed table."""
    db = work / "reference.db"

    def plain() -> float:
        _fresh(db)
        return run_quiet([shell, str(db), f".import --csv {csv_path} points"])

    def keyed() -> float:
        _fresh(db)
        return run_quiet(
            [
                shell,
                str(db),
                "CREATE TABLE points (ts TEXT, store TEXT, channel TEXT, campaign TEXT, "
                "sku TEXT, metric TEXT, value REAL, "
                "UNIQUE (store, ts, channel, campaign, sku, metric))",
                f".import --csv --skip 1 {csv_path} points",
            ]
        )

    return best_of(2, plain), best_of(2, keyed)


class _Folder:
    """A store, a drop-folder adapter and a running collector, in this event loop."""

    def __init__(self, work: Path) -> None:
        from opsboard_csv.adapter import CsvDropAdapter, CsvDropOptions

        from opsboard.adapters.api import AdapterContext
        from opsboard.collect.collector import Collector
        from opsboard.config.models import Settings
        from opsboard.storage import Store
        from opsboard.timeutil import Clock

        self.drop = work / "drop"
        self.staging = work / "staging"
        self.drop.mkdir()
        self.staging.mkdir()
        self.db = _fresh(work / "folder.db")
        self.store = Store.open(self.db)
        options = CsvDropOptions.model_validate(
            {"folders": [{"path": str(self.drop), "store": "bench"}]}
        )
        context = AdapterContext("drops", Settings(), Clock(), work / "state")
        self.adapter = CsvDropAdapter(options, context)
        # A long poll interval: only folder events can make the collector this quick.
        self.collector = Collector(self.store, [(self.adapter, 3600.0)], Clock())
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Folder:
        self.task = asyncio.create_task(self.collector.run_forever(self.stop))
        # Warm up: the first cycle starts the watcher; wait for one file to go through.
        await self.drop_and_wait(self._small("warmup", 0), processed=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        self.adapter.changed.set()
        if self.task is not None:
            await self.task
        await self.collector.aclose()
        self.store.close()

    def _small(self, marker: str, index: int) -> Path:
        path = self.staging / f"{marker}.csv"
        lines = ["ts,store,channel,campaign,sku,metric,value"]
        lines += [
            f"2026-02-{1 + index % 28:02d}T{h:02d}:00:00Z,,paid_search,plan-1,{marker},"
            f"{metric},{h + 1}"
            for h in range(24)
            for metric in ("impressions", "clicks", "spend")
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    async def drop_and_wait(self, staged: Path, *, processed: bool, limit: float = 120) -> float:
        """Rename ``staged`` into the folder; seconds until it is queryable (or processed)."""
        marker = staged.stem
        target = self.drop / staged.name
        reader = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            start = time.perf_counter()
            os.replace(staged, target)
            while time.perf_counter() - start < limit:
                if processed:
                    if (self.drop / "processed" / staged.name).exists():
                        return time.perf_counter() - start
                else:
                    row = reader.execute(
                        "SELECT count(*) FROM points p JOIN series s ON s.id = p.series_id "
                        "WHERE s.sku = ?",
                        (marker,),
                    ).fetchone()
                    if row[0]:
                        return time.perf_counter() - start
                await asyncio.sleep(0.005)
        finally:
            reader.close()
        raise RuntimeError(f"{staged.name} was not loaded within {limit} s")

    async def small_files(self, count: int) -> list[float]:
        """Latencies of ``count`` small files dropped one at a time."""
        return [
            await self.drop_and_wait(self._small(f"sku-{i:03d}", i), processed=False)
            for i in range(count)
        ]


async def _drop_folder(csv_path: Path, work: Path) -> tuple[float, list[float]]:
    async with _Folder(work) as folder:
        staged = folder.staging / "bulk.csv"
        shutil.copyfile(csv_path, staged)
        bulk = await folder.drop_and_wait(staged, processed=True)
        latencies = await folder.small_files(SMALL_FILES)
    return bulk, latencies


def run() -> list[Row]:
    """The ingest figures."""
    work = workdir("ingest")
    csv_path = work / "points_1m.csv"
    points = write_canonical_csv(csv_path, points=POINTS)
    ours, again = measure_cli(csv_path, work, points)
    rows: list[Row] = []
    shell = shutil.which("sqlite3")
    if shell is None:
        rows.append(
            Row(
                f"opsboard ingest, {points:,} points",
                f"{rate(points, ours)} ({ours:.2f} s)",
                goal=">= 0.5x sqlite3 .import",
                reference="sqlite3 shell not found",
                note="install the sqlite3 command-line shell to measure the reference",
            )
        )
    else:
        plain, keyed = measure_sqlite(shell, csv_path, work)
        rows.append(
            Row(
                f"opsboard ingest, {points:,} points",
                f"{rate(points, ours)} ({ours:.2f} s)",
                goal=">= 0.5x sqlite3 .import",
                reference=f".import: {rate(points, plain)} ({plain:.2f} s)",
                ratio=f"{plain / ours:.2f}x",
                ok=plain / ours >= 0.5,
            )
        )
        rows.append(
            Row(
                "  vs .import into a keyed table",
                f"{rate(points, ours)}",
                reference=f"keyed .import: {rate(points, keyed)} ({keyed:.2f} s)",
                ratio=f"{keyed / ours:.2f}x",
            )
        )
    rows.append(
        Row(
            "opsboard ingest again (all upserts)",
            f"{rate(points, again)} ({again:.2f} s)",
            reference=f"first load {ours:.2f} s",
            ratio=f"{ours / again:.2f}x",
        )
    )
    bulk, latencies = asyncio.run(_drop_folder(csv_path, work))
    rows.append(
        Row(
            f"drop folder: {points:,}-point file renamed in, to committed",
            f"{bulk:.2f} s ({rate(points, bulk)})",
            reference=f"opsboard ingest {ours:.2f} s",
            ratio=f"{ours / bulk:.2f}x",
        )
    )
    p95 = percentile(latencies, 0.95)
    rows.append(
        Row(
            f"drop-to-queryable p95, {SMALL_FILES} small files",
            f"{p95 * 1000:.0f} ms",
            goal="<= 1000 ms",
            reference=f"median {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms",
            ok=p95 <= 1.0,
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from common import print_table

    print_table(run())
    sys.exit(0)

"""The drop-folder adapter over real folders, with a real Collector and Store."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from opsboard_csv.adapter import CsvDropAdapter, CsvDropOptions
from opsboard_csv.watcher import SettleTracker, is_candidate_name

from csv_drop.helpers import AN_HOUR_AGO, GOOD, drop_old, make_adapter, points, write_csv
from opsboard.adapters.registry import load_adapter
from opsboard.collect.collector import Collector, CycleReport
from opsboard.models import HealthState
from opsboard.storage import Store
from opsboard.storage.store import file_mode
from opsboard.timeutil import FrozenClock


def test_entry_point_names_this_adapter() -> None:
    assert load_adapter("csv") is CsvDropAdapter


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="folders"):
        CsvDropOptions.model_validate({"folders": []})
    with pytest.raises(ValueError, match="extra"):
        CsvDropOptions.model_validate({"folders": [{"path": "/x"}], "watch": True})


async def test_file_present_before_start_is_loaded_and_moved_after_commit(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    drop_old(tmp_path / "drop" / "traffic.csv", GOOD)
    moved_while_loading: list[bool] = []
    original = store.batch

    def watching_batch(**kwargs: Any) -> Any:
        moved_while_loading.append((tmp_path / "drop" / "processed" / "traffic.csv").exists())
        return original(**kwargs)

    store.batch = watching_batch  # type: ignore[method-assign]
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 3}
    assert moved_while_loading == [False]
    assert not (tmp_path / "drop" / "traffic.csv").exists()
    assert (tmp_path / "drop" / "processed" / "traffic.csv").exists()
    assert len(points(store)) == 3
    assert store.ingests()[0]["status"] == "loaded"
    assert store.ingests()[0]["format"] == "canonical"
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state is HealthState.OK
    assert "traffic.csv" in health.reason
    assert health.detail["last_loaded"]["points"] == 3  # type: ignore[index]


async def test_renamed_in_file_is_loaded_in_the_same_poll(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=0.05)
    staged = write_csv(tmp_path / "staging" / "fresh.csv", GOOD)
    os.replace(staged, tmp_path / "drop" / "fresh.csv")
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 3}
    assert (tmp_path / "drop" / "processed" / "fresh.csv").exists()


async def test_bad_file_goes_to_failed_with_reason_and_loads_nothing(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    drop_old(tmp_path / "drop" / "bad.csv", GOOD + "2026-06-18 12:00,,,,,uv,many\n")
    drop_old(tmp_path / "drop" / "good.csv", "2026-06-19 10:00,,,,,uv,5\n")
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 1}
    assert len(report.rejected["drops"]) == 1
    failed = tmp_path / "drop" / "failed"
    assert (failed / "bad.csv").exists()
    reason = (failed / "bad.csv.error.txt").read_text(encoding="utf-8")
    assert "line 5" in reason
    assert "column 'value'" in reason
    assert "found value 'many'" in reason
    assert "expected a finite number" in reason
    assert list(points(store)) == [("shop", "uv", 1781834400)]
    statuses = sorted(i["status"] for i in store.ingests())
    assert statuses == ["loaded", "rejected"]
    assert file_mode(failed) == 0o700
    assert file_mode(failed / "bad.csv.error.txt") == 0o600
    assert file_mode(tmp_path / "drop" / "processed") == 0o700
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state in (HealthState.OK, HealthState.FAILING)
    assert "last_rejected" in health.detail


async def test_a_refusal_is_reported_without_failing_the_store(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "bad.csv", "2026-06-18 12:00,,,,,visits,1\n")
    await run.run_cycle(force=True)
    health = {h.store: h for h in store.health()}["shop"]
    # The file is quarantined and alerted on; the folder itself still delivers, so the
    # store's figures and alerts are not held as if its source were down.
    assert health.state is HealthState.OK
    assert "refused bad.csv" in health.reason
    assert "visits" in health.reason
    rejected = health.detail["last_rejected"]
    assert isinstance(rejected, dict)
    assert rejected["file"] == "bad.csv"
    drop_old(tmp_path / "drop" / "good.csv", GOOD)
    await run.run_cycle(force=True)
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state is HealthState.OK
    assert "good.csv" in health.reason


async def test_file_still_being_written_is_not_taken(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=60)
    now = [1000.0]
    path = write_csv(tmp_path / "drop" / "growing.csv", GOOD)
    written_at = path.stat().st_mtime
    adapter.tracker = SettleTracker(60, monotonic=lambda: now[0], wall=lambda: written_at + 1)
    run = collector(adapter)
    assert (await run.run_cycle(force=True)).points == {"drops": 0}
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2026-06-18 12:00,,,,,uv,9\n")
    now[0] += 61
    assert (await run.run_cycle(force=True)).points == {"drops": 0}
    assert path.exists()
    now[0] += 61
    assert (await run.run_cycle(force=True)).points == {"drops": 4}
    assert not path.exists()


def test_partial_and_hidden_names_are_ignored() -> None:
    for name in ("a.csv.part", "b.crdownload", "~$book.xlsx", ".hidden.csv", "c.tmp", "x.PART"):
        assert not is_candidate_name(name)
    for name in ("报表_20260618.csv", "traffic.xlsx", "ads.zip"):
        assert is_candidate_name(name)


async def test_partial_file_waits_until_renamed(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    partial = drop_old(tmp_path / "drop" / "export.csv.crdownload", GOOD)
    run = collector(adapter)
    assert (await run.run_cycle(force=True)).points == {"drops": 0}
    assert partial.exists()
    partial.rename(tmp_path / "drop" / "export.csv")
    assert (await run.run_cycle(force=True)).points == {"drops": 3}


async def test_symlink_out_of_the_folder_is_refused(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    outside = drop_old(tmp_path / "secret" / "other.csv", GOOD)
    link = tmp_path / "drop" / "link.csv"
    link.symlink_to(outside)
    os.utime(link, (AN_HOUR_AGO, AN_HOUR_AGO), follow_symlinks=False)
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 0}
    assert outside.exists()
    assert not link.exists()
    assert not link.is_symlink()
    reason = (tmp_path / "drop" / "failed" / "link.csv.error.txt").read_text(encoding="utf-8")
    assert "symbolic link" in reason
    assert "outside the drop folder" in reason
    assert points(store) == {}


async def test_symlink_inside_the_folder_is_followed(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    target = drop_old(tmp_path / "drop" / "keep" / "inner.csv", GOOD)
    (tmp_path / "drop" / "inner-link.csv").symlink_to(target)
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 3}


async def test_oversized_file_is_refused_unread(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5, max_file_bytes=64)
    drop_old(tmp_path / "drop" / "huge.csv", GOOD * 10)
    opened: list[Path] = []
    monkeypatch.setattr(
        CsvDropAdapter, "read_file", classmethod(lambda cls, path, **kw: opened.append(path))
    )
    report = await collector(adapter).run_cycle(force=True)
    assert opened == []
    assert len(report.rejected["drops"]) == 1
    reason = (tmp_path / "drop" / "failed" / "huge.csv.error.txt").read_text(encoding="utf-8")
    assert "more than max_file_bytes (64)" in reason
    assert "not read" in reason


async def test_redropping_a_file_changes_nothing(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "day.csv", GOOD)
    await run.run_cycle(force=True)
    before = points(store)
    revisions = store.conn.execute("SELECT sum(revision) FROM points").fetchone()[0]
    drop_old(tmp_path / "drop" / "day.csv", GOOD)
    report = await run.run_cycle(force=True)
    assert report.points == {"drops": 3}
    assert points(store) == before
    assert store.conn.execute("SELECT sum(revision) FROM points").fetchone()[0] == revisions
    processed = sorted(p.name for p in (tmp_path / "drop" / "processed").iterdir())
    assert len(processed) == 2
    assert processed[0].startswith("day.")
    assert processed[1] == "day.csv"


async def test_restated_value_wins(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "a.csv", "2026-06-18 10:00,,,,,spend,100\n")
    await run.run_cycle(force=True)
    drop_old(tmp_path / "drop" / "b.csv", "2026-06-18 10:00,,,,,spend,120\n")
    await run.run_cycle(force=True)
    assert list(points(store).values()) == [120.0]


async def test_failure_mid_file_leaves_the_database_unchanged(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "first.csv", "2026-06-18 09:00,,,,,uv,1\n")
    await run.run_cycle(force=True)
    before = points(store)
    series = store.conn.execute("SELECT count(*) FROM series").fetchone()[0]
    rows = "".join(f"2026-06-17 {h:02d}:00,,,,sku-{h},uv,{h}\n" for h in range(20))
    drop_old(tmp_path / "drop" / "second.csv", rows + "2026-06-17 21:00,,,,,uv,-1\n")
    await run.run_cycle(force=True)
    assert points(store) == before
    assert store.conn.execute("SELECT count(*) FROM series").fetchone()[0] == series
    assert (tmp_path / "drop" / "failed" / "second.csv").exists()


async def test_store_subfolders_of_a_parent_folder(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    drop = tmp_path / "drop"
    adapter = make_adapter(tmp_path, clock, folders=[{"path": str(drop)}], settle_seconds=5)
    drop_old(drop / "tmall-flagship" / "t.csv", "2026-06-18 10:00,,,,,uv,7\n")
    drop_old(drop / "jd-main" / "j.csv", "2026-06-18 10:00,,,,,uv,8\n")
    await collector(adapter).run_cycle(force=True)
    assert sorted((s, v) for (s, _, _), v in points(store).items()) == [
        ("jd-main", 8.0),
        ("tmall-flagship", 7.0),
    ]
    assert (drop / "jd-main" / "processed" / "j.csv").exists()
    assert {h.store for h in store.health()} >= {"jd-main", "tmall-flagship"}


async def test_missing_folder_is_reported_failing(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(
        tmp_path, clock, folders=[{"path": str(tmp_path / "nowhere"), "store": "shop"}]
    )
    report: CycleReport = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 0}
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state is HealthState.FAILING
    assert "does not exist" in health.reason


@pytest.mark.parametrize("use_polling", [False, True])
async def test_folder_event_sets_changed(
    tmp_path: Path, clock: FrozenClock, use_polling: bool
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=5, use_polling=use_polling)
    try:
        async for _batch in adapter.poll({}):
            pass
        assert not adapter.changed.is_set()
        deadline = time.monotonic() + 10
        attempt = 0
        while not adapter.changed.is_set():
            assert time.monotonic() < deadline, "no folder event arrived"
            staged = write_csv(tmp_path / "staging" / f"f{attempt}.csv", GOOD)
            os.replace(staged, tmp_path / "drop" / f"f{attempt}.csv")
            attempt += 1
            try:
                await asyncio.wait_for(adapter.changed.wait(), timeout=0.5)
            except TimeoutError:
                continue
        assert adapter.changed.is_set()
    finally:
        await adapter.aclose()


async def test_quiet_poll_skips_the_scan_until_an_event_or_the_rescan(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=0.05, rescan_seconds=3600)
    scans: list[int] = []
    scan = adapter._scan

    def counted() -> Any:
        scans.append(1)
        return scan()

    monkeypatch.setattr(adapter, "_scan", counted)

    async def poll() -> tuple[int, bool]:
        """Batches offered, and whether the poll scanned the folder."""
        before = len(scans)
        offered = len([batch async for batch in adapter.poll({})])
        return offered, len(scans) > before

    try:
        assert await poll() == (0, True)  # the first poll always scans
        assert await poll() == (0, False)  # no event: nothing to look at
        staged = write_csv(tmp_path / "staging" / "fresh.csv", GOOD)
        os.replace(staged, tmp_path / "drop" / "fresh.csv")
        await asyncio.wait_for(adapter.changed.wait(), timeout=10)
        assert await poll() == (1, True)
        assert await poll() == (1, True)  # offered, not committed: looked at again
        (tmp_path / "drop" / "fresh.csv").unlink()
        assert await poll() == (0, True)
        adapter.changed.clear()  # the removal is not an arrival
        assert await poll() == (0, False)
        adapter.opts = adapter.opts.model_copy(update={"rescan_seconds": 0})  # rescan due
        assert await poll() == (0, True)
    finally:
        await adapter.aclose()


async def test_forced_cycle_scans_without_waiting_for_the_event(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=0.05, rescan_seconds=3600)
    run = collector(adapter)
    assert (await run.run_cycle(force=True)).points == {"drops": 0}
    staged = write_csv(tmp_path / "staging" / "now.csv", GOOD)
    os.replace(staged, tmp_path / "drop" / "now.csv")
    assert (await run.run_cycle(force=True)).points == {"drops": 3}


def test_settle_tracker_two_checks() -> None:
    now = [0.0]
    tracker = SettleTracker(2.0, monotonic=lambda: now[0], wall=lambda: 100.0)
    recent = int(99.5e9)
    path = Path("x.csv")
    assert not tracker.is_complete(path, 10, recent)
    assert tracker.next_check_in() == 2.0
    now[0] = 1.0
    assert not tracker.is_complete(path, 10, recent)
    now[0] = 2.5
    assert tracker.is_complete(path, 10, recent)
    tracker.forget(path)
    assert tracker.next_check_in() is None
    assert tracker.is_complete(Path("old.csv"), 10, int(90e9))
    # Written just before the start, or with a lagging file-server clock: two checks.
    assert not tracker.is_complete(Path("moved.csv"), 10, int(99e9))


async def test_running_collector_loads_a_dropped_file_without_waiting_its_interval(
    tmp_path: Path, clock: FrozenClock, store: Store
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=0.05)
    running = Collector(store, [(adapter, 3600.0)], clock)
    stop = asyncio.Event()
    task = asyncio.create_task(running.run_forever(stop))
    try:
        deadline = time.monotonic() + 15
        while not adapter.watcher.running:  # the first cycle has polled the empty folder
            assert time.monotonic() < deadline, "the collector did not start"
            await asyncio.sleep(0.01)
        attempt = 0
        next_drop = 0.0
        while not points(store):
            assert time.monotonic() < deadline, "the dropped file was not loaded"
            if time.monotonic() >= next_drop:  # again, in case the watcher was not ready yet
                staged = write_csv(tmp_path / "staging" / f"f{attempt}.csv", GOOD)
                os.replace(staged, tmp_path / "drop" / f"f{attempt}.csv")
                attempt += 1
                next_drop = time.monotonic() + 1.0
            await asyncio.sleep(0.01)
        assert len(points(store)) == 3
    finally:
        stop.set()
        await task
        await running.aclose()


async def test_database_refusal_keeps_the_file_for_the_next_poll(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opsboard.errors import StoreError

    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    path = drop_old(tmp_path / "drop" / "keep.csv", GOOD)

    def locked(**_kwargs: Any) -> Any:
        raise StoreError("database is locked")

    monkeypatch.setattr(store, "batch", locked)
    report = await run.run_cycle(force=True)
    assert report.deferred["drops"]  # the database's trouble, not the file's
    assert "drops" not in report.rejected
    assert path.exists()
    assert not (tmp_path / "drop" / "failed").exists()
    monkeypatch.undo()
    assert (await run.run_cycle(force=True)).points == {"drops": 3}


async def test_platform_exports_go_through_the_format_reader(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
) -> None:
    import shutil

    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    for name in ("google_ads_campaign.csv", "broken_truncated_amazon_business_report.csv"):
        copied = Path(shutil.copy(sample(name), tmp_path / "drop" / name))
        os.utime(copied, (AN_HOUR_AGO, AN_HOUR_AGO))
    report = await collector(adapter).run_cycle(force=True)
    assert report.points["drops"] > 0
    assert (tmp_path / "drop" / "processed" / "google_ads_campaign.csv").exists()
    failed = tmp_path / "drop" / "failed"
    reason = (failed / "broken_truncated_amazon_business_report.csv.error.txt").read_text(
        encoding="utf-8"
    )
    assert "line " in reason
    formats = {i["format"] for i in store.ingests()}
    assert "google_ads_campaign" in formats


async def test_folder_created_later_is_watched(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    later = tmp_path / "later"
    adapter = make_adapter(tmp_path, clock, folders=[{"path": str(later), "store": "shop"}])
    run = collector(adapter)
    await run.run_cycle(force=True)
    assert adapter.watcher.roots == []
    drop_old(later / "a.csv", GOOD)
    assert (await run.run_cycle(force=True)).points == {"drops": 3}
    assert adapter.watcher.roots == [later]
    assert adapter.watcher.running
    health = {h.store: h for h in store.health()}["shop"]
    assert health.state is HealthState.OK


async def test_a_grain_refused_beside_another_is_quarantined_not_kept(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    from csv_formats.support import xlsx_bytes

    header = ["时间", "{0}", "{0}名称", "商品访客数", "成交金额", "成交客户数"]
    adapter = make_adapter(tmp_path, clock, settle_seconds=5)
    run = collector(adapter)
    for name, grain, uv in (("sku.xlsx", "SKU", 300), ("spu.xlsx", "SPU", 380)):
        rows: list[list[object]] = [
            [h.format(grain) for h in header],
            ["2026-06-18", "1000175", "净水器", uv, 1.0, 1],
        ]
        path = tmp_path / "drop" / name
        path.write_bytes(xlsx_bytes(rows))
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
        await run.run_cycle(force=True)
    assert (tmp_path / "drop" / "processed" / "sku.xlsx").exists()
    # The refusal comes from the file's own check, not from the database: into failed/.
    reason = (tmp_path / "drop" / "failed" / "spu.xlsx.error.txt").read_text(encoding="utf-8")
    assert "already holds" in reason
    assert not (tmp_path / "drop" / "spu.xlsx").exists()
    assert {v for (_s, metric, _t), v in points(store).items() if metric == "uv"} == {300}

"""A file still being written is never loaded in part, in whatever way its writer pauses."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from opsboard_csv.watcher import SettleTracker

from csv_drop.helpers import AN_HOUR_AGO, GOOD, drop_old, make_adapter, points
from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

MORE = "2026-06-18 12:00,,,,,uv,9\n"
#: No settling wait, so that one collector cycle sees a quiet file complete.
QUICK: dict[str, Any] = {"settle_seconds": 0, "growing_settle_seconds": 0}


def append(path: Path, text: str) -> None:
    """The writer going on: more bytes at the end of the same file."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def jzt_sample(sample: Callable[[str], Path]) -> str:
    """The 京准通 sample's text."""
    return sample("jd_jzt_promotion_daily_utf8.csv").read_text(encoding="utf-8")


def spend(store: Store) -> float:
    """The sum of every stored spend point."""
    total = store.conn.execute(
        "SELECT sum(p.value) FROM points p JOIN series s ON s.id = p.series_id "
        "WHERE s.metric = 'spend'"
    ).fetchone()[0]
    return round(total or 0.0, 2)


class _Batches:
    """``store.batch`` that lets the writer go on inside the transaction (``during``) or
    right after the commit (``after``), as a writer resuming from a pause would."""

    def __init__(self, store: Store, path: Path, text: str, *, after: bool) -> None:
        self.original = store.batch
        self.path = path
        self.text = text
        self.after = after
        self.done = False

    def __call__(self, **kwargs: Any) -> Any:
        tx = self.original(**kwargs)
        batches = self

        class Wrapped:
            def __enter__(self) -> Any:
                entered = tx.__enter__()
                if not batches.after and not batches.done:
                    batches.done = True
                    append(batches.path, batches.text)
                return entered

            def __exit__(self, *exc: Any) -> None:
                tx.__exit__(*exc)
                if batches.after and not batches.done and exc[0] is None:
                    batches.done = True
                    append(batches.path, batches.text)

        return Wrapped()


@pytest.mark.parametrize("kind", ["canonical", "platform"])
async def test_a_file_that_changes_while_it_is_read_is_not_committed_or_moved(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
    kind: str,
) -> None:
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    path = tmp_path / "drop" / "export.csv"
    if kind == "canonical":
        drop_old(path, GOOD)
        rest = MORE
    else:
        lines = jzt_sample(sample).splitlines(keepends=True)
        path.write_text("".join(lines[:40]), encoding="utf-8")
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
        rest = "".join(lines[40:])
    store.batch = _Batches(store, path, rest, after=False)  # type: ignore[method-assign]
    report = await run.run_cycle(force=True)
    assert report.points == {"drops": 0}
    assert points(store) == {}  # the transaction rolled back
    assert path.exists()  # left to settle, neither processed nor failed
    assert not (tmp_path / "drop" / "processed").exists()
    assert not (tmp_path / "drop" / "failed").exists()
    assert "drops" not in report.rejected or all(
        "still being written" in r for r in report.rejected["drops"]
    )
    assert store.ingests() == []  # no refusal recorded: nothing to alert on
    loaded = (await run.run_cycle(force=True)).points["drops"]
    assert (tmp_path / "drop" / "processed" / "export.csv").exists()
    if kind == "canonical":
        assert loaded == 4
    else:
        assert spend(store) == 17350.19  # the whole file, never the first 39 rows alone


async def test_a_file_that_changes_after_its_commit_stays_to_be_read_again(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    path = drop_old(tmp_path / "drop" / "export.csv", GOOD)
    batches = _Batches(store, path, MORE, after=True)
    store.batch = batches  # type: ignore[method-assign]
    assert (await run.run_cycle(force=True)).points == {"drops": 3}
    assert path.exists()  # not moved: what was committed is not the whole file
    assert not (tmp_path / "drop" / "processed").exists()
    store.batch = batches.original  # type: ignore[method-assign]
    assert (await run.run_cycle(force=True)).points == {"drops": 4}  # upserted again, whole
    assert len(points(store)) == 4
    assert (tmp_path / "drop" / "processed" / "export.csv").exists()


async def test_a_file_that_grows_after_its_move_is_taken_back_and_read_again(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
) -> None:
    # A writer that paused longer than any settle time, at the end of a line: the first
    # part looked complete, was loaded and moved; the writer goes on in processed/.
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    lines = jzt_sample(sample).splitlines(keepends=True)
    path = tmp_path / "drop" / "jzt.csv"
    path.write_text("".join(lines[:40]), encoding="utf-8")
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    await run.run_cycle(force=True)
    moved = tmp_path / "drop" / "processed" / "jzt.csv"
    assert moved.exists()
    assert spend(store) == 7847.01  # the first 39 rows
    assert adapter.watcher.watch_paths == {str(moved)}  # its changes wake the collector
    append(moved, "".join(lines[40:]))
    await run.run_cycle(force=True)
    assert spend(store) == 17350.19
    assert moved.exists()
    assert not path.exists()
    assert adapter.watcher.watch_paths == {str(moved)}


async def test_a_file_that_grows_while_no_collector_runs_is_read_again_after_a_restart(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
) -> None:
    # The writer pauses, the first part is loaded and moved, the collector is killed (its
    # memory of the moved file gone), the writer finishes, and a new collector starts.
    lines = jzt_sample(sample).splitlines(keepends=True)
    path = tmp_path / "drop" / "jzt.csv"
    first_run = collector(make_adapter(tmp_path, clock, **QUICK))
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(lines[:40]), encoding="utf-8")
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    await first_run.run_cycle(force=True)
    moved = tmp_path / "drop" / "processed" / "jzt.csv"
    assert spend(store) == 7847.01  # the first 39 rows
    (record,) = store.loaded_files("drops", "2000-01-01")
    assert (record.path, record.kept_at) == (str(path), str(moved))
    assert record.size == len("".join(lines[:40]).encode())
    assert len(record.sha256) == 64
    append(moved, "".join(lines[40:]))
    second_run = collector(make_adapter(tmp_path, clock, **QUICK))
    await second_run.run_cycle(force=True)  # takes it back, to settle
    await second_run.run_cycle(force=True)
    assert spend(store) == 17350.19  # the whole file: the partial load is not the last word
    assert moved.exists()
    assert not path.exists()
    newest = store.loaded_files("drops", "2000-01-01")[-1]
    assert newest.size == moved.stat().st_size
    # A third run finds the file as it was last loaded: nothing is read again.
    third_run = collector(make_adapter(tmp_path, clock, **QUICK))
    report = await third_run.run_cycle(force=True)
    assert report.points == {"drops": 0}
    assert moved.exists()


async def test_a_file_unchanged_since_its_load_is_left_where_it_is_after_a_restart(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    drop_old(tmp_path / "drop" / "export.csv", GOOD)
    await collector(make_adapter(tmp_path, clock, **QUICK)).run_cycle(force=True)
    moved = tmp_path / "drop" / "processed" / "export.csv"
    adapter = make_adapter(tmp_path, clock, **QUICK)
    assert (await collector(adapter).run_cycle(force=True)).points == {"drops": 0}
    assert moved.exists()
    assert adapter.watcher.watch_paths == {str(moved)}  # watched for the rest of its grace
    assert len(store.ingests()) == 1


async def test_a_refused_file_that_grows_after_its_move_is_read_again(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    drop_old(tmp_path / "drop" / "export.csv", "2026-06-18 10:00,,,,,uv,1\n2026-06-18 11")
    # A canonical file without its final newline is cut off; an hour old, it is refused.
    await run.run_cycle(force=True)
    failed = tmp_path / "drop" / "failed" / "export.csv"
    assert (failed.parent / "export.csv.error.txt").exists()
    append(failed, ":00,,,,,uv,2\n")
    await run.run_cycle(force=True)
    assert sorted(points(store).values()) == [1.0, 2.0]
    assert not failed.exists()
    assert not (failed.parent / "export.csv.error.txt").exists()
    assert (tmp_path / "drop" / "processed" / "export.csv").exists()


async def test_a_cut_off_file_waits_for_the_rest_while_it_is_recent(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    sample: Callable[[str], Path],
) -> None:
    # A writer that paused mid-line: the last line has 4 of its 9 fields.
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    text = jzt_sample(sample)
    cut = len(text) // 2
    cut = text.index(",", text.index(",", text.index(",", text.index("\n", cut) + 1) + 1) + 1)
    path = tmp_path / "drop" / "jzt.csv"
    path.write_text(text[:cut], encoding="utf-8")
    report = await run.run_cycle(force=True)
    assert report.points == {"drops": 0}
    assert "drops" not in report.rejected
    assert path.exists()
    assert not (tmp_path / "drop" / "failed").exists()
    shop = {h.store: h for h in adapter.health()}["shop"]
    assert "cut off" in str(shop.detail["waiting"])  # shown, not alarmed on
    await run.run_cycle(force=True)  # unchanged and recent: not read again, still waiting
    assert path.exists()
    append(path, text[cut:])
    await run.run_cycle(force=True)
    assert spend(store) == 17350.19
    assert (tmp_path / "drop" / "processed" / "jzt.csv").exists()


async def test_a_cut_off_file_that_stopped_changing_long_ago_is_refused(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    path = tmp_path / "drop" / "cut.csv"
    path.write_text("ts,store,channel,campaign,sku,metric,value\n2026-06-18 10:00,,,,,uv,12")
    await run.run_cycle(force=True)
    assert path.exists()  # recent: waited for
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))  # and then nothing came for an hour
    await run.run_cycle(force=True)
    reason = (tmp_path / "drop" / "failed" / "cut.csv.error.txt").read_text(encoding="utf-8")
    assert "line 2" in reason
    assert "cut off" in reason
    assert points(store) == {}


async def test_an_empty_file_is_a_file_not_written_yet(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, **QUICK)
    run = collector(adapter)
    path = tmp_path / "drop" / "new.csv"
    path.write_bytes(b"")
    await run.run_cycle(force=True)
    assert path.exists()
    path.write_text("ts,store,channel,campaign,sku,metric,value\n" + GOOD, encoding="utf-8")
    assert (await run.run_cycle(force=True)).points == {"drops": 3}


def test_a_file_seen_growing_waits_longer_than_one_renamed_in() -> None:
    now = [0.0]
    tracker = SettleTracker(0.5, growing_seconds=2.0, monotonic=lambda: now[0], wall=lambda: 0)
    renamed, growing = Path("renamed.csv"), Path("growing.csv")
    assert not tracker.is_complete(renamed, 100, 1)
    assert not tracker.is_complete(growing, 10, 1)
    now[0] = 0.3
    assert not tracker.is_complete(growing, 50, 2)  # grew between two checks
    now[0] = 0.8
    assert tracker.is_complete(renamed, 100, 1)  # whole at once: settle_seconds
    assert not tracker.is_complete(growing, 50, 2)
    tracker.forget(renamed)  # taken
    assert tracker.next_check_in() == pytest.approx(1.5)
    now[0] = 2.4
    assert tracker.is_complete(growing, 50, 2)  # two seconds without a change


def test_the_default_waits_suit_a_writer_that_pauses() -> None:
    from opsboard_csv.options import CsvDropOptions

    options = CsvDropOptions.model_validate({"folders": [{"path": "/x"}]})
    assert options.settle_seconds >= 0.5
    assert options.growing_settle_seconds >= 2.0
    assert options.incomplete_grace_seconds >= 30

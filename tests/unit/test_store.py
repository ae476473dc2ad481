"""The store: upserts, permissions, migrations, locks, batches and bookmarks."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opsboard.errors import CollectorLockedError, StoreError
from opsboard.models import HealthState, MetricPoint, SourceHealth
from opsboard.points import FinePoint, InvalidPoint
from opsboard.storage import Store
from opsboard.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from opsboard.storage.store import file_mode

T0 = datetime(2026, 6, 18, 2, 0, tzinfo=UTC)


def point(metric: str = "uv", value: float = 10.0, **scope: str) -> MetricPoint:
    return MetricPoint("s1", T0, "hour", metric, value, **scope)


def values(store: Store) -> list[tuple[str, float, int]]:
    return store.conn.execute(
        "SELECT s.metric, p.value, p.revision FROM points p JOIN series s ON s.id = p.series_id "
        "ORDER BY s.metric"
    ).fetchall()


def test_upsert_keeps_one_point_with_the_newest_value(store: Store) -> None:
    store.write_points([point(value=10), point("gmv", 5.5)])
    store.write_points([point(value=12)])
    store.write_points([point(value=12)])
    assert values(store) == [("gmv", 5.5, 0), ("uv", 12.0, 1)]


def test_scopes_are_distinct_points(store: Store) -> None:
    store.write_points([point(), point(channel="display"), point(sku="681127000001")])
    assert store.point_count() == 3
    skus = [r[0] for r in store.conn.execute("SELECT sku FROM series ORDER BY sku")]
    assert skus == ["", "", "681127000001"]  # twelve-digit ids stay text


def test_a_series_another_writer_added_meanwhile_keeps_one_id(db_path: Path) -> None:
    # The first writer saw the store with no series and creates them without looking each
    # one up; one that another writer created since must still resolve to its one id.
    first, second = Store.open(db_path), Store.open(db_path)
    try:
        first.write_points([point()])
        second.write_points([point("gmv", 5.0)])
        first.write_points([point("gmv", 6.0), point("pv", 2.0)])
        assert values(first) == [("gmv", 6.0, 1), ("pv", 2.0, 0), ("uv", 10.0, 0)]
        assert first.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 3
    finally:
        first.close()
        second.close()


def test_a_file_read_twice_in_one_load_keeps_its_last_figure(store: Store, tmp_path: Path) -> None:
    # The bulk path writes in windows sorted by series: a repeated row must still win over
    # the earlier one, as in file order.
    from opsboard_csv.canonical import read_canonical

    rows = ["ts,store,channel,campaign,sku,metric,value"]
    for value in (3, 2, 1):
        rows += [
            f"2026-06-18T0{h}:00:00Z,s1,,,sku-{n},uv,{value}" for h in range(3) for n in range(4)
        ]
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with store.batch(source="t", origin="file") as batch:
        batch.add_raw(read_canonical(path, store="s1", tz=UTC).points)
    found = store.conn.execute("SELECT DISTINCT value, revision FROM points").fetchall()
    assert found == [(1.0, 2)]
    assert store.point_count() == 12


def _bulk_write(store: Store, rows: int) -> list[int]:
    """Write ``rows`` points of one series through the bulk path; the page cache limits
    seen at each window of the write."""
    from opsboard.storage.batch import _BULK_WINDOW

    during: list[int] = []

    class Rows:
        count = 0
        span: tuple[int, int] | None = None

        def __iter__(self) -> Iterator[object]:
            return iter(())

        def series_values(self, batch: Any) -> Iterator[tuple[int, int, float, int]]:
            sid = batch.series_id(("s1", "hour", "uv", "", "", ""))
            first = int(T0.timestamp())
            for n in range(rows):
                if n % _BULK_WINDOW == _BULK_WINDOW - 1 or n == rows - 1:
                    during.append(store.cache_size())  # the window's last row is read
                yield sid, first + 60 * n, 5.0, batch.ingest_id
            self.count, self.span = rows, (first, first + 60 * (rows - 1))

    with store.batch(source="t", origin="file") as batch:
        batch.add_raw(Rows())  # type: ignore[arg-type]
    assert store.point_count() == rows
    return during


def test_a_bulk_load_raises_the_page_cache_for_its_own_write(store: Store) -> None:
    # A connection kept small for a day-long process (the dashboard, `watch`) still loads
    # a big file with a bulk-sized cache, and is small again afterwards.
    from opsboard.storage.batch import _BULK_WINDOW
    from opsboard.storage.connection import BULK_CACHE_KIB, SERVICE_CACHE_KIB

    store.keep_open()
    during = _bulk_write(store, _BULK_WINDOW + 1)
    # The first window is read before the write begins; the rest are read raised.
    assert during == [SERVICE_CACHE_KIB, BULK_CACHE_KIB]
    assert store.cache_size() == SERVICE_CACHE_KIB


def test_a_small_bulk_load_keeps_a_day_long_page_cache(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file of a day's SKUs every few seconds: pages once cached stay the process's memory.
    from opsboard.storage.connection import SERVICE_CACHE_KIB

    store.keep_open()
    calls: list[int] = []
    monkeypatch.setattr(store, "set_cache_size", calls.append)
    assert _bulk_write(store, 20_000) == [SERVICE_CACHE_KIB]
    assert calls == []


def test_files_are_owner_only(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.write_points([point()])
        assert file_mode(db_path) == 0o600
        wal = db_path.with_name(db_path.name + "-wal")
        assert wal.exists()
        assert file_mode(wal) & 0o077 == 0


def test_group_access_mode(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    with Store.open(path, group_access=True):
        assert file_mode(path) == 0o660


def test_wal_and_busy_timeout(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert store.schema_version == SCHEMA_VERSION


def test_figures_of_a_span_stay_out_of_the_day_and_hour_catalogue(store: Store) -> None:
    # A 7-day and a 30-day figure from the same first day are two figures; a re-write of
    # the same one changes nothing.
    spans = [MetricPoint("s2", T0, grain, "spend", value) for grain, value in
             (("span:7", 10.0), ("span:30", 40.0), ("span:7", 10.0))]  # fmt: skip
    store.write_points(spans)
    assert store.point_count() == 2
    assert store.stores() == ["s2"]
    assert store.series_levels() == {}
    assert store.span_metrics() == {"s2": frozenset({"spend"})}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (MetricPoint("s1", T0, "hour", "visitors", 1.0), "unknown metric 'visitors'"),
        (MetricPoint("s1", T0, "week", "uv", 1.0), "grain must be hour or day"),
        (MetricPoint("s1", T0, "span:1", "uv", 1.0), "or span:N for N >= 2 days"),
        (MetricPoint("s1", T0, "span:07", "uv", 1.0), "or span:N for N >= 2 days"),
        (MetricPoint("s1", T0, "hour", "uv", 1.0, channel="tv"), "unknown channel 'tv'"),
        (MetricPoint("s1", T0, "hour", "uv", -1.0), "not a finite non-negative number"),
        (MetricPoint("s1", T0, "hour", "uv", float("nan")), "not a finite non-negative"),
        (MetricPoint("s1", T0 + timedelta(minutes=7), "hour", "uv", 1.0), "not the start"),
    ],
)
def test_a_bad_point_rolls_the_whole_batch_back(
    store: Store, bad: MetricPoint, message: str
) -> None:
    with pytest.raises(InvalidPoint, match=message):
        store.write_points([point(), point("gmv", 3.0), bad])
    assert store.point_count() == 0
    assert store.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    rejected = store.ingests()
    assert [r["status"] for r in rejected] == ["rejected"]
    assert message.split("'")[0] in rejected[0]["message"]
    # The series cache was reset with the rollback: a good write works afterwards.
    store.write_points([point()])
    assert store.point_count() == 1


def test_bookmarks_commit_only_with_their_points(store: Store) -> None:
    with store.batch(source="api", origin="page 1") as batch:
        batch.add_points([point()])
        batch.set_bookmark("since", "2026-06-18T02:00Z")
    assert store.bookmark("api", "since") == "2026-06-18T02:00Z"

    def bad_page() -> None:
        with store.batch(source="api", origin="page 2") as batch:
            batch.set_bookmark("since", "2026-06-18T03:00Z")
            batch.add_points([point("nope")])

    with pytest.raises(InvalidPoint):
        bad_page()
    assert store.bookmark("api", "since") == "2026-06-18T02:00Z"


def test_ingest_history_records_counts_and_period(store: Store) -> None:
    with store.batch(source="csv", origin="a.csv", format="sycm", store="s1") as batch:
        batch.add_points([point(), MetricPoint("s1", T0 + timedelta(hours=5), "hour", "uv", 1)])
    (row,) = store.ingests()
    assert (row["status"], row["points"], row["format"]) == ("loaded", 2, "sycm")
    assert row["period_start"] == int(T0.timestamp())
    assert row["period_end"] == int(T0.timestamp()) + 5 * 3600


def test_a_term_is_a_scope_of_its_own_and_older_series_keep_their_ids(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    for statements in MIGRATIONS[:3]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute(
        "INSERT INTO series (id, store, grain, metric, channel, campaign, sku, level) "
        "VALUES (7, 's1', 'day', 'spend', 'paid_search', 'c1', '', 3)"
    )
    conn.commit()
    conn.close()
    with Store.open(db_path) as store:
        assert store.conn.execute("SELECT id, term, level FROM series").fetchall() == [(7, "", 3)]
        ts = int(T0.timestamp()) // 86400 * 86400
        with store.batch(source="t", origin="t") as batch:
            batch.add_raw([("s1", "day", ts, "paid_search", "c1", "", "spend", 5.0)])
            row = FinePoint("s1", "day", ts, "paid_search", "c1", "", "spend", 2.0, term="shoes")
            assert batch.add_fine([row, row._replace(term="boots", value=1.0)]) == 2
            with pytest.raises(InvalidPoint, match="names no campaign"):
                batch.add_fine([FinePoint("s1", "day", ts, "", "", "", "spend", 1.0, term="x")])
        levels = store.conn.execute("SELECT term, level FROM series ORDER BY id").fetchall()
        assert levels == [("", 3), ("shoes", 11), ("boots", 11)]
        assert store.point_count() == 3


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this opsboard knows"):
        Store.open(db_path)


def test_read_only_file_is_a_clear_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(db_path).close()
    # Root may write anything, so the permission answer is simulated.
    monkeypatch.setattr("opsboard.storage.store.os.access", lambda *_args: False)
    with pytest.raises(StoreError, match="read-only for this user"):
        Store.open(db_path)


def test_not_a_database_is_a_clear_error_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite " * 100)
    path.chmod(0o644)
    with pytest.raises(StoreError, match="not an opsboard database"):
        Store.open(path)
    with pytest.raises(StoreError, match="not an opsboard database"):
        Store.open(path, readonly=True)
    assert file_mode(path) == 0o644
    assert path.read_text() == "this is not sqlite " * 100
    assert not path.with_name("notes.db-wal").exists()


def test_a_folder_named_as_the_database_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(StoreError, match="is a folder, not a database file") as info:
        Store.open(folder)
    assert "opsboard.db" in (info.value.hint or "")
    assert file_mode(folder) == 0o755
    assert list(folder.iterdir()) == []


def test_collector_lock_is_exclusive_across_processes(db_path: Path) -> None:
    store = Store.open(db_path)
    store.acquire_collector_lock()
    assert store.is_collector
    assert store.collector_running()
    code = (
        "import sys\n"
        "from opsboard.storage import Store\n"
        "from opsboard.errors import CollectorLockedError\n"
        f"s = Store.open({str(db_path)!r})\n"
        "print(s.collector_running())\n"
        "try:\n"
        "    s.acquire_collector_lock()\n"
        "except CollectorLockedError as e:\n"
        "    print('refused:', e.message)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "True" in out.stdout
    assert "refused:" in out.stdout
    assert "already collecting" in out.stdout
    store.close()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "refused" not in out.stdout


def test_the_lock_file_is_owner_only(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert not store.collector_running()
        lock = db_path.with_name(db_path.name + ".collector.lock")
        assert file_mode(lock) & 0o077 == 0


def test_second_lock_in_same_process_is_refused(db_path: Path) -> None:
    first, second = Store.open(db_path), Store.open(db_path)
    first.acquire_collector_lock()
    with pytest.raises(CollectorLockedError):
        second.acquire_collector_lock()
    first.close()
    second.acquire_collector_lock()
    second.close()


def test_health_keeps_since_while_the_state_holds(store: Store) -> None:
    t1 = datetime(2026, 6, 18, 1, tzinfo=UTC)
    store.set_health(SourceHealth("api", HealthState.FAILING, t1, reason="HTTP 500"))
    store.set_health(
        SourceHealth("api", HealthState.FAILING, t1 + timedelta(minutes=5), reason="HTTP 502")
    )
    (health,) = store.health()
    assert health.since == t1
    assert health.reason == "HTTP 502"
    store.set_health(SourceHealth("api", HealthState.OK, t1 + timedelta(minutes=9), last_ok=t1))
    (health,) = store.health()
    assert health.state is HealthState.OK
    assert health.since == t1 + timedelta(minutes=9)


def test_readonly_open_sees_data_and_cannot_write(db_path: Path) -> None:
    with Store.open(db_path) as writer:
        writer.write_points([point()])
    with Store.open(db_path, readonly=True) as reader:
        assert reader.point_count() == 1
        with pytest.raises((StoreError, sqlite3.OperationalError)):
            reader.write_points([point(value=3)])


def test_a_locked_database_is_a_clear_error_and_writes_nothing(db_path: Path) -> None:
    Store.open(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-write, holding the lock
    try:
        store = Store.open(db_path, busy_timeout=timedelta(milliseconds=50))
        with pytest.raises(StoreError, match="cannot start a write") as info:
            store.write_points([point()])
        assert "busy_timeout" in (info.value.hint or "")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.point_count() == 0
    store.write_points([point()])
    assert store.point_count() == 1
    store.close()


def test_old_load_and_notification_records_are_pruned_but_file_loads_stay(
    store: Store,
) -> None:
    from opsboard.points import LoadedFile

    long_ago = (datetime.now(UTC) - timedelta(days=120)).isoformat(timespec="seconds")
    store.write_points([point()], source="api", origin="http://platform/v1")
    with store.batch(
        source="drops", origin="/drop/a.csv", file=LoadedFile("/drop/a.csv", 1, 2, 3, "ab")
    ) as batch:
        batch.add_points([point("pv")])
    store.record_failed_ingest(source="drops", origin="/drop/b.csv", format="", store="",
                               message="bad")  # fmt: skip
    store.conn.execute("UPDATE ingests SET started_at = ?, finished_at = ?", (long_ago, long_ago))
    store.conn.execute(
        "INSERT INTO notifications (at, notifier, status) VALUES (?, 'chat', 'sent'), "
        "(?, 'chat', 'sent')",
        (long_ago, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    removed = store.prune_history(datetime.now(UTC) - timedelta(days=90))
    assert removed == (2, 1)
    assert [row["origin"] for row in store.ingests()] == ["/drop/a.csv"]
    assert store.conn.execute("SELECT count(*) FROM notifications").fetchone()[0] == 1
    assert len(values(store)) == 2  # the points themselves stay


def test_a_quiet_batch_that_changes_nothing_leaves_no_trace(store: Store) -> None:
    with store.batch(source="api", origin="poll", quiet=True) as first:
        first.add_points([point(value=5.0)])
    assert not first.unchanged
    mark = store.conn.total_changes
    with store.batch(source="api", origin="poll", quiet=True) as again:
        again.add_points([point(value=5.0)])
    assert again.unchanged
    # Only its own ingest row was made, and rolled back with the transaction.
    assert store.conn.total_changes == mark + 1
    assert store.conn.execute("SELECT max(revision) FROM points").fetchone()[0] == 0
    assert len(store.ingests()) == 1
    with store.batch(source="api", origin="poll", quiet=True) as moved:
        moved.add_points([point(value=6.0)])
    assert not moved.unchanged
    assert len(store.ingests()) == 2

"""The Store: one SQLite file in WAL mode, reached through sqlite-utils.

Points are kept as series (store, grain, metric, channel, campaign, sku) plus one row per
period start, upserted so that the newest value wins. Writes happen in ``IngestBatch``
transactions that also record the ingest history and move bookmarks, so that a bookmark
never passes data that was not committed.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import socket
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

import sqlite_utils
from filelock import FileLock, Timeout

from opsboard.errors import CollectorLockedError, StoreError
from opsboard.metrics import BASE_METRICS
from opsboard.models import CHANNELS, Grain, HealthState, MetricPoint, SourceHealth
from opsboard.storage.migrations import MIGRATIONS, SCHEMA_VERSION

#: A point in its raw form for the hot path:
#: (store, grain, ts epoch seconds, channel, campaign, sku, metric, value).
RawPoint = tuple[str, str, int, str, str, str, str, float]

_GRAINS = frozenset(g.value for g in Grain)
_CHANNELS = frozenset(("", *CHANNELS))
_METRICS = frozenset(BASE_METRICS)

_UPSERT = (
    "INSERT INTO points (series_id, ts, value, ingest_id) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, "
    "ingest_id = excluded.ingest_id, revision = revision + (value != excluded.value)"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def level_of(channel: str, campaign: str, sku: str) -> int:
    """The level of a scope as a bit mask: channel 1, campaign 2, sku 4 (0 = store total)."""
    return (1 if channel else 0) | (2 if campaign else 0) | (4 if sku else 0)


@runtime_checkable
class BulkPoints(Protocol):
    """Raw points that can also write themselves as rows of the points table.

    A bulk reader (the canonical CSV) validates each row itself, resolves series through
    ``IngestBatch.series_id`` and yields ``(series id, period start, value, ingest id)``,
    which spares the hot path a second pass over every point. Once ``series_values`` is
    exhausted, ``count`` is the number of rows it yielded and ``span`` the first and last
    period start among them.
    """

    count: int

    def __iter__(self) -> Iterator[RawPoint]: ...

    def series_values(self, batch: IngestBatch) -> Iterator[tuple[int, int, float, int]]: ...

    @property
    def span(self) -> tuple[int, int] | None: ...


class InvalidPoint(ValueError):
    """A point that breaks the data model; the batch holding it is rolled back."""


def _create_private(path: Path, group_access: bool) -> None:
    """Create ``path`` (and its folder) owner-only, or owner+group on team servers."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o770 if group_access else 0o700)
    mode = 0o660 if group_access else 0o600
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, mode)
        os.close(fd)
    os.chmod(path, mode)


class Store:
    """The opsboard database.

    Open it with ``Store.open(path)``; it applies pending migrations, turns on WAL and a busy
    timeout, and refuses a database written by a newer opsboard.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.path = path
        self._series: dict[tuple[str, str, str, str, str, str], int] = {}
        self._lock: FileLock | None = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        busy_timeout: timedelta = timedelta(seconds=10),
        group_access: bool = False,
        readonly: bool = False,
    ) -> Store:
        """Open (creating if needed) the database at ``path``; ``":memory:"`` for tests."""
        if str(path) == ":memory:":
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            store = cls(conn, None)
            store._migrate()
            return store
        path = Path(path).expanduser()
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(
                        f"{path}: no database here",
                        hint="start a collector (opsboard, opsboard watch) or run opsboard ingest",
                    )
            else:
                _create_private(path, group_access)
                if not os.access(path, os.W_OK):
                    raise StoreError(
                        f"{path}: the database file is read-only for this user",
                        hint="fix its permissions, or name another file with --db",
                    )
            uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=busy_timeout.total_seconds(),
                isolation_level=None,
                check_same_thread=False,
            )
            store = cls(conn, path)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout.total_seconds() * 1000)}")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA temp_store = MEMORY")
            store._migrate(readonly=readonly)
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists() and not readonly:
                    os.chmod(side, 0o660 if group_access else 0o600)
            return store
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: cannot open the database: {exc}",
                hint="check the path; if another program holds it locked, retry later",
            ) from None
        except PermissionError as exc:
            raise StoreError(
                f"{path}: permission denied ({exc.strerror})",
                hint="fix the file's permissions or name another file with --db",
            ) from None

    def _migrate(self, *, readonly: bool = False) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        where = self.path or ":memory:"
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{where}: the database has schema version {version}, newer than this "
                f"opsboard knows ({SCHEMA_VERSION})",
                hint="upgrade opsboard, or name another database with --db",
            )
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise StoreError(
                f"{where}: the database needs a schema upgrade and was opened read-only",
                hint="start the collector once to upgrade it",
            )
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Release the collector lock, if held, and close the connection."""
        self.release_collector_lock()
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{self.path}: cannot start a write: {exc}",
                hint="another process holds the database; retry, or raise storage.busy_timeout",
            ) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- the collector lock ----------------------------------------------------------------

    def acquire_collector_lock(self) -> None:
        """Become the one collector of this database, or raise ``CollectorLockedError``.

        The lock is an OS file lock beside the database, so it dies with its process.
        """
        if self.path is None or self._lock is not None:
            return
        lock_path = self.path.with_name(self.path.name + ".collector.lock")
        lock = FileLock(lock_path, timeout=0, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            holder = self.meta("collector") or "another process"
            raise CollectorLockedError(
                f"{self.path}: {holder} is already collecting for this database",
                hint="stop it first, or open the dashboard as a viewer beside it",
            ) from None
        self._lock = lock
        self.set_meta(
            "collector",
            f"pid {os.getpid()} on {socket.gethostname()} since {_now()}",
        )

    def release_collector_lock(self) -> None:
        """Give up the collector lock if this store holds it."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def is_collector(self) -> bool:
        """True when this process holds the collector lock."""
        return self._lock is not None

    def collector_running(self) -> bool:
        """True when some process (this one or another) holds the collector lock."""
        if self._lock is not None:
            return True
        if self.path is None:
            return False
        probe = FileLock(
            self.path.with_name(self.path.name + ".collector.lock"), timeout=0, mode=0o600
        )
        try:
            probe.acquire()
        except Timeout:
            return True
        probe.release()
        return False

    # -- meta and bookmarks ----------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A value from the ``meta`` table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the ``meta`` table."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def bookmark(self, source: str, key: str = "") -> str | None:
        """Where ``source`` stopped reading, as it last committed it."""
        row = self.conn.execute(
            "SELECT value FROM bookmarks WHERE source = ? AND key = ?", (source, key)
        ).fetchone()
        return None if row is None else str(row[0])

    def bookmarks(self, source: str) -> dict[str, str]:
        """Every bookmark of ``source``."""
        rows = self.conn.execute(
            "SELECT key, value FROM bookmarks WHERE source = ?", (source,)
        ).fetchall()
        return {str(k): str(v) for k, v in rows}

    # -- writing points --------------------------------------------------------------------

    def batch(self, *, source: str, origin: str, format: str = "", store: str = "") -> IngestBatch:
        """A write transaction for one ingest (one file, one API poll); see ``IngestBatch``."""
        return IngestBatch(self, source=source, origin=origin, format=format, store_name=store)

    def write_points(
        self, points: Iterable[MetricPoint], *, source: str = "api", origin: str = ""
    ) -> int:
        """Upsert ``points`` in one transaction; returns how many were written."""
        with self.batch(source=source, origin=origin) as batch:
            batch.add_points(points)
        return batch.points

    def _series_id(self, key: tuple[str, str, str, str, str, str]) -> int:
        """The id of a series, created on first use (inside the caller's transaction)."""
        store, grain, metric, channel, campaign, sku = key
        row = self.conn.execute(
            "SELECT id FROM series WHERE store = ? AND grain = ? AND metric = ? AND channel = ? "
            "AND campaign = ? AND sku = ?",
            key,
        ).fetchone()
        if row is None:
            if grain not in _GRAINS:
                raise InvalidPoint(f"grain must be hour or day, not {grain!r}")
            if metric not in _METRICS:
                raise InvalidPoint(
                    f"unknown metric {metric!r}; base metrics are: {', '.join(sorted(_METRICS))}"
                )
            if channel not in _CHANNELS:
                raise InvalidPoint(
                    f"unknown channel {channel!r}; channels are: {', '.join(CHANNELS)} or empty"
                )
            if not store:
                raise InvalidPoint("the store name is empty")
            cursor = self.conn.execute(
                "INSERT INTO series (store, grain, metric, channel, campaign, sku, level) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*key, level_of(channel, campaign, sku)),
            )
            series_id = int(cursor.lastrowid or 0)
        else:
            series_id = int(row[0])
        self._series[key] = series_id
        return series_id

    def record_failed_ingest(
        self, *, source: str, origin: str, format: str, store: str, message: str
    ) -> None:
        """Record a rejected ingest (outside the rolled-back transaction)."""
        now = _now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingests (source, origin, format, store, status, started_at, "
                "finished_at, message) VALUES (?, ?, ?, ?, 'rejected', ?, ?, ?)",
                (source, origin, format, store, now, now, message[:2000]),
            )

    # -- health ----------------------------------------------------------------------------

    def set_health(self, health: SourceHealth) -> None:
        """Record the latest health of a source; ``since`` is kept while the state holds."""
        now = _now()
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT state, since, last_ok FROM source_health WHERE source = ? AND store = ?",
                (health.source, health.store),
            ).fetchone()
            since = health.since.isoformat(timespec="seconds")
            last_ok = health.last_ok.isoformat(timespec="seconds") if health.last_ok else None
            if row is not None:
                if row[0] == health.state.value:
                    since = row[1]
                if last_ok is None:
                    last_ok = row[2]
            conn.execute(
                "INSERT INTO source_health (source, store, state, reason, since, last_ok, "
                "updated_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source, store) DO UPDATE SET state = excluded.state, "
                "reason = excluded.reason, since = excluded.since, last_ok = excluded.last_ok, "
                "updated_at = excluded.updated_at, detail = excluded.detail",
                (
                    health.source,
                    health.store,
                    health.state.value,
                    health.reason,
                    since,
                    last_ok,
                    now,
                    json.dumps(health.detail, default=str),
                ),
            )

    def health(self) -> list[SourceHealth]:
        """The latest health of every source, by source and store."""
        rows = self.conn.execute(
            "SELECT source, store, state, reason, since, last_ok, detail FROM source_health "
            "ORDER BY source, store"
        ).fetchall()
        return [
            SourceHealth(
                source=r[0],
                store=r[1],
                state=HealthState(r[2]),
                reason=r[3],
                since=datetime.fromisoformat(r[4]),
                last_ok=datetime.fromisoformat(r[5]) if r[5] else None,
                detail=json.loads(r[6] or "{}"),
            )
            for r in rows
        ]

    # -- reading ---------------------------------------------------------------------------

    def stores(self) -> list[str]:
        """The stores that have data."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT store FROM series ORDER BY 1")]

    def ingests(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent ingests, newest first."""
        return list(self.db.query("SELECT * FROM ingests ORDER BY id DESC LIMIT ?", [limit]))

    def point_count(self) -> int:
        """How many points the database holds."""
        return int(self.conn.execute("SELECT count(*) FROM points").fetchone()[0])


class IngestBatch:
    """One ingest as one transaction: points, bookmarks and the ingest record together.

    Use as a context manager. On a clean exit the points, bookmarks and an ``ingests`` row
    commit together; on an exception everything rolls back and a ``failed`` ingest row is
    recorded with the reason.
    """

    def __init__(
        self, store: Store, *, source: str, origin: str, format: str, store_name: str = ""
    ) -> None:
        self.store = store
        self.source = source
        self.origin = origin
        self.format = format
        self.store_name = store_name
        self.rows = 0
        self.points = 0
        self.period_start: int | None = None
        self.period_end: int | None = None
        self.ingest_id = 0
        self._started = _now()
        self._bookmarks: dict[str, str] = {}
        self._transaction = store.transaction()

    def __enter__(self) -> IngestBatch:
        self._transaction.__enter__()
        cursor = self.store.conn.execute(
            "INSERT INTO ingests (source, origin, format, store, status, started_at) "
            "VALUES (?, ?, ?, ?, 'loading', ?)",
            (self.source, self.origin, self.format, self.store_name, self._started),
        )
        self.ingest_id = int(cursor.lastrowid or 0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            conn = self.store.conn
            for key, value in self._bookmarks.items():
                conn.execute(
                    "INSERT INTO bookmarks (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    (self.source, key, value, _now()),
                )
            conn.execute(
                "UPDATE ingests SET status = 'loaded', finished_at = ?, rows = ?, points = ?, "
                "period_start = ?, period_end = ? WHERE id = ?",
                (
                    _now(),
                    self.rows,
                    self.points,
                    self.period_start,
                    self.period_end,
                    self.ingest_id,
                ),
            )
            self._transaction.__exit__(None, None, None)
            return
        self._transaction.__exit__(exc_type, exc, tb)
        # The series cache may name series created inside the rolled-back transaction.
        self.store._series.clear()
        if issubclass(exc_type, Exception):
            self.store.record_failed_ingest(
                source=self.source,
                origin=self.origin,
                format=self.format,
                store=self.store_name,
                message=str(exc),
            )

    def set_bookmark(self, key: str, value: str) -> None:
        """Move a bookmark, committed with the points of this batch and only with them."""
        self._bookmarks[key] = value

    def add_points(self, points: Iterable[MetricPoint]) -> int:
        """Upsert ``MetricPoint`` values; see ``add_raw``."""
        return self.add_raw(
            (
                p.store,
                p.grain,
                int(p.ts.timestamp()),
                p.channel,
                p.campaign,
                p.sku,
                p.metric,
                p.value,
            )
            for p in points
        )

    def series_id(self, key: tuple[str, str, str, str, str, str]) -> int:
        """The id of series (store, grain, metric, channel, campaign, sku), created on first
        use inside this batch; ``InvalidPoint`` when the key breaks the data model."""
        found = self.store._series.get(key)
        return found if found is not None else self.store._series_id(key)

    def add_raw(self, rows: Iterable[RawPoint]) -> int:
        """Upsert raw points (the hot path); returns how many were written.

        Raises ``InvalidPoint`` (and the whole batch rolls back) on a point that breaks the
        data model: unknown metric, grain or channel, a value that is not a finite
        non-negative number, or a timestamp not at the start of its period.
        ``BulkPoints`` write their own validated rows.
        """
        if isinstance(rows, BulkPoints):
            return self._add_bulk(rows)
        store = self.store
        cache = store._series
        series_id = store._series_id
        ingest_id = self.ingest_id
        low = self.period_start if self.period_start is not None else 1 << 62
        high = self.period_end if self.period_end is not None else -(1 << 62)
        count = 0
        isfinite = math.isfinite

        def convert() -> Iterator[tuple[int, int, float, int]]:
            nonlocal low, high, count
            for store_name, grain, ts, channel, campaign, sku, metric, value in rows:
                key = (store_name, grain, metric, channel, campaign, sku)
                sid = cache.get(key)
                if sid is None:
                    sid = series_id(key)
                if not (value >= 0 and isfinite(value)):
                    raise InvalidPoint(
                        f"{metric} for {store_name} at {ts}: value {value!r} is not a "
                        "finite non-negative number"
                    )
                if ts % 900:
                    raise InvalidPoint(
                        f"{metric} for {store_name}: period start {ts} is not the start "
                        "of an hour or a day"
                    )
                if ts < low:
                    low = ts
                if ts > high:
                    high = ts
                count += 1
                yield sid, ts, value, ingest_id

        store.conn.executemany(_UPSERT, convert())
        self.points += count
        self.rows += count
        if count:
            self.period_start, self.period_end = low, high
        return count

    def _add_bulk(self, rows: BulkPoints) -> int:
        # Reading and writing in slices keeps each phase's working set hot in the CPU caches.
        values = rows.series_values(self)
        write = self.store.conn.executemany
        while chunk := list(itertools.islice(values, 4096)):
            write(_UPSERT, chunk)
        count = rows.count
        self.points += count
        self.rows += count
        if count and rows.span is not None:
            low, high = rows.span
            if self.period_start is not None and self.period_end is not None:
                low, high = min(low, self.period_start), max(high, self.period_end)
            self.period_start, self.period_end = low, high
        return count


def file_mode(path: Path) -> int:
    """The permission bits of ``path`` (used by tests and `config check`)."""
    return stat.S_IMODE(path.stat().st_mode)

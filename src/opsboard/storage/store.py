"""The Store: one SQLite file in WAL mode, reached through sqlite-utils.

Points are kept as series (store, grain, metric, channel, campaign, sku) plus one row per
period start, upserted so that the newest value wins. Writes happen in ``IngestBatch``
transactions that also record the ingest history and move bookmarks, so that a bookmark
never passes data that was not committed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from filelock import FileLock, Timeout

from opsboard.errors import CollectorLockedError, StoreError
from opsboard.metrics import BASE_METRICS
from opsboard.models import (
    CHANNELS,
    Grain,
    HealthState,
    MetricPoint,
    SourceHealth,
    store_name_problem,
)
from opsboard.storage import files
from opsboard.storage.alerts import AlertTables

# Re-exported: adapters and tests import these from here.
from opsboard.storage.batch import AbandonBatch as AbandonBatch
from opsboard.storage.batch import BulkPoints as BulkPoints
from opsboard.storage.batch import CheckedPoints as CheckedPoints
from opsboard.storage.batch import IngestBatch as IngestBatch
from opsboard.storage.batch import InvalidPoint as InvalidPoint
from opsboard.storage.batch import RawPoint as RawPoint
from opsboard.storage.batch import now_iso
from opsboard.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from opsboard.storage.outbox import Outbox
from opsboard.storage.silences import Silences

_GRAINS = frozenset(g.value for g in Grain)
_CHANNELS = frozenset(("", *CHANNELS))
_METRICS = frozenset(BASE_METRICS)


def level_of(channel: str, campaign: str, sku: str) -> int:
    """The level of a scope as a bit mask: channel 1, campaign 2, sku 4 (0 = store total)."""
    return (1 if channel else 0) | (2 if campaign else 0) | (4 if sku else 0)


class Store:
    """The opsboard database.

    Open it with ``Store.open(path)``; it applies pending migrations, turns on WAL and a busy
    timeout, and refuses a database written by a newer opsboard.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, group_access: bool = False
    ) -> None:
        self.conn = conn
        self.group_access = group_access
        self.db = sqlite_utils.Database(conn)
        self.path = path
        self._series: dict[tuple[str, str, str, str, str, str], int] = {}
        self._lock: FileLock | None = None
        self._levels: dict[str, dict[tuple[str, int, bool], int]] = {}
        self._levels_at: int | None = -1
        self.alerts = AlertTables(self)
        self.outbox = Outbox(self)
        self.silences = Silences(self)

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
        exists = files.check_database_path(path)
        if readonly and not exists:
            raise StoreError(
                f"{path}: no database here",
                hint="start a collector (opsboard, opsboard watch) or run opsboard ingest",
            )
        try:
            if not readonly:
                cls._prepare(path, exists=exists, group_access=group_access)
            uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
            if readonly and not files.folder_writable(path) and not files.has_wal(path):
                # No -shm can be made beside it, and with no -wal every committed page is
                # in the file itself: read it as it is (read-only opens are the one-shot
                # commands, query and review; the dashboard opens read-write).
                uri += "&immutable=1"
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=busy_timeout.total_seconds(),
                isolation_level=None,
                check_same_thread=False,
            )
            store = cls(conn, path, group_access=group_access)
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout.total_seconds() * 1000)}")
                if not readonly:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA cache_size = -65536")
                conn.execute("PRAGMA temp_store = MEMORY")
                store._migrate(readonly=readonly)
            except BaseException:
                conn.close()
                raise
            if not readonly:
                for suffix in ("-wal", "-shm"):
                    files.narrow(path.with_name(path.name + suffix), group_access)
            return store
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc, readonly=readonly) from None
        except PermissionError as exc:
            raise StoreError(
                f"{path}: permission denied ({exc.strerror})",
                hint="fix the file's permissions (or its group, in group mode), or name "
                "another file with --db",
            ) from None

    @staticmethod
    def _prepare(path: Path, *, exists: bool, group_access: bool) -> None:
        """Create the file (and its folder) private, or check an existing one can be written."""
        if not exists:
            files.create_folder(path.parent, group_access)
            files.create_file(path, group_access)
        else:
            files.narrow(path, group_access)
        if not os.access(path, os.W_OK):
            raise StoreError(
                f"{path}: the database file is read-only for this user",
                hint="fix its permissions (or its group, in group mode), or name another "
                "file with --db; opsboard query and review can still read it",
            )
        sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        if not files.folder_writable(path) and not all(side.exists() for side in sides):
            raise StoreError(
                f"{path.parent}: the folder is not writable for this user, so the database "
                "cannot be written",
                hint=files.writable_folder_hint(path),
            )

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
        lock_path = self._lock_path()
        lock = FileLock(lock_path, timeout=0, mode=files.file_mode(self.group_access))
        try:
            lock.acquire()
        except Timeout:
            holder = self.meta("collector") or "another process"
            raise CollectorLockedError(
                f"{self.path}: {holder} is already collecting for this database",
                hint="stop it first, or open the dashboard as a viewer beside it",
            ) from None
        except OSError as exc:
            raise StoreError(
                f"{lock_path}: cannot create or open the collector lock file "
                f"({exc.strerror or exc})",
                hint=files.writable_folder_hint(self.path, lock=True),
            ) from None
        self._lock = lock
        # Who collects is only shown to the next one refused; a database busy with another
        # process's ingest must not stop the collector from starting.
        with contextlib.suppress(StoreError, sqlite3.Error):
            self.set_meta(
                "collector",
                f"pid {os.getpid()} on {socket.gethostname()} since {now_iso()}",
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
        lock_path = self._lock_path()
        probe = FileLock(lock_path, timeout=0, mode=files.file_mode(self.group_access))
        try:
            probe.acquire()
        except Timeout:
            return True
        except OSError:
            # No lock file can be made here (a read-only folder): none runs unless one
            # exists that this user may not open, which another user's collector holds.
            return lock_path.exists()
        probe.release()
        return False

    def _lock_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".collector.lock")

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
            problem = store_name_problem(store)
            if problem is not None:
                raise InvalidPoint(problem)
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
        now = now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingests (source, origin, format, store, status, started_at, "
                "finished_at, message) VALUES (?, ?, ?, ?, 'rejected', ?, ?, ?)",
                (source, origin, format, store, now, now, message[:2000]),
            )

    # -- health ----------------------------------------------------------------------------

    def set_health(self, health: SourceHealth) -> None:
        """Record the latest health of a source; ``since`` is kept while the state holds."""
        now = now_iso()
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
        return sorted(self.series_levels())

    def series_levels(self) -> dict[str, dict[tuple[str, int, bool], int]]:
        """How many series each store has per (metric, level, hourly).

        Read once and again only when series were added (series are never deleted, and
        their ids only grow), so that each query need not walk thousands of SKU series to
        learn which levels and grains the data has.
        """
        newest = self.conn.execute("SELECT max(id) FROM series").fetchone()[0]
        if newest == self._levels_at and not self.conn.in_transaction:
            return self._levels
        levels: dict[str, dict[tuple[str, int, bool], int]] = {}
        for store, metric, level, grain, count in self.conn.execute(
            "SELECT store, metric, level, grain, count(*) FROM series WHERE id <= ? "
            "GROUP BY 1, 2, 3, 4",
            (newest or 0,),
        ):
            levels.setdefault(store, {})[(metric, level, grain == "hour")] = count
        if not self.conn.in_transaction:
            # Series a transaction still open may roll back are never remembered.
            self._levels, self._levels_at = levels, newest
        return levels

    def ingests(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent ingests, newest first."""
        return list(self.db.query("SELECT * FROM ingests ORDER BY id DESC LIMIT ?", [limit]))

    def point_count(self) -> int:
        """How many points the database holds."""
        return int(self.conn.execute("SELECT count(*) FROM points").fetchone()[0])


def _open_error(path: Path, exc: sqlite3.DatabaseError, *, readonly: bool) -> StoreError:
    """What a failed open means for the operator."""
    text = str(exc)
    if "readonly" in text or "unable to open" in text:
        if not files.folder_writable(path):
            return StoreError(
                f"{path.parent}: the folder is not writable for this user, so the database "
                f"cannot be {'read' if readonly else 'written'} ({text})",
                hint=files.writable_folder_hint(path),
            )
        if "readonly" in text:
            return StoreError(
                f"{path}: the database is read-only for this user ({text})",
                hint="fix its permissions (or its group, in group mode), or name another "
                "file with --db",
            )
    if "locked" in text or "busy" in text:
        return StoreError(
            f"{path}: the database stayed locked by another process ({text})",
            hint="retry later, or raise [storage] busy_timeout",
        )
    return StoreError(f"{path}: cannot open the database: {text}", hint="check the path")


def file_mode(path: Path) -> int:
    """The permission bits of ``path`` (used by tests and `config check`)."""
    return stat.S_IMODE(path.stat().st_mode)

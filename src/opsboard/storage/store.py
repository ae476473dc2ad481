"""The Store: one SQLite file in WAL mode, reached through sqlite-utils.

Points are kept as series (store, grain, metric, channel, campaign, sku) plus one row per
period start, upserted so that the newest value wins. Writes happen in ``IngestBatch``
transactions that also record the ingest history and move bookmarks, so that a bookmark
never passes data that was not committed.

Here is the opening (files, pragmas, migrations); each table or concern has its own module:
``series`` (the series registry), ``points`` (reading points and series), ``ingests`` (the
ingest history), ``health`` (source health), ``meta`` (meta values and bookmarks), ``lock``
(the collector lock), ``batch`` (one ingest's write transaction), ``names`` (what the
platforms call campaigns and products).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from opsboard.errors import StoreError
from opsboard.models import MetricPoint, SourceHealth
from opsboard.points import LoadedPeriod
from opsboard.storage import files, meta
from opsboard.storage import health as health_table
from opsboard.storage import ingests as ingest_history
from opsboard.storage import lock as collector_lock
from opsboard.storage import names as name_table
from opsboard.storage.alerts import AlertTables
from opsboard.storage.batch import IngestBatch as IngestBatch
from opsboard.storage.connection import Database
from opsboard.storage.lock import CollectorInfo, CollectorLock, ViewerMark
from opsboard.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from opsboard.storage.outbox import Outbox
from opsboard.storage.series import Catalogue, SeriesRegistry
from opsboard.storage.silences import Silences


class Store(Database):
    """The opsboard database.

    Open it with ``Store.open(path)``; it applies pending migrations, turns on WAL and a busy
    timeout, and refuses a database written by a newer opsboard.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, group_access: bool = False
    ) -> None:
        super().__init__(conn, path, group_access=group_access)
        #: The ids of the series met so far, and the catalogue of their levels.
        self.series = SeriesRegistry(conn)
        self.collector_lock = CollectorLock(self)
        #: Held while this connection's process views the database (see ``ViewerMark``).
        self.viewer_mark = ViewerMark(self)
        self._counted: tuple[int, int] | None = None
        #: The alert tables: alerts and acknowledgements, silences, the notifiers' outbox.
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
            store._counted = files.opened(path)
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
        """Release the collector lock and the viewer mark, if held, and close the connection."""
        self.release_collector_lock()
        self.viewer_mark.release()
        self.conn.close()
        files.closed(self._counted)
        self._counted = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- the collector lock (see ``opsboard.storage.lock``) -------------------------------

    def acquire_collector_lock(self) -> None:
        """Become the one collector of this database, or raise ``CollectorLockedError``.

        The lock is an OS file lock beside the database, so it dies with its process.
        """
        self.collector_lock.acquire()

    def release_collector_lock(self) -> None:
        """Give up the collector lock if this store holds it."""
        self.collector_lock.release()

    @property
    def is_collector(self) -> bool:
        """True when this process holds the collector lock."""
        return self.collector_lock.held

    def collector_running(self) -> bool:
        """True when some process (this one or another) holds the collector lock."""
        return self.collector_lock.running()

    def collector_info(self) -> CollectorInfo | None:
        """Who wrote that it collects for this database (it may have stopped since)."""
        return collector_lock.collector_info(self)

    def record_poll(self, at: datetime) -> None:
        """Write when the collector last finished polling its sources."""
        collector_lock.record_poll(self, at)

    def last_poll(self) -> datetime | None:
        """When the collector last finished polling its sources (None: never recorded)."""
        return collector_lock.last_poll(self)

    # -- meta and bookmarks (see ``opsboard.storage.meta``) -------------------------------

    def meta(self, key: str) -> str | None:
        """A value from the ``meta`` table."""
        return meta.value(self, key)

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the ``meta`` table."""
        meta.set_value(self, key, value)

    def bookmark(self, source: str, key: str = "") -> str | None:
        """Where ``source`` stopped reading, as it last committed it."""
        return meta.bookmark(self, source, key)

    def bookmarks(self, source: str) -> dict[str, str]:
        """Every bookmark of ``source``."""
        return meta.bookmarks(self, source)

    # -- writing points --------------------------------------------------------------------

    def batch(self, *, source: str, origin: str, format: str = "", store: str = "") -> IngestBatch:
        """A write transaction for one ingest (one file, one API poll); see ``IngestBatch``."""
        return IngestBatch(
            self, self.series, source=source, origin=origin, format=format, store_name=store
        )

    def write_points(
        self, points: Iterable[MetricPoint], *, source: str = "api", origin: str = ""
    ) -> int:
        """Upsert ``points`` in one transaction; returns how many were written."""
        with self.batch(source=source, origin=origin) as batch:
            batch.add_points(points)
        return batch.points

    def record_failed_ingest(
        self, *, source: str, origin: str, format: str, store: str, message: str
    ) -> None:
        """Record a rejected ingest (outside the rolled-back transaction)."""
        ingest_history.record_failed(
            self, source=source, origin=origin, format=format, store_name=store, message=message
        )

    # -- health (see ``opsboard.storage.health``) -----------------------------------------

    def set_health(self, health: SourceHealth) -> None:
        """Record the latest health of a source; ``since`` is kept while the state holds."""
        health_table.record(self, health)

    def health(self) -> list[SourceHealth]:
        """The latest health of every source, by source and store."""
        return health_table.latest(self)

    # -- reading ---------------------------------------------------------------------------

    def stores(self) -> list[str]:
        """The stores that have data."""
        return sorted({*self.series_levels(), *self.series.span_metrics()})

    def series_levels(self) -> Catalogue:
        """How many series each store has per (metric, level, hourly); see
        ``SeriesRegistry.levels``."""
        return self.series.levels()

    def span_metrics(self) -> dict[str, frozenset[str]]:
        """Per store, the metrics it has figures of a span for; see
        ``SeriesRegistry.span_metrics``."""
        return self.series.span_metrics()

    def ingests(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent ingests, newest first."""
        return ingest_history.recent(self, limit)

    def ingest_history(
        self, *, after: int = 0, exclude: Iterable[str] = (), limit: int = 200
    ) -> list[ingest_history.IngestRecord]:
        """The newest loads after id ``after``, newest first, without the sources in
        ``exclude``; see ``opsboard.storage.ingests.history``."""
        return ingest_history.history(self, after=after, exclude=list(exclude), limit=limit)

    def last_loaded(self) -> dict[str, str]:
        """When each source last committed a load (ISO text)."""
        return ingest_history.last_loaded(self)

    def newest_ingest(self) -> int:
        """The id of the newest load (0 before the first)."""
        return ingest_history.newest_id(self) or 0

    def loaded_format(
        self, store_name: str, formats: list[str], first: int, last: int
    ) -> LoadedPeriod | None:
        """One of the file ``formats`` loaded for ``store_name`` with periods meeting
        [first, last] (period starts), with its loaded span; None when none is."""
        return ingest_history.loaded_format(self, store_name, formats, first, last)

    def names_of(
        self, stores: str | Iterable[str], kind: str, keys: Iterable[str]
    ) -> dict[tuple[str, str], str]:
        """The platform's names of ``keys`` of ``kind`` (``campaign``, ``sku``) in
        ``stores``, as ``{(store, key): name}``; see ``opsboard.storage.names``."""
        return name_table.names_of(self, stores, kind, keys)

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

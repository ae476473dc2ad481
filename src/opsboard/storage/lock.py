"""The collector lock: one process collects for a database, the others only read it.

The lock is an OS file lock beside the database, so it dies with its process; who holds
it is written to the ``meta`` table, only to be shown to the next process refused.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from pathlib import Path

from filelock import FileLock, Timeout

from opsboard.errors import CollectorLockedError, StoreError
from opsboard.storage import files, meta
from opsboard.storage.connection import Database, now_iso


class CollectorLock:
    """The collector lock of one open store (none for an in-memory database)."""

    def __init__(self, store: Database) -> None:
        self.store = store
        self._lock: FileLock | None = None

    @property
    def held(self) -> bool:
        """True when this process holds the lock."""
        return self._lock is not None

    def acquire(self) -> None:
        """Become the one collector of this database, or raise ``CollectorLockedError``."""
        path = self.store.path
        if path is None or self._lock is not None:
            return
        lock_path = self._path(path)
        lock = FileLock(lock_path, timeout=0, mode=files.file_mode(self.store.group_access))
        try:
            lock.acquire()
        except Timeout:
            holder = meta.value(self.store, "collector") or "another process"
            raise CollectorLockedError(
                f"{path}: {holder} is already collecting for this database",
                hint="stop it first, or open the dashboard as a viewer beside it",
            ) from None
        except OSError as exc:
            raise StoreError(
                f"{lock_path}: cannot create or open the collector lock file "
                f"({exc.strerror or exc})",
                hint=files.writable_folder_hint(path, lock=True),
            ) from None
        self._lock = lock
        # Who collects is only shown to the next one refused; a database busy with another
        # process's ingest must not stop the collector from starting.
        with contextlib.suppress(StoreError, sqlite3.Error):
            meta.set_value(
                self.store,
                "collector",
                f"pid {os.getpid()} on {socket.gethostname()} since {now_iso()}",
            )

    def release(self) -> None:
        """Give up the lock if this process holds it."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def running(self) -> bool:
        """True when some process (this one or another) holds the lock."""
        if self._lock is not None:
            return True
        path = self.store.path
        if path is None:
            return False
        lock_path = self._path(path)
        probe = FileLock(lock_path, timeout=0, mode=files.file_mode(self.store.group_access))
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

    @staticmethod
    def _path(path: Path) -> Path:
        return path.with_name(path.name + ".collector.lock")

"""The collector lock: one process collects for a database, the others only read it.

The lock is an OS file lock beside the database, so it dies with its process; who holds
it (``CollectorInfo``) and when it last polled are written to the ``meta`` table, for the
viewers' status bars and for the next process refused. Viewers hold a shared lock on a
second file (``ViewerMark``), so that a collector can tell whether anyone would be left
without one when it stops.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from opsboard.errors import CollectorLockedError, StoreError
from opsboard.storage import files, meta
from opsboard.storage.connection import Database, now_iso

try:  # shared locks need POSIX ``flock``; elsewhere viewers go uncounted
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The ``meta`` keys: who holds the collector lock, and when it last finished a poll.
COLLECTOR_KEY = "collector"
POLLED_KEY = "collector_polled"


@dataclass(frozen=True, slots=True)
class CollectorInfo:
    """Who holds (or last held) the collector lock, as that process wrote it."""

    pid: int | None
    host: str
    user: str
    since: str
    text: str = ""
    """The stored text when it is not in this shape (written by an older opsboard)."""

    @classmethod
    def here(cls) -> CollectorInfo:
        """This process."""
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = ""
        return cls(os.getpid(), socket.gethostname(), user, now_iso())

    @classmethod
    def parse(cls, stored: str) -> CollectorInfo:
        """The info as stored in ``meta`` (old plain text is kept as it is)."""
        try:
            data = json.loads(stored)
            return cls(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
        except (ValueError, KeyError, TypeError):
            return cls(None, "", "", "", text=stored)

    def dumps(self) -> str:
        """The text stored in ``meta``."""
        return json.dumps({"pid": self.pid, "host": self.host, "user": self.user,
                           "since": self.since})  # fmt: skip

    @property
    def label(self) -> str:
        """``pid 812 alice@ops-server``, for a status bar or a refusal."""
        if self.pid is None:
            return self.text or "another process"
        who = f"{self.user}@{self.host}" if self.user else self.host
        return f"pid {self.pid} {who}"


def collector_info(store: Database) -> CollectorInfo | None:
    """Who wrote that it collects for this database (it may have stopped since)."""
    stored = meta.value(store, COLLECTOR_KEY)
    return None if stored is None else CollectorInfo.parse(stored)


def record_poll(store: Database, at: datetime) -> None:
    """Write when the collector last finished polling its sources."""
    meta.set_value(store, POLLED_KEY, at.isoformat(timespec="seconds"))


def last_poll(store: Database) -> datetime | None:
    """When the collector last finished polling, or None if never recorded."""
    stored = meta.value(store, POLLED_KEY)
    try:
        return datetime.fromisoformat(stored) if stored else None
    except ValueError:
        return None


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
            info = collector_info(self.store)
            holder = info.label if info is not None else "another process"
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
            meta.set_value(self.store, COLLECTOR_KEY, CollectorInfo.here().dumps())

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


class ViewerMark:
    """A shared lock that a viewing dashboard holds on ``<database>.viewers.lock``.

    Any number of viewers hold it at once; a collector that can take it exclusively knows
    that no viewer is attached. Like the collector lock it dies with its process. Where it
    cannot be made (a read-only folder, no ``flock``), the viewer simply goes uncounted.
    """

    def __init__(self, store: Database) -> None:
        self.store = store
        self._fd: int | None = None

    def _path(self) -> Path | None:
        path = self.store.path
        return None if path is None else path.with_name(path.name + ".viewers.lock")

    def _open(self) -> int | None:
        path = self._path()
        if path is None or fcntl is None:
            return None
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, files.file_mode(self.store.group_access))
        except OSError:
            return None
        return fd

    def hold(self) -> None:
        """Count this process as a viewer (until ``release``)."""
        if self._fd is not None:
            return
        fd = self._open()
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # a collector is probing this instant: counted next time
            return
        self._fd = fd

    def release(self) -> None:
        """Stop counting this process as a viewer."""
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def others_attached(self) -> bool:
        """True when some viewer other than this process holds the mark."""
        held = self._fd is not None
        self.release()
        try:
            fd = self._open()
            if fd is None:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            finally:
                os.close(fd)
            return False
        finally:
            if held:
                self.hold()

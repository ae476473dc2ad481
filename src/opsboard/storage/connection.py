"""An open database connection and its write transactions: what every table module uses.

``Store`` (``opsboard.storage.store``) is a ``Database`` that also knows how to open,
migrate and lock the file; the table modules need only this, so they sit below it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from opsboard.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

#: The page cache of a connection that stays open for days (the headless collector, the
#: dashboard's reader and collector), in KiB: the OS caches the file too, a read of every
#: SKU's hour touches more pages than any cache holds, and memory is what such a process
#: is judged by (``Database.keep_open``). A big bulk load raises it for its own write
#: (``BULK_CACHE_KIB``).
SERVICE_CACHE_KIB = 2048
#: The page cache of a bulk write of a window of rows or more, for its own time, in KiB: a
#: million points go in without spilling pages.
BULK_CACHE_KIB = 65536


class Database:
    """One SQLite connection (autocommit; writes in ``transaction``) and where its file is."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, group_access: bool = False
    ) -> None:
        self.conn = conn
        self.group_access = group_access
        self.path = path

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The connection as sqlite-utils sees it (rows as dicts), made when first asked:
        a command that never lists rows this way does not import it."""
        import sqlite_utils

        # No sqlite-utils plugins: nothing installed beside opsboard runs on its connection
        # (and looking for them costs every command a scan of the installed packages).
        return sqlite_utils.Database(self.conn, execute_plugins=False)

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
            # SQLite ends the transaction itself on some errors (a full disk): a ROLLBACK
            # then would fail and hide the error that matters.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def set_cache_size(self, kib: int) -> None:
        """Let this connection's page cache grow to ``kib`` KiB (the OS caches the file too)."""
        self.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    def keep_open(self) -> None:
        """Make this a connection that stays open for days: a page cache of
        ``SERVICE_CACHE_KIB``."""
        self.set_cache_size(SERVICE_CACHE_KIB)

    def cache_size(self) -> int:
        """This connection's page cache limit in KiB."""
        value = int(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        # A positive value counts pages, a negative one KiB.
        if value >= 0:
            value = -value * int(self.conn.execute("PRAGMA page_size").fetchone()[0]) // 1024
        return -value


def now_iso() -> str:
    """The current instant as the store records it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")

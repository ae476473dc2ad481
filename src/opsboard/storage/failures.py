"""Failures of the database itself, named so that code outside storage can catch them
without importing the database engine."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from opsboard.errors import StoreError

#: Any failure of the database itself (a write that met a lock past the busy timeout, a
#: corrupt page, a full disk).
DatabaseError = sqlite3.Error
#: A statement the database could not run now: busy past its timeout, a read-only file.
DatabaseBusy = sqlite3.OperationalError


def is_damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file is damaged (corrupt pages, not a database)."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text


def is_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the database's size limit) is full."""
    name = getattr(exc, "sqlite_errorname", "")
    return name == "SQLITE_FULL" or "disk is full" in str(exc)


def explain(exc: sqlite3.Error, path: Path | None) -> StoreError:
    """A failure of the database in the operator's words, with what to do about it: a
    damaged file, a full disk, an I/O error, a lock held too long."""
    where = str(path) if path is not None else "the database"
    if is_damaged(exc):
        backup = f"{path}.recovered.db" if path is not None else "recovered.db"
        return StoreError(
            f"{where}: the database file is damaged ({exc}); nothing more can be read or "
            "written safely",
            hint=f"stop every opsboard on it, then recover what is left: sqlite3 {where} "
            f"'.recover' | sqlite3 {backup}, and point --db at {backup} (or restore a backup)",
        )
    folder = path.parent if path is not None else Path.cwd()
    free = _free_bytes(folder)
    if is_full(exc) or (getattr(exc, "sqlite_errorname", "").startswith("SQLITE_IOERR")
                        and free is not None and free < 16 << 20):  # fmt: skip
        room = f" ({free // (1 << 20)} MiB free)" if free is not None else ""
        return StoreError(
            f"{where}: the disk is full{room}; the write was rolled back, nothing stored was lost",
            hint=f"free space on the disk of {folder} (old files in the drop folders' "
            "processed/ and failed/, old logs), or move the database to a disk with room "
            "and point --db at it",
        )
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreError(
            f"{where}: the database stayed locked by another process ({exc})",
            hint="retry later, or raise [storage] busy_timeout",
        )
    return StoreError(
        f"{where}: the database failed: {exc}",
        hint="check the disk and the file's permissions; run the command again",
    )


def _free_bytes(folder: Path) -> int | None:
    """Free bytes on the disk of ``folder`` for this user; None when unknown."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None

"""The database file on disk: checked before it is touched, created private, never widened.

A new database (and the folder made for it) is created owner-only, or owner and group on a
team server (``[storage] group_access``), whatever the umask. An existing file is never
made more open than it is: a read-only database stays read-only, and a file that belongs
to another user (a teammate's, in group mode) is left as it is.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from opsboard.errors import StoreError

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"

_FIX_DB = "name another file with --db (or OPSBOARD_DB, or [storage] path)"


def file_mode(group_access: bool) -> int:
    """The permission bits of the database, its WAL and its lock file."""
    return 0o660 if group_access else 0o600


def folder_mode(group_access: bool) -> int:
    """The permission bits of a folder made for the database."""
    return 0o770 if group_access else 0o700


#: Database files this process has connections to, by (device, inode), with their count.
#: Closing any descriptor of a file drops every POSIX lock this process holds on it,
#: SQLite's included: a second connection must never read the header of a file already
#: open here, or another process may take the lost lock and checkpoint the WAL away.
_OPEN_HERE: dict[tuple[int, int], int] = {}


def opened(path: Path) -> tuple[int, int] | None:
    """Count a connection to ``path`` (call ``closed`` with the key returned)."""
    try:
        info = path.stat()
    except OSError:
        return None
    key = (info.st_dev, info.st_ino)
    _OPEN_HERE[key] = _OPEN_HERE.get(key, 0) + 1
    return key


def closed(key: tuple[int, int] | None) -> None:
    """A connection counted by ``opened`` was closed."""
    if key is None or key not in _OPEN_HERE:
        return
    _OPEN_HERE[key] -= 1
    if _OPEN_HERE[key] <= 0:
        del _OPEN_HERE[key]


def check_database_path(path: Path) -> bool:
    """Raise ``StoreError`` unless ``path`` is an SQLite file or a new path; True if it exists.

    Nothing is created or changed: a folder or another program's file named by mistake is
    left untouched. A file this process already has open is not read again (see
    ``_OPEN_HERE``).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        raise StoreError(
            f"{path}: a part of this path is a file, not a folder", hint=_FIX_DB
        ) from None
    except PermissionError:
        raise StoreError(
            f"{path}: permission denied (a folder on the way is not readable by this user)",
            hint="fix the folder's permissions, or " + _FIX_DB,
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(
            f"{path}: is a folder, not a database file",
            hint=f"name a file in it, e.g. --db {path / 'opsboard.db'}",
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: is not a regular file", hint=_FIX_DB)
    if info.st_size == 0:
        return True  # an empty file becomes a new database, as SQLite itself treats it
    if (info.st_dev, info.st_ino) in _OPEN_HERE:
        return True  # checked when it was first opened; reading it now would drop locks
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise StoreError(
            f"{path}: permission denied (the database file is not readable by this user)",
            hint="fix its permissions (or its group, in group mode), or " + _FIX_DB,
        ) from None
    if header != SQLITE_HEADER:
        raise StoreError(
            f"{path}: is not an opsboard database (not an SQLite file); it was left untouched",
            hint=_FIX_DB,
        )
    return True


def create_folder(folder: Path, group_access: bool) -> None:
    """Make the database's folder (and missing parents) if needed; only a folder made here
    gets the private mode, an existing one is never changed."""
    if folder.is_dir():
        return
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=folder_mode(group_access))
        # mkdir's mode passes through the umask (022 would leave a team folder 750).
        os.chmod(folder, folder_mode(group_access))
    except FileExistsError:
        if not folder.is_dir():
            raise StoreError(f"{folder}: is a file, not a folder", hint=_FIX_DB) from None
    except OSError as exc:
        raise StoreError(
            f"{folder}: cannot create the database folder ({exc.strerror or exc})",
            hint="create it yourself, or " + _FIX_DB,
        ) from None


def create_file(path: Path, group_access: bool) -> None:
    """Create an empty database file with the private mode (not left to the umask)."""
    mode = file_mode(group_access)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    except FileExistsError:
        return  # another process created it meanwhile: theirs, not to be changed
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create the database ({exc.strerror or exc})",
            hint=writable_folder_hint(path),
        ) from None
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def narrow(path: Path, group_access: bool) -> None:
    """Take away what a file of ours grants beyond the private mode (e.g. world-readable);
    never add a permission, and never touch another user's file."""
    with contextlib.suppress(FileNotFoundError):
        info = path.stat()
        if info.st_uid != os.geteuid():
            return
        current = stat.S_IMODE(info.st_mode)
        wanted = current & file_mode(group_access)
        if wanted != current:
            os.chmod(path, wanted)


def folder_writable(path: Path) -> bool:
    """Whether this user may create files (the WAL, the lock) beside the database."""
    return os.access(path.parent, os.W_OK | os.X_OK)


def has_wal(path: Path) -> bool:
    """Whether the database has a write-ahead log beside it (a writer has it open, or left
    it behind)."""
    return path.with_name(path.name + "-wal").exists()


def writable_folder_hint(path: Path, *, lock: bool = False) -> str:
    """What to do when the database's folder does not let this user create files."""
    made = (
        f"the collector lock {path.name}.collector.lock is made"
        if lock
        else f"SQLite creates {path.name}-wal and {path.name}-shm"
    )
    return (
        f"{made} beside the database: make {path.parent} writable for this user (in group "
        "mode: for the group), or move the database to a writable folder and point --db "
        "(or OPSBOARD_DB) at it"
    )

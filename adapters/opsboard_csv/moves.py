"""Moving a dropped file out of its folder: to ``processed/``, or to ``failed/`` beside the
reason it was refused. Folders are created owner-only; a name already taken gets a time
stamp, so that nothing already there is overwritten."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from opsboard.adapters.api import LoadedFile, _, inert, inert_message

log = logging.getLogger(__name__)


def unique(folder: Path, name: str, stamp: str) -> Path:
    """``folder/name``, or a name with a time stamp when that one is taken."""
    target = folder / name
    if not target.exists() and not target.is_symlink():
        return target
    stem, dot, suffix = name.partition(".")
    for counter in range(1000):
        extra = f"-{counter}" if counter else ""
        candidate = folder / f"{stem}.{stamp}{extra}{dot}{suffix}"
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise OSError(f"no free name for {name} in {folder}")


def private_dir(path: Path) -> None:
    """Create ``path`` readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def move_into(path: Path, folder: Path, stamp: str, planned: Path | None = None) -> Path:
    """Move ``path`` into ``folder`` under a free name (``planned`` while it is free: the
    name recorded with the load); ``OSError`` when it cannot."""
    private_dir(folder)
    if planned is not None and planned.parent == folder and not os.path.lexists(planned):
        target = planned
    else:
        target = unique(folder, path.name, stamp)
    os.replace(path, target)
    return target


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file's bytes (hex); ``OSError`` when it cannot be read."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_reason(note: Path, original: Path, reason: str, at: str) -> None:
    """Write the reason file of a refused file (owner-only); a failure is only logged. The
    file's name and the reason are written inert: `cat` of the note is safe, and a newline
    in the file's name cannot forge a line of it."""
    text = (
        _("file: {file}").format(file=inert(str(original)))
        + "\n"
        + _("refused at: {at}").format(at=at)
        + "\n"
        + _("reason: {reason}").format(reason=inert_message(reason))
        + "\n"
        + _("nothing of this file was stored; fix it and drop it into the folder again")
        + "\n"
    )
    try:
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        log.warning(_("%s: could not write the reason file: %s"), note, exc)


def identity(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime, inode) of ``path`` now; None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def loaded_file(path: Path, was: tuple[int, int, int], processed: Path, stamp: str) -> LoadedFile:
    """The identity of ``path`` to keep with its load: ``was`` (size, mtime, inode, as found
    complete; the read is checked against it), the SHA-256 of its bytes ("" when they could
    not be read: the read fails then too) and the name it is to be kept under."""
    try:
        digest = sha256_of(path)
    except OSError:
        digest = ""
    kept_at = unique(processed, path.name, stamp)
    return LoadedFile(str(path), was[0], was[1], was[2], digest, str(kept_at))

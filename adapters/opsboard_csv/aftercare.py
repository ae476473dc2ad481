"""Files just moved out of a drop folder, watched for a while in case their writer was not
done.

A writer that pauses for longer than the settle time (a copy over a slow share, a tool
writing a report in parts) leaves a file that looks complete and is not. When it goes on
writing, the file it writes to is the one moved to ``processed/`` or ``failed/``: the same
inode, now growing there. Such a file is moved back into its folder (its reason file
removed), to be settled and read again whole; the upsert makes the second load replace
what the first one stored.

A collector killed while the writer pauses forgets these files; each load keeps the file's
identity in the store, and the next run ``recall``s the files loaded recently: one that
changed since it was loaded is taken back the same way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opsboard.adapters.api import LoadedFile, _
from opsboard_csv.watcher import Arrival, DropFolder

log = logging.getLogger(__name__)

#: The folder of a file recalled from an earlier run (only its home path is needed).
_NOWHERE = DropFolder(Path(), None, Path(), Path())


@dataclass(frozen=True)
class Moved:
    """A file moved out of its folder, as it was when moved."""

    arrival: Arrival
    target: Path
    size: int
    mtime_ns: int
    inode: int
    until: float
    note: Path | None


class Aftercare:
    """The files moved out in the last ``grace_seconds``, and which of them changed since."""

    def __init__(self, grace_seconds: float, monotonic: Callable[[], float]) -> None:
        self.grace_seconds = grace_seconds
        self.monotonic = monotonic
        self._moved: dict[Path, Moved] = {}
        #: The watched files' paths, kept current: the folder watcher shares this set, so
        #: that a change to one of them wakes the collector at once.
        self.paths: set[str] = set()

    def watch(self, arrival: Arrival, target: Path, note: Path | None = None) -> None:
        """Remember ``target`` (where ``arrival`` was moved) for the grace time."""
        if self.grace_seconds <= 0:
            return
        try:
            stat = os.stat(target)
        except OSError:
            return
        until = self.monotonic() + self.grace_seconds
        self._moved[target] = Moved(
            arrival, target, stat.st_size, stat.st_mtime_ns, stat.st_ino, until, note
        )
        self.paths.add(str(target))

    def recall(self, home: Path, target: Path, was: tuple[int, int, int], left: float) -> None:
        """Watch ``target`` (moved from ``home`` by an earlier run) as it was when loaded
        (``was``: size, mtime, inode), for ``left`` more seconds. A file that changed since
        is taken back at the next scan however long ago it was loaded: its writer went on
        while no collector was running."""
        arrival = Arrival(home, _NOWHERE, was[0], was[1], was[2])
        until = self.monotonic() + max(0.0, min(left, self.grace_seconds))
        self._moved[target] = Moved(arrival, target, was[0], was[1], was[2], until, None)
        self.paths.add(str(target))

    def recall_loaded(self, files: list[LoadedFile], now: float) -> None:
        """``recall`` each file an earlier run loaded and moved (``now``: wall-clock seconds),
        for what is left of the grace time since its load."""
        for loaded in files:
            if not loaded.kept_at:
                continue
            try:
                age = now - datetime.fromisoformat(loaded.loaded_at).timestamp()
            except ValueError:
                age = 0.0
            was = (loaded.size, loaded.mtime_ns, loaded.inode)
            self.recall(Path(loaded.path), Path(loaded.kept_at), was, self.grace_seconds - age)

    def _forget(self, target: Path) -> None:
        del self._moved[target]
        self.paths.discard(str(target))

    def take_back(self) -> list[Path]:
        """Move the watched files that changed back into their folders; their new paths."""
        now = self.monotonic()
        back: list[Path] = []
        for target, moved in list(self._moved.items()):
            try:
                stat = os.stat(target)
            except OSError:
                self._forget(target)
                continue
            if (stat.st_size, stat.st_mtime_ns) == (moved.size, moved.mtime_ns):
                if now >= moved.until:
                    self._forget(target)
                continue
            self._forget(target)
            if stat.st_ino != moved.inode:
                continue  # replaced by another file: not the writer going on
            home = _free_name(moved.arrival.path)
            try:
                os.replace(target, home)
            except OSError as exc:
                log.warning(_("%s changed after it was moved, but cannot go back: %s"), target, exc)
                continue
            if moved.note is not None:
                moved.note.unlink(missing_ok=True)
            log.warning(
                _(
                    "%s changed after it was moved (%d -> %d bytes): its writer was not done; "
                    "moved back to %s to be read again"
                ),
                target,
                moved.size,
                stat.st_size,
                home,
            )
            back.append(home)
        return back


def _free_name(path: Path) -> Path:
    """``path``, or ``name-again-N.ext`` beside it when a new file took that name."""
    if not path.exists() and not path.is_symlink():
        return path
    stem, dot, suffix = path.name.partition(".")
    for counter in range(1, 1000):
        candidate = path.with_name(f"{stem}-again-{counter}{dot}{suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    return path.with_name(f"{stem}-again-{os.getpid()}{dot}{suffix}")

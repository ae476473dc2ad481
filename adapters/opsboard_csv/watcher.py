"""Drop-folder mechanics: which files to take, when a file is complete, and folder events.

A file is taken when it is complete: its size and modification time are unchanged across
two checks at least ``settle_seconds`` apart (a file renamed into the folder passes at the
second check), or it was last modified before the collector started (it arrived while the
collector was down). A file seen growing between checks is being written in place, and
its writer may pause: it waits ``growing_seconds`` without a change. Partial names
(``.part``, ``.crdownload``, ``~$...``, ``.tmp``, hidden files) are ignored until they are
renamed. No wait tells a paused writer from a finished one for sure, so the adapter also
checks the file again after reading it and after moving it.

``FolderWatcher`` runs ``watchfiles`` in a background task and sets ``changed`` when
something arrives, so that a waiting collector or dashboard polls at once; the polling
scan stays the source of truth, so a lost event only delays a file until the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opsboard.adapters.api import _

log = logging.getLogger(__name__)

#: Name endings of files still being written by browsers, download tools and editors.
PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".filepart", ".!ut")
#: Reason files written beside quarantined inputs.
ERROR_SUFFIX = ".error.txt"


def is_candidate_name(name: str) -> bool:
    """True for a name that may be a finished export (not hidden, partial or a lock file)."""
    lowered = name.lower()
    return not (
        name.startswith((".", "~$", "~"))
        or lowered.endswith(PARTIAL_SUFFIXES)
        or lowered.endswith(ERROR_SUFFIX)
    )


@dataclass(frozen=True)
class DropFolder:
    """One folder whose files belong to ``store`` (None: the file names its store)."""

    path: Path
    store: str | None
    processed: Path
    failed: Path
    problem: str = ""
    """Why the folder's files cannot be loaded (its name is no store name), or ``""``."""


@dataclass(frozen=True)
class Arrival:
    """A complete file found in a drop folder, or one refused before reading (``refusal``)."""

    path: Path
    folder: DropFolder
    size: int
    mtime_ns: int
    inode: int = 0
    refusal: str = ""

    @property
    def identity(self) -> tuple[str, int, int, int]:
        """Path, size, mtime and inode: the same file seen again is not loaded twice."""
        return (str(self.path), self.size, self.mtime_ns, self.inode)


class SettleTracker:
    """Remembers what each file looked like when last checked, to tell when it is complete."""

    def __init__(
        self,
        settle_seconds: float,
        *,
        growing_seconds: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.settle_seconds = settle_seconds
        self.growing_seconds = max(settle_seconds, growing_seconds or 0.0)
        self.monotonic = monotonic
        self.wall = wall
        self._started = wall()
        #: path -> (size, mtime, when last seen to change, seen growing)
        self._seen: dict[Path, tuple[int, int, float, bool]] = {}

    def is_complete(self, path: Path, size: int, mtime_ns: int) -> bool:
        """Record a check of ``path``; True once it has stopped changing."""
        now = self.monotonic()
        before = self._seen.get(path)
        if before is None:
            # Finished before the collector started (it arrived while it was down). Files
            # seen later always get two checks: an NFS server's clock may lag behind ours.
            if mtime_ns / 1e9 <= self._started - self.settle_seconds:
                return True
            self._seen[path] = (size, mtime_ns, now, False)
            return False
        if (size, mtime_ns) != before[:2]:
            self._seen[path] = (size, mtime_ns, now, True)
            return False
        return now - before[2] >= self._wait(before[3])

    def seen_growing(self, path: Path) -> None:
        """Note that ``path`` is being written in place (it changed after it was found
        complete): its next checks wait ``growing_seconds``."""
        try:
            stat = os.stat(path)
        except OSError:
            return
        self._seen[path] = (stat.st_size, stat.st_mtime_ns, self.monotonic(), True)

    def _wait(self, growing: bool) -> float:
        return self.growing_seconds if growing else self.settle_seconds

    def forget(self, path: Path) -> None:
        """Drop what is known of ``path`` (taken, moved or gone)."""
        self._seen.pop(path, None)

    def keep_only(self, paths: set[Path]) -> None:
        """Forget every file not in ``paths`` (they left the folder)."""
        for path in list(self._seen):
            if path not in paths:
                del self._seen[path]

    def next_check_in(self) -> float | None:
        """Seconds until the earliest pending file can be complete; None when none waits."""
        if not self._seen:
            return None
        now = self.monotonic()
        earliest = min(changed + self._wait(grew) for _, _, changed, grew in self._seen.values())
        return max(0.0, earliest - now)


def scan_folder(folder: DropFolder, max_file_bytes: int) -> list[tuple[Path, os.stat_result, str]]:
    """The candidate files of ``folder``: (path, stat, refusal reason or "").

    Regular files only; sub-folders are not entered. A symlink is followed only when it
    points inside the folder; otherwise it is refused. Oversized files are refused here,
    unread.
    """
    found: list[tuple[Path, os.stat_result, str]] = []
    root = os.path.realpath(folder.path)
    with os.scandir(folder.path) as entries:
        for entry in entries:
            if not is_candidate_name(entry.name):
                continue
            path = Path(entry.path)
            refusal = ""
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([root, target]) != root:
                        stat = entry.stat(follow_symlinks=False)
                        refusal = (
                            f"{entry.name} is a symbolic link to {target}, outside the drop "
                            f"folder {folder.path}; links out of the folder are not followed "
                            "(copy the file into the folder instead)"
                        )
                        found.append((path, stat, refusal))
                        continue
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except OSError:
                continue  # vanished or unreadable meanwhile: the next scan sees it again
            if stat.st_size > max_file_bytes:
                refusal = (
                    f"{entry.name} is {stat.st_size} bytes, more than max_file_bytes "
                    f"({max_file_bytes}); it was not read (split the export, or raise "
                    "max_file_bytes in the adapter's options)"
                )
            found.append((path, stat, refusal))
    return found


class FolderWatcher:
    """Folder events from ``watchfiles`` in a background task, signalled through ``changed``."""

    def __init__(
        self,
        roots: list[Path],
        *,
        ignore_dirs: set[str],
        force_polling: bool = False,
        debounce_ms: int = 30,
    ) -> None:
        self.roots = roots
        self.ignore_dirs = ignore_dirs
        self.force_polling = force_polling
        self.debounce_ms = debounce_ms
        #: Files outside the watched folders' own files whose changes matter too (files
        #: just moved to processed/ or failed/, whose writer may not have finished).
        self.watch_paths: set[str] = set()
        self.changed = asyncio.Event()
        self.error = ""
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while the background task watches."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start watching (inside a running event loop); a no-op when already running, and
        after a failure (the polling scan carries on) until the roots change."""
        if self.running or self.error or not self.roots:
            return
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def _relevant(self, change: object, path: str) -> bool:
        from watchfiles import Change

        if change == Change.deleted:
            return False
        if path in self.watch_paths:
            return True
        parts = Path(path).parts
        if any(part in self.ignore_dirs for part in parts):
            return False
        return is_candidate_name(parts[-1]) if parts else False

    async def _watch(self) -> None:
        from watchfiles import awatch

        try:
            async for _changes in awatch(
                *self.roots,
                watch_filter=self._relevant,
                debounce=self.debounce_ms,
                # How often the watch looks for events, taking the interpreter's lock each
                # time, all day long. Ten times a second halves the cost of twenty and keeps
                # a dropped file on screen within the second (`make bench`); at two a second
                # it took 1.2 s.
                step=100,
                stop_event=self._stop,
                force_polling=self.force_polling,
                poll_delay_ms=200,
                recursive=True,
            ):
                self.changed.set()
        except Exception as exc:  # the polling scan carries on without events
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning(_("folder events unavailable, polling only: %s"), self.error)

    async def stop(self) -> None:
        """Stop watching and wait for the background task to end."""
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(task, timeout=2.0)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

"""The drop-folder adapter: export files dropped into watched folders become points.

Each complete file becomes one ``Batch`` committed whole. After the commit the file moves
to ``processed/``; a refused file moves to ``failed/`` beside ``<name>.error.txt`` saying
which line and column were wrong, what was found and what was expected. Folder events come
from ``watchfiles`` and wake the next poll through ``changed``; a polling scan is the
fallback and the source of truth.

A file still being written is never loaded in part: it is taken only once it has
settled (``watcher``); a file that looks cut off is waited for while it is recent; the
file is looked at again after its points are read, inside the transaction, and again
before it is moved, and any change sends it back to settle; and a file that changes
just after it was moved is taken back and read again (``aftercare``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from opsboard.adapters.api import (
    DEFAULT_TIMEZONE,
    N_,
    Adapter,
    AdapterContext,
    AdapterOptions,
    Batch,
    FinePoint,
    LoadedFile,
    Names,
    OpsboardError,
    ParsedFile,
    PlanSheet,
    RawPoint,
    RejectedInput,
    SourceHealth,
    _,
    zone,
)
from opsboard_csv import canonical
from opsboard_csv.aftercare import Aftercare
from opsboard_csv.bounds import check_regular
from opsboard_csv.containers import DEFAULT_MAX_BYTES
from opsboard_csv.errors import MISSING_COLUMN, FileChanged, IncompleteFile
from opsboard_csv.folders import FolderMap
from opsboard_csv.guard import guarded, raising, unchanged
from opsboard_csv.health import StoreHealth, last_moved_in, misplaced, report
from opsboard_csv.moves import identity, loaded_file, move_into, write_reason
from opsboard_csv.options import CsvDropOptions, FolderOptions
from opsboard_csv.watcher import (
    ERROR_SUFFIX,
    Arrival,
    DropFolder,
    FolderWatcher,
    SettleTracker,
    scan_folder,
)

__all__ = ["CsvDropAdapter", "CsvDropOptions", "FolderOptions"]

log = logging.getLogger(__name__)


def _reader() -> Any:
    """The platform-format reader module, imported on first use."""
    try:
        from opsboard_csv import reader
    except ImportError as exc:
        raise RejectedInput(
            _("platform export formats cannot be read: {error}").format(error=exc),
            hint=_("reinstall opsboard, or convert the file to the canonical long CSV"),
        ) from None
    return reader


class CsvDropAdapter(Adapter):
    """Export files dropped into watched folders (DESIGN.md 4.2, CSV drop folder)."""

    Options = CsvDropOptions
    description = "Export files dropped into watched folders (CSV, XLS/XLSX, ZIP)"
    IMPLEMENTS_READ_FILE = True
    IMPLEMENTS_CHANGED = True

    def __init__(self, options: AdapterOptions, context: AdapterContext) -> None:
        super().__init__(options, context)
        if not isinstance(options, CsvDropOptions):
            raise TypeError(f"expected CsvDropOptions, not {type(options).__name__}")
        self.opts = options
        self.tracker = SettleTracker(
            options.settle_seconds, growing_seconds=options.growing_settle_seconds
        )
        self.aftercare = Aftercare(
            options.incomplete_grace_seconds, lambda: self.tracker.monotonic()
        )
        self._done: set[tuple[str, int, int, int]] = set()
        #: Files that looked cut off, as they were then: not read again until they change
        #: or have been still for ``incomplete_grace_seconds``.
        self._waiting: dict[Path, Arrival] = {}
        self._health: dict[str, StoreHealth] = {}
        self.folders = FolderMap(options)
        self._started = context.clock.now()
        self._wake: asyncio.TimerHandle | None = None
        self._scanned_at: float | None = None
        self._offered = False
        ignore = {options.processed_dir.name, options.failed_dir.name}
        self.watcher = FolderWatcher([], ignore_dirs=ignore, force_polling=options.use_polling)
        self.watcher.watch_paths = self.aftercare.paths

    # -- reading files (also used by `opsboard ingest` and `opsboard formats`) ----------------

    @classmethod
    def read_file(
        cls,
        path: Path,
        *,
        store: str | None,
        tz: tzinfo,
        day: date | None = None,
        format: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        dropped: bool = False,
    ) -> ParsedFile:
        """Read one export file: the canonical long CSV here, platform formats in reader.py.

        ``max_bytes`` bounds a report unpacked from a zip; ``dropped`` says the file came
        from a drop folder (refusals then give the advice that fits a folder). Only a
        regular file is read: a FIFO or a device is refused before it is opened.
        """
        check_regular(path)
        if format == canonical.FORMAT or (
            format is None and canonical.is_canonical_header(canonical.read_header(path))
        ):
            return canonical.read_canonical(path, store=store, tz=tz)
        parsed: ParsedFile = _reader().read_file(
            path,
            store=store,
            tz=tz,
            day=day,
            format=format,
            max_bytes=max_bytes,
            dropped=dropped,
        )
        return parsed

    @classmethod
    def describe_formats(cls) -> list[dict[str, str]]:
        """The canonical format and every platform format the reader recognises."""
        formats = [canonical.describe()]
        try:
            described: list[dict[str, str]] = _reader().describe_formats()
        except RejectedInput:
            return formats
        return formats + [f for f in described if f.get("name") != canonical.FORMAT]

    # -- events --------------------------------------------------------------------------------

    @property
    def changed(self) -> asyncio.Event:
        """Set when a folder changed since the last poll; await it to poll early."""
        return self.watcher.changed

    async def aclose(self) -> None:
        """Stop watching the folders."""
        if self._wake is not None:
            self._wake.cancel()
        await self.watcher.stop()

    # -- polling -------------------------------------------------------------------------------

    def drop_folders(self) -> list[DropFolder]:
        """Every folder that holds files for one store (sub-folders of a parent expanded)."""
        return self.folders.look()

    def _scan(self) -> list[Arrival]:
        """The complete files in every folder, oldest first."""
        for path in self.aftercare.take_back():
            self.tracker.seen_growing(path)
        ready: list[tuple[int, Arrival]] = []
        present: set[Path] = set()
        for folder in self.drop_folders():
            try:
                found = scan_folder(folder, self.opts.max_file_bytes)
            except OSError as exc:
                self.folders.problems[folder.store or ""] = _(
                    "cannot read {folder}: {error}"
                ).format(folder=folder.path, error=exc.strerror)
                continue
            for path, stat, refusal in found:
                present.add(path)
                arrival = Arrival(
                    path,
                    folder,
                    stat.st_size,
                    stat.st_mtime_ns,
                    stat.st_ino,
                    refusal or (f"{path.name}: {folder.problem}" if folder.problem else ""),
                )
                if arrival.identity in self._done:
                    continue
                waiting = self._waiting.get(path)
                if waiting is not None:
                    if waiting.identity == arrival.identity:
                        if self._age(arrival) < self.opts.incomplete_grace_seconds:
                            continue
                        del self._waiting[path]  # still cut off and long unchanged: refuse
                        ready.append((stat.st_mtime_ns, arrival))
                        continue
                    del self._waiting[path]  # it changed: its writer is at work
                    self.tracker.seen_growing(path)
                    continue
                if self.tracker.is_complete(path, stat.st_size, stat.st_mtime_ns):
                    ready.append((stat.st_mtime_ns, arrival))
        self.tracker.keep_only(present)
        self._done = {d for d in self._done if Path(d[0]) in present}
        self._waiting = {p: w for p, w in self._waiting.items() if p in present}
        return [a for _, a in sorted(ready, key=lambda item: (item[0], str(item[1].path)))]

    def _age(self, arrival: Arrival) -> float:
        """Seconds since ``arrival`` last changed."""
        return self.tracker.wall() - arrival.mtime_ns / 1e9

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        """One batch per complete file; waits once for files that are still settling."""
        restarted = await self._watch()
        if not restarted and self._nothing_new():
            return
        self.changed.clear()
        self._scanned_at = time.monotonic()
        self._offered = False
        for attempt in range(2):
            arrivals = await asyncio.to_thread(self._scan)
            self._offered = self._offered or bool(arrivals)
            for arrival in arrivals:
                batch = await asyncio.to_thread(self._batch, arrival)
                if batch is not None:
                    yield batch
            wait = self.tracker.next_check_in()
            if attempt or wait is None or wait > min(self.opts.settle_seconds, 1.0):
                break
            await asyncio.sleep(wait + 0.01)
        self._schedule_wake()

    def _schedule_wake(self) -> None:
        """Wake the collector when a waiting file is due for its next check, so that a
        file that stopped changing is not left until the next poll interval."""
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        grace = self.opts.incomplete_grace_seconds
        delays = [max(0.0, grace - self._age(w)) for w in self._waiting.values()]
        settling = self.tracker.next_check_in()
        if settling is not None:
            delays.append(settling)
        if delays:
            loop = asyncio.get_running_loop()
            self._wake = loop.call_later(min(delays) + 0.05, self.changed.set)

    def _nothing_new(self) -> bool:
        """Whether this poll can skip the scan: folder events are arriving and none came,
        no file is settling or waiting, and the last full scan is recent. Files just moved
        to processed/ or failed/ are among the watched paths, so their changes are events;
        files the last scan offered are looked at again (a busy database leaves them)."""
        if self.changed.is_set() or not self.watcher.running or self._scanned_at is None:
            return False
        if self._offered or self._waiting or self.tracker.next_check_in() is not None:
            return False
        return time.monotonic() - self._scanned_at < self.opts.rescan_seconds

    async def _watch(self) -> bool:
        """Watch the folders that exist; start again when one appears or disappears.
        True when the watched folders changed (their files are then scanned)."""
        roots = [f.path for f in self.opts.folders if f.path.is_dir()]
        restarted = roots != self.watcher.roots
        if restarted:
            await self.watcher.stop()
            self.watcher.roots = roots
            self.watcher.error = ""
        self.watcher.start()
        return restarted

    def _tz(self, store: str | None) -> tzinfo:
        if store is None:
            return zone(DEFAULT_TIMEZONE)
        return self.context.tz(store)

    def _batch(self, arrival: Arrival) -> Batch | None:
        """Read the head of ``arrival`` and wrap it in a batch that moves it when done;
        None when the file went away meanwhile (taken back by the operator) or looks cut
        off while its writer may still be at work."""
        self.tracker.forget(arrival.path)
        name = arrival.path.name
        store = arrival.folder.store
        points: Iterable[RawPoint]
        names: Names = {}
        fine_points: Iterable[FinePoint] = ()
        plan: PlanSheet | None = None
        format_name = ""
        verify = None
        file: LoadedFile | None = None
        gaps: list[str] = []
        warnings: list[str] = []
        if arrival.refusal:
            points = raising(RejectedInput(arrival.refusal))
        else:
            try:
                parsed = self.read_file(
                    arrival.path,
                    store=store,
                    tz=self._tz(store),
                    max_bytes=self.opts.max_file_bytes,
                    dropped=True,
                )
                points = parsed.points
                names = parsed.names
                fine_points = parsed.fine_points
                plan = parsed.plan
                format_name = parsed.format
                store = parsed.store or store
                gaps = [n for n in parsed.notices if n.startswith(_(MISSING_COLUMN))]
                warnings = misplaced(self.context, store, parsed.platform)
                was = (arrival.size, arrival.mtime_ns, arrival.inode)
                verify = unchanged(arrival.path, was)
                file = loaded_file(arrival.path, was, arrival.folder.processed, self._stamp())
            except FileNotFoundError:
                return None
            except IncompleteFile as exc:
                if self._wait_for(arrival, exc):
                    return None
                points = raising(exc)
            except OpsboardError as exc:
                points = raising(exc)
            except Exception as exc:
                points = raising(
                    RejectedInput(
                        _("{file}: could not be read: {error}").format(
                            file=name, error=f"{type(exc).__name__}: {exc}"
                        )
                    )
                )
        guard = guarded(points, name, verify)

        def committed(count: int) -> None:
            planned = Path(file.kept_at) if file is not None else None
            self._loaded(arrival, count, format_name, gaps, planned, warnings)

        def rejected(reason: str) -> None:
            if not guard.started:
                # The database refused the write (locked, read-only): keep the file for
                # the next poll rather than quarantine a good export.
                log.warning(_("%s: not loaded this time: %s"), arrival.path, reason)
                return
            if guard.incomplete is not None and self._wait_for(arrival, guard.incomplete):
                return
            self._rejected(arrival, reason)

        return Batch(
            points=guard,
            names=names,
            fine_points=fine_points,
            plan=plan,
            origin=str(arrival.path),
            format=format_name,
            store=store or "",
            file=file,
            on_commit=committed,
            on_reject=rejected,
            stop_on_reject=False,
        )

    def _wait_for(self, arrival: Arrival, exc: IncompleteFile) -> bool:
        """True (and the file left in place) when a file that looks cut off may still be
        being written: it changed while it was read, or it changed only recently."""
        if not isinstance(exc, FileChanged) and (
            self._age(arrival) >= self.opts.incomplete_grace_seconds
        ):
            return False
        self._waiting[arrival.path] = arrival
        log.info("%s: not complete yet, waiting for the rest: %s", arrival.path, exc.message)
        entry = self._entry(arrival)
        entry.detail["waiting"] = {
            "file": arrival.path.name,
            "reason": str(exc),
            "since": self.context.clock.now().isoformat(timespec="seconds"),
        }
        return True

    # -- after the commit ----------------------------------------------------------------------

    def _stamp(self) -> str:
        return self.context.clock.now().strftime("%Y%m%dT%H%M%SZ")

    def _still_as_read(self, arrival: Arrival, what: str) -> bool:
        """False (the file left to settle again) when it changed since it was found."""
        if arrival.refusal:
            return True  # refused unread (a link out of the folder, too large...)
        now = identity(arrival.path)
        if now is None or now == (arrival.size, arrival.mtime_ns, arrival.inode):
            return True
        log.warning(
            _(
                "%s changed after it was %s (%d -> %d bytes): left in the folder to be read "
                "again once it stops changing"
            ),
            arrival.path,
            _(what),
            arrival.size,
            now[0],
        )
        return False

    def _move(self, arrival: Arrival, folder: Path, planned: Path | None = None) -> Path | None:
        """Move the file into ``folder`` (owner-only); None when it could not be moved."""
        try:
            return move_into(arrival.path, folder, self._stamp(), planned)
        except OSError as exc:
            # Not moved: remember it, so that it is not loaded again until it changes.
            self._done.add(arrival.identity)
            log.warning(_("%s: could not move it to %s: %s"), arrival.path, folder, exc)
            return None

    def _entry(self, arrival: Arrival) -> StoreHealth:
        entry = self._health.setdefault(arrival.folder.store or "", StoreHealth())
        waiting = entry.detail.get("waiting")
        if isinstance(waiting, dict) and waiting.get("file") == arrival.path.name:
            del entry.detail["waiting"]
        return entry

    def _loaded(
        self,
        arrival: Arrival,
        points: int,
        format_name: str,
        gaps: list[str],
        planned: Path | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        target = None
        if self._still_as_read(arrival, N_("loaded")):
            target = self._move(arrival, arrival.folder.processed, planned)
            if target is not None:
                self.aftercare.watch(arrival, target)
        moved_to = str(target) if target else ""
        self._entry(arrival).loaded(
            self.context.clock.now(), arrival.path.name, format_name, points, moved_to, gaps,
            warnings,
        )  # fmt: skip

    def _rejected(self, arrival: Arrival, reason: str) -> None:
        if not self._still_as_read(arrival, N_("refused")):
            return
        now = self.context.clock.now()
        target = self._move(arrival, arrival.folder.failed)
        if target is not None:
            note = target.with_name(target.name + ERROR_SUFFIX)
            write_reason(note, arrival.path, reason, now.isoformat(timespec="seconds"))
            self.aftercare.watch(arrival, target, note)
        moved_to = str(target) if target else ""
        self._entry(arrival).refused(now, arrival.path.name, reason, moved_to)

    def recall(self, files: list[LoadedFile]) -> None:
        """Watch the files an earlier run loaded and moved, as they were when loaded: one
        that changed since (its writer went on while the collector was down) is taken back
        into its folder at the first scan and read again whole."""
        self.aftercare.recall_loaded(files, self.tracker.wall())

    # -- health --------------------------------------------------------------------------------

    def health(self) -> list[SourceHealth]:
        """Per store: ok with the last file loaded, stale when files stopped coming (with
        ``stale_after``), or failing when its folder cannot be read."""
        now = self.context.clock.now()
        stores = set(self._health) | set(self.folders.problems) | set(self.folders.stores)
        stores |= {f.store for f in self.opts.folders if f.store}
        reports = []
        for store in sorted(stores):
            entry = self._health.get(store, StoreHealth())
            detail = dict(entry.detail)
            if self.watcher.error:
                detail["events"] = _("unavailable, polling only: {error}").format(
                    error=self.watcher.error
                )
            processed, stale_after = self.folders.watched(store)
            last_file = entry.last_ok
            if last_file is None and stale_after is not None and processed is not None:
                last_file = last_moved_in(processed, self._started)
            reports.append(
                report(
                    self.source,
                    store,
                    entry,
                    now=now,
                    watching_since=self._started,
                    last_file=last_file,
                    problem=self.folders.problems.get(store),
                    stale_after=stale_after,
                    detail=detail,
                )
            )
        return reports

"""The drop-folder adapter: export files dropped into watched folders become points.

Each complete file becomes one ``Batch`` committed whole. After the commit the file moves
to ``processed/``; a refused file moves to ``failed/`` beside ``<name>.error.txt`` saying
which line and column were wrong, what was found and what was expected. Folder events come
from ``watchfiles`` and wake the next poll through ``changed``; a polling scan is the
fallback and the source of truth.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, field_validator

from opsboard.adapters import Adapter, AdapterContext, AdapterOptions, Batch, ParsedFile
from opsboard.errors import OpsboardError, RejectedInput
from opsboard.models import HealthState, SourceHealth
from opsboard.storage.store import BulkPoints, IngestBatch, InvalidPoint, RawPoint
from opsboard.timeutil import DEFAULT_TIMEZONE, zone
from opsboard_csv import canonical
from opsboard_csv.watcher import (
    ERROR_SUFFIX,
    Arrival,
    DropFolder,
    FolderWatcher,
    SettleTracker,
    scan_folder,
)

log = logging.getLogger(__name__)

_Row = TypeVar("_Row")

_MIB = 1024 * 1024


class FolderOptions(AdapterOptions):
    """One watched folder."""

    path: Path
    """The folder operators drop export files into (`~` is expanded)."""

    store: str | None = None
    """The store its files belong to. Leave it out for a folder whose sub-folders are named
    after stores (`drop/tmall-flagship/`, `drop/jd-main/`), each holding that store's files."""

    @field_validator("path")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


class CsvDropOptions(AdapterOptions):
    """Options of the `csv` drop-folder adapter."""

    folders: list[FolderOptions] = Field(min_length=1)
    """The watched folders: `{ path = "...", store = "..." }` per store, or a parent folder
    whose sub-folders are named after stores."""

    max_file_bytes: int = Field(default=512 * _MIB, gt=0)
    """Files larger than this are refused unread and moved to the failed folder."""

    settle_seconds: float = Field(default=0.3, ge=0, le=600)
    """A file is complete when its size and modification time stay the same across two checks
    this far apart; files that arrived while the collector was down are taken at once."""

    use_polling: bool = False
    """Poll the folders instead of using filesystem events (network shares, some containers)."""

    processed_dir: Path = Path("processed")
    """Where loaded files go; relative paths are inside each store's folder."""

    failed_dir: Path = Path("failed")
    """Where refused files go, each beside `<name>.error.txt`; relative to each store's folder."""


def _reader() -> Any:
    """The platform-format reader module, imported on first use."""
    try:
        from opsboard_csv import reader
    except ImportError as exc:
        raise RejectedInput(
            f"platform export formats cannot be read: {exc}",
            hint="reinstall opsboard, or convert the file to the canonical long CSV",
        ) from None
    return reader


def _raising(exc: Exception) -> Iterator[RawPoint]:
    """Points that fail when read: a refusal travels through the collector like a bad row."""
    raise exc
    yield  # pragma: no cover - makes this a generator


class _Guarded:
    """A file's points, turning unexpected reader failures into a refusal of the file.

    ``started`` tells whether the collector began reading them: a refusal before that came
    from the database (locked, read-only), not from the file.
    """

    def __init__(self, points: Iterable[RawPoint], name: str) -> None:
        self.points = points
        self.name = name
        self.started = False

    def __iter__(self) -> Iterator[RawPoint]:
        self.started = True
        return self._guard(iter(self.points))

    def _guard(self, rows: Iterator[_Row]) -> Iterator[_Row]:
        try:
            yield from rows
        except (OpsboardError, InvalidPoint):
            raise
        except Exception as exc:
            message = f"{self.name}: could not be read: {type(exc).__name__}: {exc}"
            raise RejectedInput(message) from exc


class _GuardedBulk(_Guarded):
    """``_Guarded`` over points that write themselves (the store's ``BulkPoints``)."""

    def __init__(self, points: BulkPoints, name: str) -> None:
        super().__init__(points, name)
        self.bulk = points

    def series_values(self, batch: IngestBatch) -> Iterator[tuple[int, int, float, int]]:
        """The bulk rows of the file, for ``batch``."""
        self.started = True
        return self._guard(self.bulk.series_values(batch))

    @property
    def count(self) -> int:
        """Rows written, once read."""
        return self.bulk.count

    @property
    def span(self) -> tuple[int, int] | None:
        """First and last period start written, once read."""
        return self.bulk.span


def _guarded(points: Iterable[RawPoint], name: str) -> _Guarded:
    if isinstance(points, BulkPoints):
        return _GuardedBulk(points, name)
    return _Guarded(points, name)


def _unique(folder: Path, name: str, stamp: str) -> Path:
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


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


class _StoreHealth:
    """What happened last in one store's folder."""

    def __init__(self) -> None:
        self.state = HealthState.UNKNOWN
        self.since: datetime | None = None
        self.reason = ""
        self.last_ok: datetime | None = None
        self.detail: dict[str, object] = {}


class CsvDropAdapter(Adapter):
    """Export files dropped into watched folders (DESIGN.md 4.2, CSV drop folder)."""

    Options = CsvDropOptions
    description = "Export files dropped into watched folders (CSV, XLS/XLSX, ZIP)"

    def __init__(self, options: AdapterOptions, context: AdapterContext) -> None:
        super().__init__(options, context)
        if not isinstance(options, CsvDropOptions):
            raise TypeError(f"expected CsvDropOptions, not {type(options).__name__}")
        self.opts = options
        self.tracker = SettleTracker(options.settle_seconds)
        self._done: set[tuple[str, int, int, int]] = set()
        self._health: dict[str, _StoreHealth] = {}
        self._folder_problems: dict[str, str] = {}
        ignore = {options.processed_dir.name, options.failed_dir.name}
        self.watcher = FolderWatcher([], ignore_dirs=ignore, force_polling=options.use_polling)

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
    ) -> ParsedFile:
        """Read one export file: the canonical long CSV here, platform formats in reader.py."""
        if format == canonical.FORMAT or (
            format is None and canonical.is_canonical_header(canonical.read_header(path))
        ):
            return canonical.read_canonical(path, store=store, tz=tz)
        parsed: ParsedFile = _reader().read_file(path, store=store, tz=tz, day=day, format=format)
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
        await self.watcher.stop()

    # -- polling -------------------------------------------------------------------------------

    def drop_folders(self) -> list[DropFolder]:
        """Every folder that holds files for one store (sub-folders of a parent expanded)."""
        folders: list[DropFolder] = []
        self._folder_problems = {}
        for spec in self.opts.folders:
            if not spec.path.is_dir():
                key = spec.store or ""
                self._folder_problems[key] = (
                    f"drop folder {spec.path} does not exist or is not a folder "
                    "(create it, or fix `path` in the adapter's options)"
                )
                continue
            folders.append(self._folder(spec.path, spec.store))
            if spec.store is None:
                skip = {self.opts.processed_dir.name, self.opts.failed_dir.name}
                try:
                    with os.scandir(spec.path) as entries:
                        subs = sorted(
                            e.name
                            for e in entries
                            if e.is_dir(follow_symlinks=False)
                            and not e.name.startswith(".")
                            and e.name not in skip
                        )
                except OSError as exc:
                    self._folder_problems[""] = f"cannot read {spec.path}: {exc.strerror}"
                    continue
                folders.extend(self._folder(spec.path / name, name) for name in subs)
        return folders

    def _folder(self, path: Path, store: str | None) -> DropFolder:
        processed = self.opts.processed_dir
        failed = self.opts.failed_dir
        return DropFolder(
            path=path,
            store=store,
            processed=processed if processed.is_absolute() else path / processed,
            failed=failed if failed.is_absolute() else path / failed,
        )

    def _scan(self) -> list[Arrival]:
        """The complete files in every folder, oldest first."""
        ready: list[tuple[int, Arrival]] = []
        present: set[Path] = set()
        for folder in self.drop_folders():
            try:
                found = scan_folder(folder, self.opts.max_file_bytes)
            except OSError as exc:
                self._folder_problems[folder.store or ""] = (
                    f"cannot read {folder.path}: {exc.strerror}"
                )
                continue
            for path, stat, refusal in found:
                present.add(path)
                arrival = Arrival(
                    path, folder, stat.st_size, stat.st_mtime_ns, stat.st_ino, refusal
                )
                if arrival.identity in self._done:
                    continue
                if self.tracker.is_complete(path, stat.st_size, stat.st_mtime_ns):
                    ready.append((stat.st_mtime_ns, arrival))
        self.tracker.keep_only(present)
        self._done = {d for d in self._done if Path(d[0]) in present}
        return [a for _, a in sorted(ready, key=lambda item: (item[0], str(item[1].path)))]

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        """One batch per complete file; waits once for files that are still settling."""
        await self._watch()
        self.changed.clear()
        for attempt in range(2):
            arrivals = await asyncio.to_thread(self._scan)
            for arrival in arrivals:
                batch = await asyncio.to_thread(self._batch, arrival)
                if batch is not None:
                    yield batch
            wait = self.tracker.next_check_in()
            if attempt or wait is None or wait > min(self.opts.settle_seconds, 1.0):
                break
            await asyncio.sleep(wait + 0.01)

    async def _watch(self) -> None:
        """Watch the folders that exist; start again when one appears or disappears."""
        roots = [f.path for f in self.opts.folders if f.path.is_dir()]
        if roots != self.watcher.roots:
            await self.watcher.stop()
            self.watcher.roots = roots
            self.watcher.error = ""
        self.watcher.start()

    def _tz(self, store: str | None) -> tzinfo:
        if store is None:
            return zone(DEFAULT_TIMEZONE)
        return self.context.tz(store)

    def _batch(self, arrival: Arrival) -> Batch | None:
        """Read the head of ``arrival`` and wrap it in a batch that moves it when done;
        None when the file went away meanwhile (taken back by the operator)."""
        self.tracker.forget(arrival.path)
        name = arrival.path.name
        store = arrival.folder.store
        points: Iterable[RawPoint]
        format_name = ""
        if arrival.refusal:
            points = _raising(RejectedInput(arrival.refusal))
        else:
            try:
                parsed = self.read_file(arrival.path, store=store, tz=self._tz(store))
                points = parsed.points
                format_name = parsed.format
                store = parsed.store or store
            except FileNotFoundError:
                return None
            except OpsboardError as exc:
                points = _raising(exc)
            except Exception as exc:
                points = _raising(
                    RejectedInput(f"{name}: could not be read: {type(exc).__name__}: {exc}")
                )
        guarded = _guarded(points, name)

        def committed(count: int) -> None:
            self._loaded(arrival, count, format_name)

        def rejected(reason: str) -> None:
            if not guarded.started:
                # The database refused the write (locked, read-only): keep the file for
                # the next poll rather than quarantine a good export.
                log.warning("%s: not loaded this time: %s", arrival.path, reason)
                return
            self._rejected(arrival, reason)

        return Batch(
            raw=guarded,
            origin=str(arrival.path),
            format=format_name,
            store=store or "",
            on_commit=committed,
            on_reject=rejected,
            stop_on_reject=False,
        )

    # -- after the commit ----------------------------------------------------------------------

    def _stamp(self) -> str:
        return self.context.clock.now().strftime("%Y%m%dT%H%M%SZ")

    def _move(self, arrival: Arrival, folder: Path) -> Path | None:
        """Move the file into ``folder`` (owner-only); None when it could not be moved."""
        try:
            _private_dir(folder)
            target = _unique(folder, arrival.path.name, self._stamp())
            os.replace(arrival.path, target)
        except OSError as exc:
            # Not moved: remember it, so that it is not loaded again until it changes.
            self._done.add(arrival.identity)
            log.warning("%s: could not move it to %s: %s", arrival.path, folder, exc)
            return None
        return target

    def _entry(self, arrival: Arrival) -> _StoreHealth:
        return self._health.setdefault(arrival.folder.store or "", _StoreHealth())

    def _loaded(self, arrival: Arrival, points: int, format_name: str) -> None:
        target = self._move(arrival, arrival.folder.processed)
        now = self.context.clock.now()
        entry = self._entry(arrival)
        if entry.state is not HealthState.OK:
            entry.state, entry.since = HealthState.OK, now
        entry.last_ok = now
        entry.reason = f"loaded {arrival.path.name} ({points} points) at {now:%Y-%m-%d %H:%M}"
        entry.detail["last_loaded"] = {
            "file": arrival.path.name,
            "format": format_name,
            "points": points,
            "at": now.isoformat(timespec="seconds"),
            "moved_to": str(target) if target else "",
        }

    def _rejected(self, arrival: Arrival, reason: str) -> None:
        folder = arrival.folder.failed
        target = self._move(arrival, folder)
        if target is not None:
            note = target.with_name(target.name + ERROR_SUFFIX)
            text = (
                f"file: {arrival.path}\n"
                f"refused at: {self.context.clock.now().isoformat(timespec='seconds')}\n"
                f"reason: {reason}\n"
                "nothing of this file was stored; fix it and drop it into the folder again\n"
            )
            try:
                fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                log.warning("%s: could not write the reason file: %s", note, exc)
        now = self.context.clock.now()
        entry = self._entry(arrival)
        # A refused file is quarantined and alerted on by itself (`file_rejected` rules);
        # the folder still delivers, so the store's other figures and alerts stand. Only a
        # folder that cannot be read makes the source fail.
        if entry.state is HealthState.UNKNOWN:
            entry.state, entry.since = HealthState.OK, now
        entry.reason = f"refused {arrival.path.name}: {reason.splitlines()[0]}"
        entry.detail["last_rejected"] = {
            "file": arrival.path.name,
            "reason": reason,
            "at": now.isoformat(timespec="seconds"),
            "moved_to": str(target) if target else "",
        }

    # -- health --------------------------------------------------------------------------------

    def health(self) -> list[SourceHealth]:
        """Per store: ok with the last file loaded, or failing with what was refused."""
        now = self.context.clock.now()
        reports: list[SourceHealth] = []
        stores = set(self._health) | set(self._folder_problems)
        stores |= {f.store for f in self.opts.folders if f.store}
        for store in sorted(stores):
            entry = self._health.get(store, _StoreHealth())
            problem = self._folder_problems.get(store)
            detail = dict(entry.detail)
            if self.watcher.error:
                detail["events"] = f"unavailable, polling only: {self.watcher.error}"
            if problem:
                reports.append(
                    SourceHealth(
                        self.source,
                        HealthState.FAILING,
                        now,
                        store=store,
                        reason=problem,
                        last_ok=entry.last_ok,
                        detail=detail,
                    )
                )
                continue
            state = entry.state if entry.state is not HealthState.UNKNOWN else HealthState.OK
            reason = entry.reason or "watching; no file dropped yet"
            reports.append(
                SourceHealth(
                    self.source,
                    state,
                    entry.since or now,
                    store=store,
                    reason=reason,
                    last_ok=entry.last_ok,
                    detail=detail,
                )
            )
        return reports

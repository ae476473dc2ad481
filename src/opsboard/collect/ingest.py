"""Load files once through a file-reading adapter: the path behind `opsboard ingest`.

Local times in a file (a bare date, a date-time without an offset) are read in the time
zone of the store each row belongs to. A reader is given one zone for the whole file
(``tz``); a file found to hold rows of a store in another zone is read again in that
store's zone, and a file mixing stores of different zones is refused whole, never stored
half right.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path

from opsboard.adapters.api import Adapter, ParsedFile
from opsboard.collect.plans import add_plan
from opsboard.errors import OpsboardError, UsageError
from opsboard.i18n import _, ngettext
from opsboard.platforms import platform_mismatch
from opsboard.points import AbandonBatch, InvalidPoint, LoadedFile
from opsboard.storage.failures import DatabaseError
from opsboard.storage.store import Store
from opsboard.text import inert, inert_message


@dataclass
class IngestResult:
    """What became of one file."""

    path: Path
    ok: bool
    format: str = ""
    store: str = ""
    rows: int = 0
    skipped: int = 0
    points: int = 0
    period: tuple[date, date] | None = None
    #: The distinct (first, last) days of the file's figures of a span.
    spans: list[tuple[date, date]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error: str = ""
    #: The stores the file's points were stored under.
    stores: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One or two lines for the terminal, each made inert: the file's name and what
        its content says never send a control character (a newline in a file name cannot
        forge a second line)."""
        if not self.ok:
            return inert_message(
                _("{path}: rejected: {problem}").format(path=self.path, problem=self.error)
            )
        period = (
            _(", {first} .. {last}").format(first=self.period[0], last=self.period[1])
            if self.period
            else ""
        )
        if self.spans:
            shown = ", ".join(f"{first} .. {last}" for first, last in self.spans[:3])
            more = (
                _(" and {count} more").format(count=len(self.spans) - 3)
                if len(self.spans) > 3
                else ""
            )
            said = ngettext(", span {spans}{more}", ", spans {spans}{more}", len(self.spans))
            period += said.format(spans=shown, more=more)
        text = inert(
            _("{path}: {format} for {store}: {rows} rows, {points} points{period}").format(
                path=self.path,
                format=self.format,
                store=self.store or _("no store (no points)"),
                rows=self.rows,
                points=self.points,
                period=period,
            )
        )
        if self.skipped:
            text += _(" ({count} rows skipped: titles, totals or no figure)").format(
                count=self.skipped
            )
        notes = [inert("  " + _("note: {note}").format(note=n)) for n in self.notices]
        return "\n".join([text, *notes])


class _OtherZone(AbandonBatch):
    """The file's rows belong to stores whose zone is not the one it was read in."""

    def __init__(self, stores: set[str]) -> None:
        super().__init__(", ".join(sorted(stores)))
        self.stores = stores


def ingest_file(
    store: Store,
    reader: type[Adapter],
    path: Path,
    *,
    store_name: str | None,
    tz_for: Callable[[str], tzinfo],
    default_tz: tzinfo,
    day: date | None = None,
    format: str | None = None,
    source: str = "ingest",
    named: bool = True,
    platform_of: Callable[[str], str] | None = None,
    known_stores: set[str] | None = None,
) -> IngestResult:
    """Read ``path`` and commit it whole, or reject it whole with the reason.

    ``store_name`` is the store of rows that name none (``named``: as the operator named it,
    not a default); ``tz_for`` gives each store's zone; ``default_tz`` is the zone to read
    in when no store is known before reading; ``platform_of`` gives a configured store's
    platform, against which the report's own is checked (a warning, never a refusal);
    ``known_stores``, when given, are the stores a plan sheet may name.
    """
    if not reader.IMPLEMENTS_READ_FILE:
        raise UsageError(_("this adapter cannot read files"))
    problem = _unreadable(path)
    if problem:
        return IngestResult(path=path, ok=False, error=problem)
    tz = tz_for(store_name) if store_name else default_tz
    try:
        try:
            parsed, stores, points = _load(
                store, reader, path, store_name, tz, day, format, source, tz_for, known_stores
            )
        except _OtherZone as exc:
            zones = {str(tz_for(name)) for name in exc.stores}
            if len(zones) > 1:
                listed = ", ".join(f"{name} ({tz_for(name)})" for name in sorted(exc.stores))
                return IngestResult(
                    path=path,
                    ok=False,
                    error=_(
                        "rows for stores in different time zones: {stores}; their local times "
                        "cannot be read in one zone, so nothing was stored; fix: split the "
                        "file by store (one store per file) and load each file"
                    ).format(stores=listed),
                )
            # Every row is one store's: read the file again in that store's zone.
            tz = tz_for(next(iter(exc.stores)))
            parsed, stores, points = _load(
                store, reader, path, store_name, tz, day, format, source, tz_for, known_stores
            )
    except (OpsboardError, InvalidPoint) as exc:
        return IngestResult(path=path, ok=False, error=str(exc))
    except OSError as exc:
        return IngestResult(
            path=path,
            ok=False,
            error=_("cannot read it: {problem}").format(problem=exc.strerror or exc),
        )
    except DatabaseError as exc:
        return IngestResult(
            path=path,
            ok=False,
            error=_("the database refused the write: {problem}; nothing was stored").format(
                problem=exc
            ),
        )
    except (UnicodeError, csv.Error, ValueError) as exc:
        return IngestResult(
            path=path,
            ok=False,
            error=_("cannot read it: {problem}").format(problem=f"{type(exc).__name__}: {exc}"),
        )
    notices = list(parsed.notices)
    if platform_of is not None:
        for name in sorted(stores):
            misplaced = platform_mismatch(name, platform_of(name), parsed.platform)
            if misplaced:
                notices.append(misplaced)
    if named and store_name and stores and store_name not in stores:
        notices.append(
            _(
                "the file names its stores itself ({stores}); --store {store} applies only to "
                "rows whose store cell is empty"
            ).format(stores=", ".join(sorted(stores)), store=store_name)
        )
    return IngestResult(
        path=path,
        ok=True,
        format=parsed.format,
        store=", ".join(sorted(stores))
        if len(stores) <= 3
        else _("{count} stores").format(count=len(stores)),
        rows=parsed.rows or points,
        skipped=parsed.skipped,
        points=points,
        period=parsed.period,
        spans=list(parsed.spans),
        notices=notices,
        stores=sorted(stores),
    )


def _load(
    store: Store,
    reader: type[Adapter],
    path: Path,
    store_name: str | None,
    tz: tzinfo,
    day: date | None,
    format: str | None,
    source: str,
    tz_for: Callable[[str], tzinfo],
    known_stores: set[str] | None = None,
) -> tuple[ParsedFile, set[str], int]:
    """Read and commit one file in one transaction; (parsed, stores written, points).

    Raises ``_OtherZone`` (nothing stored) when the reader took one zone for the file and
    some row belongs to a store of another zone.
    """
    found = os.stat(path)
    parsed: ParsedFile = reader.read_file(path, store=store_name, tz=tz, day=day, format=format)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    file = LoadedFile(str(path), found.st_size, found.st_mtime_ns, found.st_ino, digest.hexdigest())
    with store.batch(
        source=source, origin=str(path), format=parsed.format, store=parsed.store, file=file
    ) as batch:
        points = batch.add_raw(parsed.points)
        batch.add_names(parsed.names)
        points += batch.add_fine(parsed.fine_points)
        targets, planned = add_plan(batch, parsed.plan, str(path), known_stores)
        if parsed.plan is not None:
            parsed.notices.append(
                _("{count} targets kept (see `opsboard targets`)").format(count=targets)
            )
            return parsed, planned, points
        if any(str(tz_for(name)) != str(tz) for name in batch.stores):
            raise _OtherZone(set(batch.stores))
    return parsed, batch.stores, points


def _unreadable(path: Path) -> str:
    """Why ``path`` cannot be ingested as a file, or ``""``."""
    if path.is_dir():
        return _("is a folder, not a file (name the files in it, e.g. folder/*.csv)")
    if not path.exists():
        return _("no such file (check the name and the current folder)")
    if not os.access(path, os.R_OK):
        return _("permission denied (the file is not readable by this user)")
    return ""

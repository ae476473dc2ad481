"""Load files once through a file-reading adapter: the path behind `opsboard ingest`."""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opsboard.adapters import Adapter, ParsedFile
from opsboard.errors import OpsboardError, UsageError
from opsboard.storage.store import InvalidPoint, Store
from opsboard.timeutil import zone


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
    notices: list[str] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        """One or two lines for the terminal."""
        if not self.ok:
            return f"{self.path}: rejected: {self.error}"
        period = f", {self.period[0]} .. {self.period[1]}" if self.period else ""
        text = (
            f"{self.path}: {self.format} for {self.store or 'several stores'}: "
            f"{self.rows} rows, {self.points} points{period}"
        )
        if self.skipped:
            text += f" ({self.skipped} rows skipped: titles, totals or no figure)"
        return "\n".join([text, *(f"  note: {n}" for n in self.notices)])


def ingest_file(
    store: Store,
    reader: type[Adapter],
    path: Path,
    *,
    store_name: str | None,
    timezone: str,
    day: date | None = None,
    format: str | None = None,
    source: str = "ingest",
) -> IngestResult:
    """Read ``path`` and commit it whole, or reject it whole with the reason."""
    if reader.read_file is None:
        raise UsageError("this adapter cannot read files")
    problem = _unreadable(path)
    if problem:
        return IngestResult(path=path, ok=False, error=problem)
    try:
        parsed: ParsedFile = reader.read_file(
            path, store=store_name, tz=zone(timezone), day=day, format=format
        )
        with store.batch(
            source=source, origin=str(path), format=parsed.format, store=parsed.store
        ) as batch:
            points = batch.add_raw(parsed.points)
    except (OpsboardError, InvalidPoint) as exc:
        return IngestResult(path=path, ok=False, error=str(exc))
    except OSError as exc:
        return IngestResult(path=path, ok=False, error=f"cannot read it: {exc.strerror or exc}")
    except sqlite3.Error as exc:
        return IngestResult(
            path=path, ok=False, error=f"the database refused the write: {exc}; nothing was stored"
        )
    except (UnicodeError, csv.Error, ValueError) as exc:
        return IngestResult(
            path=path, ok=False, error=f"cannot read it: {type(exc).__name__}: {exc}"
        )
    return IngestResult(
        path=path,
        ok=True,
        format=parsed.format,
        store=parsed.store,
        rows=parsed.rows or points,
        skipped=parsed.skipped,
        points=points,
        period=parsed.period,
        notices=parsed.notices,
    )


def _unreadable(path: Path) -> str:
    """Why ``path`` cannot be ingested as a file, or ``""``."""
    if path.is_dir():
        return "is a folder, not a file (name the files in it, e.g. folder/*.csv)"
    if not path.exists():
        return "no such file (check the name and the current folder)"
    if not os.access(path, os.R_OK):
        return "permission denied (the file is not readable by this user)"
    return ""

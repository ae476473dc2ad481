"""The options of the drop-folder adapter (``[adapters.options]`` of a ``csv`` source)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator

from opsboard.adapters.api import AdapterOptions, Duration, _, store_name_problem
from opsboard_csv.containers import DEFAULT_MAX_BYTES


def _positive(value: timedelta | None) -> timedelta | None:
    if value is not None and value <= timedelta(0):
        raise ValueError(_("expected a duration above 0, such as 26h"))
    return value


class FolderOptions(AdapterOptions):
    """One watched folder."""

    path: Path
    """The folder operators drop export files into (`~` is expanded)."""

    store: str | None = None
    """The store its files belong to. Leave it out for a folder whose sub-folders are named
    after stores (`drop/tmall-flagship/`, `drop/jd-main/`), each holding that store's files."""

    stale_after: Duration | None = None
    """This folder's own `stale_after` (see the adapter's option of that name)."""

    @field_validator("path")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    _stale = field_validator("stale_after")(_positive)

    @field_validator("store")
    @classmethod
    def _store_name(cls, value: str | None) -> str | None:
        problem = None if value is None else store_name_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class CsvDropOptions(AdapterOptions):
    """Options of the `csv` drop-folder adapter."""

    folders: list[FolderOptions] = Field(min_length=1)
    """The watched folders: `{ path = "...", store = "..." }` per store, or a parent folder
    whose sub-folders are named after stores."""

    max_file_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)
    """Files larger than this are refused unread and moved to the failed folder; so is a
    zip download whose report is larger than this once unpacked."""

    settle_seconds: float = Field(default=0.5, ge=0, le=600)
    """A file is complete when its size and modification time stay the same across two checks
    this far apart; files that arrived while the collector was down are taken at once.
    Files renamed into the folder whole (browser downloads, `mv`) are then on screen within
    a second; a writer that pauses longer than this at the end of a line, in place, gets
    its first part loaded and the whole file read again as soon as it goes on (see
    `incomplete_grace_seconds`): raise it for folders written that way."""

    growing_settle_seconds: float = Field(default=2.0, ge=0, le=3600)
    """A file seen growing between two checks is being written in place (not renamed in):
    it is taken only once it has not changed for this long, since copies over a network
    pause now and then."""

    incomplete_grace_seconds: float = Field(default=60.0, ge=0, le=86400)
    """How long a writer may take to finish a file that looks cut off (empty, no final
    newline, a zip or workbook that cannot be opened yet): until it has not changed for
    this long it stays in the folder and is checked again, then it is refused. A loaded or
    refused file that changes within this time after it was moved is taken back and read
    again."""

    stale_after: Duration | None = None
    """Report a store's source as stale when no file of it has loaded for this long (e.g.
    `26h` for daily T+1 exports), so that a `source` alert rule can say that the exports
    stopped; leave it out for folders fed at no fixed rhythm. A folder's own `stale_after`
    wins."""

    use_polling: bool = False
    """Poll the folders instead of using filesystem events (network shares, some containers)."""

    rescan_seconds: float = Field(default=10.0, ge=0, le=3600)
    """While filesystem events arrive, a poll with no event and no file settling skips the
    folder scan; a full scan still runs at least this often, for events a file system did
    not send. `0` scans on every poll. Without events every poll scans."""

    processed_dir: Path = Path("processed")
    """Where loaded files go; relative paths are inside each store's folder."""

    failed_dir: Path = Path("failed")
    """Where refused files go, each beside `<name>.error.txt`; relative to each store's folder."""

    _stale = field_validator("stale_after")(_positive)

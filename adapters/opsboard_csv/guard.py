"""A dropped file's points as the collector consumes them inside its write transaction.

Unexpected reader failures become a refusal of the file, and once the last point has been
read the file is looked at again: if its size, modification time or inode changed since
it was found complete, its writer was still at work, so ``FileChanged`` is raised there,
before the commit, and the transaction rolls back (the folder reads it again once it has
settled).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from opsboard.adapters.api import (
    BatchWriter,
    BulkPoints,
    CheckedPoints,
    InvalidPoint,
    OpsboardError,
    RawPoint,
    RejectedInput,
    _,
)
from opsboard_csv.errors import FileChanged, IncompleteFile

_Row = TypeVar("_Row")


def raising(exc: Exception) -> Iterator[RawPoint]:
    """Points that fail when read: a refusal travels through the collector like a bad row."""
    raise exc
    yield  # pragma: no cover - makes this a generator


def unchanged(path: Path, identity: tuple[int, int, int]) -> Callable[[], None]:
    """A check raising ``FileChanged`` when ``path`` no longer has (size, mtime, inode)."""

    def check() -> None:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise FileChanged(
                _("{file}: the file went away while it was read").format(file=path.name)
            ) from None
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != identity:
            raise FileChanged(
                _(
                    "{file}: the file changed while it was read (it was "
                    "{was} bytes, it is {size}): it is still being written"
                ).format(file=path.name, was=identity[0], size=stat.st_size),
                hint=_("nothing was stored; it is read again once it stops changing"),
            )

    return check


class Guarded:
    """A file's points, turning unexpected reader failures into a refusal of the file.

    ``started`` tells whether the collector began reading them: a refusal before that came
    from the database (locked, read-only), not from the file. ``incomplete`` holds the
    refusal when the file looked cut off or changed while it was read.
    """

    def __init__(
        self, points: Iterable[RawPoint], name: str, verify: Callable[[], None] | None = None
    ) -> None:
        self.points = points
        self.name = name
        self.verify = verify
        self.started = False
        self.incomplete: IncompleteFile | None = None

    def __iter__(self) -> Iterator[RawPoint]:
        self.started = True
        return self._guard(iter(self.points))

    def _guard(self, rows: Iterator[_Row]) -> Iterator[_Row]:
        try:
            yield from rows
            if self.verify is not None:
                self.verify()
        except IncompleteFile as exc:
            self.incomplete = exc
            raise
        except (OpsboardError, InvalidPoint):
            raise
        except Exception as exc:
            message = _("{file}: could not be read: {error}").format(
                file=self.name, error=f"{type(exc).__name__}: {exc}"
            )
            raise RejectedInput(message) from exc


class GuardedBulk(Guarded):
    """``Guarded`` over points that write themselves (``BulkPoints``)."""

    def __init__(
        self, points: BulkPoints, name: str, verify: Callable[[], None] | None = None
    ) -> None:
        super().__init__(points, name, verify)
        self.bulk = points

    def series_values(self, batch: BatchWriter) -> Iterator[tuple[int, int, float, int]]:
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


class GuardedChecked(Guarded):
    """``Guarded`` over points with a check of their own (``CheckedPoints``)."""

    def __init__(
        self, points: CheckedPoints, name: str, verify: Callable[[], None] | None = None
    ) -> None:
        super().__init__(points, name, verify)
        self.checked = points

    def check(self, batch: BatchWriter) -> None:
        """The points' own check: a refusal of the file, not of the database."""
        self.started = True
        self.checked.check(batch)


def guarded(
    points: Iterable[RawPoint], name: str, verify: Callable[[], None] | None = None
) -> Guarded:
    """``points`` guarded, in the form (plain, bulk or checked) the store takes them."""
    if isinstance(points, BulkPoints):
        return GuardedBulk(points, name, verify)
    if isinstance(points, CheckedPoints):
        return GuardedChecked(points, name, verify)
    return Guarded(points, name, verify)

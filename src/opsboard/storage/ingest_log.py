"""The ingest history as the alert engine reads it: which ingests landed since a mark, for
which stores and periods, which sources feed which stores, and which files were rejected.

Each read takes the ``Store`` and returns typed rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsboard.storage.store import Store


@dataclass(frozen=True, slots=True)
class IngestSpan:
    """One ingest's store and the span of periods its points cover (epoch seconds)."""

    id: int
    store: str
    period_start: int
    period_end: int
    points: int


@dataclass(frozen=True, slots=True)
class RejectedFile:
    """A file whose latest rejection no later load of the same file made good."""

    origin: str
    store: str
    reason: str | None


def latest_ingest(store: Store) -> int | None:
    """The id of the newest ingest, None when there is none."""
    found = store.conn.execute("SELECT max(id) FROM ingests").fetchone()[0]
    return None if found is None else int(found)


def stores_fed_by(store: Store, source: str) -> list[str]:
    """The stores ``source`` has loaded data for."""
    rows = store.conn.execute(
        "SELECT DISTINCT store FROM ingests WHERE source = ? AND status = 'loaded' AND store != ''",
        (source,),
    )
    return [name for (name,) in rows]


def loaded_since(store: Store, mark: int, store_name: str) -> bool:
    """True when an ingest after ``mark`` loaded data for ``store_name`` (or for no store)."""
    found = store.conn.execute(
        "SELECT 1 FROM ingests WHERE id > ? AND status = 'loaded' AND store IN (?, '') LIMIT 1",
        (mark, store_name),
    ).fetchone()
    return found is not None


def ingests_within(
    store: Store, since: int, store_name: str, start: int | None, end: int | None
) -> list[IngestSpan]:
    """Ingests after ``since`` for ``store_name`` (or for no store) whose periods reach into
    [start, end] (None: open)."""
    rows = store.conn.execute(
        "SELECT id, store, period_start, period_end, points FROM ingests "
        "WHERE id > ? AND store IN (?, '') AND period_start < ? AND period_end >= ?",
        (since, store_name, end if end is not None else 1 << 62, start or 0),
    )
    return [IngestSpan(*row) for row in rows]


def rejected_files(store: Store, since: datetime) -> list[RejectedFile]:
    """Files rejected since ``since``, unless the same file loaded after, per store."""
    rows = store.conn.execute(
        "SELECT r.origin, r.store, r.message, max(r.id) FROM ingests r "
        "WHERE r.status = 'rejected' AND r.finished_at >= ? AND NOT EXISTS ("
        "SELECT 1 FROM ingests l WHERE l.origin = r.origin AND l.status = 'loaded' "
        "AND l.id > r.id) GROUP BY r.origin, r.store",
        (since.isoformat(timespec="seconds"),),
    )
    return [RejectedFile(origin, store_name, reason) for origin, store_name, reason, _id in rows]

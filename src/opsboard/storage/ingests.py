"""The ``ingests`` table: the history of every load, loaded, rejected or failed.

An ``IngestBatch`` writes the record of its own load with its points; here are the
records of refused loads and the questions the review, the alert engine and the adapters
ask of the history.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from opsboard.points import LoadedPeriod
from opsboard.storage.connection import Database, now_iso


class Arrival(NamedTuple):
    """A loaded ingest: its source, the first and last period start it held, and when it
    was committed (ISO text, None while loading)."""

    source: str
    period_start: int
    period_end: int
    finished_at: str | None


class Delivery(NamedTuple):
    """When a source committed a load (ISO text)."""

    source: str
    finished_at: str


class Refusal(NamedTuple):
    """A rejected or failed ingest: what was refused, why, and when it started."""

    source: str
    origin: str
    message: str | None
    started_at: str


def record_failed(
    store: Database, *, source: str, origin: str, format: str, store_name: str, message: str
) -> None:
    """Record a rejected ingest (outside the rolled-back transaction)."""
    now = now_iso()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO ingests (source, origin, format, store, status, started_at, "
            "finished_at, message) VALUES (?, ?, ?, ?, 'rejected', ?, ?, ?)",
            (source, origin, format, store_name, now, now, message[:2000]),
        )


def recent(store: Database, limit: int = 50) -> list[dict[str, Any]]:
    """The most recent ingests, newest first, each as its columns by name."""
    return list(store.db.query("SELECT * FROM ingests ORDER BY id DESC LIMIT ?", [limit]))


def newest_id(store: Database) -> int | None:
    """The id of the newest ingest (None before the first): it changes with every load."""
    found = store.conn.execute("SELECT max(id) FROM ingests").fetchone()[0]
    return None if found is None else int(found)


def arrivals(store: Database, store_name: str, start: int, end: int) -> Iterator[Arrival]:
    """Loaded ingests of ``store_name`` (or of every store) whose periods meet [start, end)."""
    for source, low, high, finished in store.conn.execute(
        "SELECT source, period_start, period_end, finished_at FROM ingests "
        "WHERE status = 'loaded' AND store IN (?, '') AND period_end >= ? AND period_start < ?",
        (store_name, start, end),
    ):
        yield Arrival(source, low, high, finished)


def deliveries(store: Database, store_name: str, since: str, until: str) -> Iterator[Delivery]:
    """Loads of ``store_name`` (or of every store) committed in [since, until), in order."""
    for source, finished in store.conn.execute(
        "SELECT source, finished_at FROM ingests WHERE status = 'loaded' AND store IN (?, '') "
        "AND finished_at >= ? AND finished_at < ? ORDER BY finished_at",
        (store_name, since, until),
    ):
        yield Delivery(source, finished)


def refusals(store: Database, store_name: str, limit: int = 200) -> list[Refusal]:
    """The newest rejected or failed ingests of ``store_name`` (or of every store)."""
    rows = store.conn.execute(
        "SELECT source, origin, message, started_at FROM ingests "
        "WHERE status IN ('rejected', 'failed') AND store IN (?, '') "
        "ORDER BY id DESC LIMIT ?",
        (store_name, limit),
    ).fetchall()
    return [Refusal(*row) for row in rows]


def standing_refusals(store: Database, store_name: str, limit: int = 200) -> list[Refusal]:
    """Refusals of ``store_name`` (or of every store) not made good since: the newest
    refusal of each file, unless the same file loaded after it. Pages with no origin are
    each their own."""
    rows = store.conn.execute(
        "SELECT r.source, r.origin, r.message, r.started_at FROM ingests r "
        "WHERE r.status IN ('rejected', 'failed') AND r.store IN (?, '') AND ("
        "r.origin = '' OR (r.id = (SELECT max(x.id) FROM ingests x WHERE x.origin = r.origin "
        "AND x.status IN ('rejected', 'failed')) AND NOT EXISTS (SELECT 1 FROM ingests l "
        "WHERE l.origin = r.origin AND l.status = 'loaded' AND l.id > r.id))) "
        "ORDER BY r.id DESC LIMIT ?",
        (store_name, limit),
    ).fetchall()
    return [Refusal(*row) for row in rows]


def refusal_of(store: Database, origin: str) -> Refusal | None:
    """The newest refusal of the file (or page) ``origin``, with its whole reason."""
    row = store.conn.execute(
        "SELECT source, origin, message, started_at FROM ingests "
        "WHERE status IN ('rejected', 'failed') AND origin = ? ORDER BY id DESC LIMIT 1",
        (origin,),
    ).fetchone()
    return None if row is None else Refusal(*row)


def loaded_format(
    store: Database, store_name: str, formats: list[str], first: int, last: int
) -> LoadedPeriod | None:
    """One of ``formats`` loaded for ``store_name`` with periods meeting [first, last], with
    its loaded span there; None when none is."""
    marks = ",".join("?" * len(formats))
    found = store.conn.execute(
        "SELECT format, min(period_start), max(period_end) FROM ingests "
        f"WHERE status = 'loaded' AND store = ? AND format IN ({marks}) "
        "AND period_start <= ? AND period_end >= ? GROUP BY format LIMIT 1",
        (store_name, *formats, last, first),
    ).fetchone()
    return None if found is None else LoadedPeriod(*found)


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


def stores_fed_by(store: Database, source: str) -> list[str]:
    """The stores ``source`` has loaded data for."""
    rows = store.conn.execute(
        "SELECT DISTINCT store FROM ingests WHERE source = ? AND status = 'loaded' AND store != ''",
        (source,),
    )
    return [name for (name,) in rows]


def loaded_since(store: Database, mark: int, store_name: str) -> bool:
    """True when an ingest after ``mark`` loaded data for ``store_name`` (or for no store)."""
    found = store.conn.execute(
        "SELECT 1 FROM ingests WHERE id > ? AND status = 'loaded' AND store IN (?, '') LIMIT 1",
        (mark, store_name),
    ).fetchone()
    return found is not None


def ingests_within(
    store: Database, since: int, store_name: str, start: int | None, end: int | None
) -> list[IngestSpan]:
    """Ingests after ``since`` for ``store_name`` (or for no store) whose periods reach into
    [start, end] (None: open)."""
    rows = store.conn.execute(
        "SELECT id, store, period_start, period_end, points FROM ingests "
        "WHERE id > ? AND store IN (?, '') AND period_start < ? AND period_end >= ?",
        (since, store_name, end if end is not None else 1 << 62, start or 0),
    )
    return [IngestSpan(*row) for row in rows]


def rejected_files(store: Database, since: datetime) -> list[RejectedFile]:
    """Files rejected since ``since``, unless the same file loaded after, per store."""
    rows = store.conn.execute(
        "SELECT r.origin, r.store, r.message, max(r.id) FROM ingests r "
        "WHERE r.status = 'rejected' AND r.finished_at >= ? AND NOT EXISTS ("
        "SELECT 1 FROM ingests l WHERE l.origin = r.origin AND l.status = 'loaded' "
        "AND l.id > r.id) GROUP BY r.origin, r.store",
        (since.isoformat(timespec="seconds"),),
    )
    return [RejectedFile(origin, store_name, reason) for origin, store_name, reason, _id in rows]


@dataclass(frozen=True, slots=True)
class IngestRecord:
    """One load as the history keeps it: a file or an API poll, loaded or refused."""

    id: int
    source: str
    origin: str
    format: str
    store: str
    status: str
    started_at: str
    finished_at: str | None
    points: int
    period_start: int | None
    period_end: int | None
    message: str


def history(
    store: Database, *, after: int = 0, exclude: Collection[str] = (), limit: int = 200
) -> list[IngestRecord]:
    """The newest loads after id ``after``, newest first, leaving out the sources in
    ``exclude`` (an API polled every minute would bury the files)."""
    marks = ",".join("?" * len(exclude))
    where = f"AND source NOT IN ({marks})" if exclude else ""
    rows = store.conn.execute(
        "SELECT id, source, origin, format, store, status, started_at, finished_at, points, "
        f"period_start, period_end, message FROM ingests WHERE id > ? {where} "
        "ORDER BY id DESC LIMIT ?",
        (after, *exclude, limit),
    ).fetchall()
    return [IngestRecord(*row) for row in rows]


def last_loaded(store: Database) -> dict[str, str]:
    """When each source last committed a load (ISO text), by source."""
    rows = store.conn.execute(
        "SELECT source, max(finished_at) FROM ingests WHERE status = 'loaded' GROUP BY source"
    )
    return {str(source): str(at) for source, at in rows if at}

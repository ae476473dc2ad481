"""The ``targets`` table: goals loaded from plan sheets (DESIGN.md 4.6).

A plan sheet is loaded like an export, in the batch of its file: its targets commit with
the ingest record or not at all. A target of the same store, metric and scope on any of
the same days as a newer one is replaced by it (the newest sheet wins), so that loading a
revised plan does not leave two goals for one day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from opsboard.storage.connection import Database, now_iso


@dataclass(frozen=True)
class StoredTarget:
    """One row of the ``targets`` table; days are ISO dates, local to the store."""

    store: str
    metric: str
    scope: str
    first_day: str
    last_day: str
    period: str
    value: float
    direction: str
    origin: str = ""


def write(conn: sqlite3.Connection, targets: Iterable[StoredTarget], ingest_id: int) -> int:
    """Store ``targets`` inside the caller's transaction, each replacing the older targets
    of its store, metric and scope that share a day with it; returns how many."""
    now = now_iso()
    count = 0
    for t in targets:
        conn.execute(
            "DELETE FROM targets WHERE store = ? AND metric = ? AND scope = ? "
            "AND first_day <= ? AND last_day >= ?",
            (t.store, t.metric, t.scope, t.last_day, t.first_day),
        )
        conn.execute(
            "INSERT INTO targets (store, metric, scope, first_day, last_day, period, value, "
            "direction, origin, ingest_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                t.store,
                t.metric,
                t.scope,
                t.first_day,
                t.last_day,
                t.period,
                t.value,
                t.direction,
                t.origin,
                ingest_id,
                now,
            ),
        )
        count += 1
    return count


def stored(database: Database, store: str | None = None) -> list[StoredTarget]:
    """The stored targets (of ``store``, when given), by store, metric, scope and day."""
    sql = (
        "SELECT store, metric, scope, first_day, last_day, period, value, direction, origin "
        "FROM targets"
    )
    args: tuple[str, ...] = ()
    if store is not None:
        sql += " WHERE store = ?"
        args = (store,)
    rows = database.conn.execute(sql + " ORDER BY store, metric, scope, first_day", args)
    return [
        StoredTarget(str(s), str(m), str(sc), str(f), str(la), str(p), float(v), str(d), str(o))
        for s, m, sc, f, la, p, v, d, o in rows.fetchall()
    ]

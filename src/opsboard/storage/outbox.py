"""The delivery tables: ``alert_outbox`` (messages waiting for a notifier) and
``notifications`` (the outcome of every delivery tried).

Messages are kept as the JSON objects their notifiers are handed; the policy (order,
retries, backoff, backlog) lives in ``opsboard.alerts.outbox``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opsboard.storage.alert_writes import ToldMark
from opsboard.storage.alerts import iso
from opsboard.storage.connection import Database
from opsboard.storage.failures import DatabaseError


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A message to queue for one notifier, made at ``at``."""

    notifier: str
    message: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxHead:
    """Where one queued message stands: its notifier, tries so far and next try."""

    id: int
    notifier: str
    attempts: int
    next_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One queued message with its history."""

    id: int
    notifier: str
    message: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """The outcome of one delivery tried: ``sent`` or ``failed``, with the error."""

    at: datetime
    notifier: str
    status: str
    title: str
    alert_ids: list[int]
    error: str


def insert(conn: sqlite3.Connection, queued: Iterable[QueuedMessage]) -> None:
    """Queue messages inside the caller's transaction (one of storage's own)."""
    conn.executemany(
        "INSERT INTO alert_outbox (notifier, created_at, message, next_at) VALUES (?, ?, ?, ?)",
        [
            (q.notifier, iso(q.at), json.dumps(q.message, ensure_ascii=False, default=str),
             iso(q.at))
            for q in queued
        ],
    )  # fmt: skip


class Outbox:
    """The delivery tables of one store (``store.outbox``)."""

    def __init__(self, store: Database) -> None:
        self._store = store

    def exists(self) -> bool:
        """True when the store has an outbox table (a viewer's read-only store may not)."""
        row = self._store.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'"
        ).fetchone()
        return row is not None

    def queue(self, queued: Sequence[QueuedMessage]) -> None:
        """Queue messages for their notifiers."""
        with self._store.transaction() as conn:
            insert(conn, queued)

    def queue_told(self, marks: Sequence[ToldMark], queued: Sequence[QueuedMessage]) -> None:
        """Record alerts as told and, in the same transaction, queue the messages telling
        them for their notifiers, so that none is lost or sent twice."""
        with self._store.transaction() as conn:
            conn.executemany(
                "UPDATE alerts SET last_notified_at = ?, last_notified_state = ? WHERE id = ?",
                [(iso(m.at), str(m.state), m.alert_id) for m in marks],
            )
            insert(conn, queued)

    def heads(self) -> list[OutboxHead]:
        """Every queued message, oldest first, without its text."""
        rows = self._store.conn.execute(
            "SELECT id, notifier, attempts, next_at FROM alert_outbox ORDER BY id"
        )
        return [
            OutboxHead(entry_id, notifier, int(attempts), datetime.fromisoformat(next_at))
            for entry_id, notifier, attempts, next_at in rows
        ]

    def entry(self, entry_id: int) -> OutboxEntry | None:
        """One queued message, None when it is gone."""
        row = self._store.conn.execute(
            "SELECT id, notifier, message, attempts, created_at FROM alert_outbox WHERE id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            return None
        return OutboxEntry(
            row[0], row[1], json.loads(row[2]), int(row[3]), datetime.fromisoformat(row[4])
        )

    def over(self, backlog: int) -> dict[str, int]:
        """Per notifier with more than ``backlog`` messages queued, how many more."""
        rows = self._store.conn.execute(
            "SELECT notifier, count(*) - ? FROM alert_outbox GROUP BY notifier HAVING count(*) > ?",
            (backlog, backlog),
        )
        return {notifier: int(extra) for notifier, extra in rows}

    def drop_oldest(self, notifier: str, count: int) -> int:
        """Drop the ``count`` oldest messages of ``notifier``; returns how many went."""
        with self._store.transaction() as conn:
            return conn.execute(
                "DELETE FROM alert_outbox WHERE id IN (SELECT id FROM alert_outbox "
                "WHERE notifier = ? ORDER BY id LIMIT ?)",
                (notifier, count),
            ).rowcount

    def remove(self, entry_ids: Sequence[int]) -> None:
        """Forget queued messages."""
        if entry_ids:
            with self._store.transaction() as conn:
                conn.executemany("DELETE FROM alert_outbox WHERE id = ?", [(i,) for i in entry_ids])

    def retry_later(self, entry_id: int, attempts: int, next_at: datetime, error: str) -> None:
        """Record a failed try of a queued message and when to try it next."""
        with self._store.transaction() as conn:
            conn.execute(
                "UPDATE alert_outbox SET attempts = ?, next_at = ?, error = ? WHERE id = ?",
                (attempts, iso(next_at), error, entry_id),
            )

    def notifiers(self) -> list[str]:
        """The notifiers that have messages queued."""
        rows = self._store.conn.execute("SELECT DISTINCT notifier FROM alert_outbox")
        return [name for (name,) in rows]

    def drop_notifiers(self, names: Sequence[str]) -> int:
        """Drop every message queued for ``names``; returns how many went."""
        with self._store.transaction() as conn:
            count = 0
            for name in names:
                count += conn.execute(
                    "DELETE FROM alert_outbox WHERE notifier = ?", (name,)
                ).rowcount
        return count

    def pending(self) -> dict[str, int]:
        """How many messages wait, per notifier."""
        rows = self._store.conn.execute(
            "SELECT notifier, count(*) FROM alert_outbox GROUP BY notifier"
        )
        return {notifier: int(count) for notifier, count in rows}

    # -- the delivery log ------------------------------------------------------------------

    def record_deliveries(self, records: Sequence[DeliveryRecord]) -> None:
        """Keep the outcome of deliveries tried."""
        if records:
            with self._store.transaction() as conn:
                conn.executemany(
                    "INSERT INTO notifications (at, notifier, status, title, alert_ids, error) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (iso(r.at), r.notifier, r.status, r.title, json.dumps(r.alert_ids),
                         r.error)
                        for r in records
                    ],
                )  # fmt: skip

    def deliveries_of(self, alert_id: int, limit: int = 20) -> list[DeliveryRecord]:
        """The newest ``limit`` deliveries tried that carried alert ``alert_id``."""
        rows = self._store.conn.execute(
            "SELECT at, notifier, status, title, alert_ids, error FROM notifications "
            "WHERE EXISTS (SELECT 1 FROM json_each(alert_ids) WHERE value = ?) "
            "ORDER BY id DESC LIMIT ?",
            (alert_id, limit),
        )
        return _delivery_records(rows)

    def failures_since(self, since: datetime, limit: int = 5) -> list[DeliveryRecord]:
        """The newest ``limit`` failed deliveries since ``since``."""
        rows = self._store.conn.execute(
            "SELECT at, notifier, status, title, alert_ids, error FROM notifications "
            "WHERE status = 'failed' AND at >= ? ORDER BY id DESC LIMIT ?",
            (since.isoformat(timespec="seconds"), limit),
        )
        return _delivery_records(rows)


def _delivery_records(rows: Iterable[tuple[Any, ...]]) -> list[DeliveryRecord]:
    """``DeliveryRecord`` values of (at, notifier, status, title, alert_ids, error) rows."""
    return [
        DeliveryRecord(
            datetime.fromisoformat(at), notifier, status, title, json.loads(ids or "[]"),
            error or "",
        )
        for at, notifier, status, title, ids, error in rows
    ]  # fmt: skip


class DeliveryLedger:
    """Records a confirmed delivery at once, from the notifier's own thread: its outbox entry
    goes and its ``sent`` record is kept in one transaction, on a connection of the ledger's
    own (the store's connection belongs to the collector's thread). A crash can then repeat
    only a message whose confirmation came in the milliseconds before it, never every
    message delivered since the last evaluation.

    An in-memory store has no file to open twice: there ``confirm`` returns False and the
    collector records deliveries as before, when it next settles them.
    """

    def __init__(self, store: Database, busy_timeout: float = 10.0) -> None:
        self.path = store.path
        self.busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(
                f"file:{self.path}?mode=rw",
                uri=True,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        return self._conn

    def confirm(self, entry_id: int, record: DeliveryRecord) -> bool:
        """Forget outbox entry ``entry_id`` and keep ``record``; True once committed."""
        if self.path is None:
            return False
        with self._lock:
            try:
                conn = self._open()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM alert_outbox WHERE id = ?", (entry_id,))
                    conn.execute(
                        "INSERT INTO notifications (at, notifier, status, title, alert_ids, "
                        "error) VALUES (?, ?, ?, ?, ?, ?)",
                        (iso(record.at), record.notifier, record.status, record.title,
                         json.dumps(record.alert_ids), record.error),
                    )  # fmt: skip
                except BaseException:
                    if conn.in_transaction:  # a full disk ends it by itself
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except DatabaseError:
                return False  # recorded later by the collector, as before
        return True

    def close(self) -> None:
        """Close the ledger's connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

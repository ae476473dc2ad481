"""The alert tables: ``alerts`` (one row per episode) and ``alert_acks``.

Rows come out typed (``StoredAlert``, ``Ack``) and go in as the writes the alert engine
decides (``opsboard.storage.alert_writes``). Times are stored as UTC ISO text, which
sorts as time does; ``labels`` and ``detail`` as JSON objects.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from opsboard.models import OPEN_STATES, AlertState
from opsboard.storage.alert_writes import (
    AlertWrite,
    Fire,
    NewAlert,
    Quiet,
    Refresh,
    Resolve,
    Seen,
)
from opsboard.storage.connection import Database


def iso(instant: datetime) -> str:
    """``instant`` as stored: UTC, to the second."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _object(text: str | None) -> dict[str, Any]:
    return {} if not text or text == "{}" else dict(json.loads(text))


# -- rows out ----------------------------------------------------------------------------


# A NamedTuple rather than a frozen dataclass: it is made for every open alert every cycle,
# and a tuple is made several times faster.
class StoredAlert(NamedTuple):
    """One row of ``alerts``: one episode of one rule breaking for one scope."""

    id: int
    rule: str
    store: str
    scope: str
    state: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    quiet: str = ""
    # Why the alert is not being told, as the engine last judged it (empty: it is).
    labels_json: str = "{}"
    detail_json: str = "{}"
    pending_since: datetime | None = None
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    last_seen: datetime | None = None
    last_notified_at: datetime | None = None
    last_notified_state: str | None = None

    # Labels and detail are read where they are used: a cycle reads every open alert and
    # needs them only for the few it tells or closes.
    @property
    def labels(self) -> dict[str, str]:
        """The rule's labels, for routing notifications."""
        return _object(self.labels_json)

    @property
    def detail(self) -> dict[str, Any]:
        """The observation's fields as shown, and ``quiet``."""
        return _object(self.detail_json)

    @property
    def key(self) -> tuple[str, str, str]:
        """What one episode is of: (rule, store, scope)."""
        return (self.rule, self.store, self.scope)


@dataclass(frozen=True, slots=True)
class Ack:
    """An acknowledgement of an alert: who, when (stored ISO text as a time) and a note."""

    alert_id: int
    by: str
    at: datetime
    note: str


class AckedAlert(NamedTuple):
    """An alert with its latest acknowledgement (None: nobody acknowledged it)."""

    alert: StoredAlert
    ack: Ack | None


class TellableAlert(NamedTuple):
    """An alert that may be told, and whether anyone acknowledged it (then it is not
    repeated)."""

    alert: StoredAlert
    acknowledged: bool


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """An alert that fired, for a day's review: its times as the stored text."""

    id: int
    rule: str
    scope: str
    severity: str
    state: str
    message: str
    fired_at: str
    resolved_at: str | None


@dataclass(frozen=True, slots=True)
class AckText:
    """An acknowledgement for a day's review: its time as the stored text."""

    by: str
    at: str
    note: str


_STORED = (
    "a.id, a.rule, a.store, a.scope, a.state, a.severity, a.value, a.threshold, a.message, "
    "coalesce(json_extract(a.detail, '$.quiet'), ''), a.labels, a.detail, a.pending_since, "
    "a.fired_at, a.resolved_at, a.last_seen, a.last_notified_at, a.last_notified_state"
)
# The latest acknowledgement of each alert.
_ACKED = (
    f"SELECT {_STORED}, k.alert_id, k.by, k.at, k.note FROM alerts a LEFT JOIN alert_acks k "
    "ON k.id = (SELECT max(id) FROM alert_acks WHERE alert_id = a.id)"
)
_OPEN = f"a.state IN ({','.join(repr(str(s)) for s in OPEN_STATES)})"


def _stored(row: Sequence[Any]) -> StoredAlert:
    # Positional and inline: a cycle reads every open alert, hundreds in a storm.
    (alert_id, rule, store, scope, state, severity, value, threshold, message, quiet, labels,
     detail, pending, fired, resolved, last_seen, notified, notified_state, *_) = row  # fmt: skip
    parse = datetime.fromisoformat
    return StoredAlert(
        alert_id, rule, store, scope, state, severity, value, threshold, message, str(quiet),
        labels or "{}", detail or "{}", parse(pending) if pending else None,
        parse(fired) if fired else None, parse(resolved) if resolved else None,
        parse(last_seen) if last_seen else None, parse(notified) if notified else None,
        notified_state,
    )  # fmt: skip


def _acked(row: Sequence[Any]) -> AckedAlert:
    ack = None
    if row[18] is not None:
        ack = Ack(row[18], row[19], datetime.fromisoformat(row[20]), row[21] or "")
    return AckedAlert(_stored(row), ack)


class Revision:
    """The open alerts as one transaction read them, and the writes that follow."""

    def __init__(self, conn: sqlite3.Connection, open_alerts: list[StoredAlert]) -> None:
        self._conn = conn
        self.open_alerts = open_alerts
        self._stamps: dict[datetime, str] = {}

    def _stamp(self, at: datetime) -> str:
        # One evaluation writes hundreds of rows at one instant.
        found = self._stamps.get(at)
        if found is None:
            found = self._stamps[at] = iso(at)
        return found

    def write(self, writes: Iterable[AlertWrite]) -> list[int]:
        """Make ``writes`` in order; returns the ids of the new alerts, in order."""
        new_ids: list[int] = []
        seen: list[tuple[Any, ...]] = []
        refreshed: list[tuple[Any, ...]] = []
        marks: list[tuple[Any, ...]] = []
        for write in writes:
            if isinstance(write, Seen):
                seen.append((write.value, write.threshold, self._stamp(write.at), write.id))
            elif isinstance(write, Refresh):
                stamp = self._stamp(write.at)
                refreshed.append((write.value, write.threshold, write.message,
                                  _json(write.detail), stamp, stamp, write.id))  # fmt: skip
            elif isinstance(write, Quiet):
                marks.append((write.reason or None, self._stamp(write.at), write.id))
            elif isinstance(write, NewAlert):
                stamp = self._stamp(write.at)
                cursor = self._conn.execute(
                    "INSERT INTO alerts (rule, store, scope, state, severity, value, "
                    "threshold, message, labels, pending_since, fired_at, updated_at, "
                    "detail, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        write.rule, write.store, write.scope, str(write.state),
                        str(write.severity), write.value, write.threshold, write.message,
                        json.dumps(write.labels, ensure_ascii=False), iso(write.pending_since),
                        stamp if write.state == AlertState.FIRING else None, stamp,
                        _json(write.detail), stamp,
                    ),
                )  # fmt: skip
                new_ids.append(int(cursor.lastrowid or 0))
            elif isinstance(write, Fire):
                stamp = self._stamp(write.at)
                self._conn.execute(
                    "UPDATE alerts SET state = 'firing', fired_at = ?, value = ?, "
                    "threshold = ?, message = ?, updated_at = ?, last_seen = ?, detail = ? "
                    "WHERE id = ?",
                    (stamp, write.value, write.threshold, write.message, stamp, stamp,
                     _json(write.detail), write.id),
                )  # fmt: skip
            elif isinstance(write, Resolve):
                if write.reading is not None:
                    self._conn.execute(
                        "UPDATE alerts SET value = ?, threshold = ?, detail = ? WHERE id = ?",
                        (write.reading.value, write.reading.threshold,
                         _json(write.reading.detail), write.id),
                    )  # fmt: skip
                stamp = self._stamp(write.at)
                self._conn.execute(
                    "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ?, "
                    "message = coalesce(?, message), detail = json_remove(detail, '$.quiet') "
                    "WHERE id = ?",
                    (stamp, stamp, write.message, write.id),
                )
            else:
                self._conn.execute("DELETE FROM alerts WHERE id = ?", (write.id,))
        self._conn.executemany(
            "UPDATE alerts SET value = ?, threshold = ?, last_seen = ? WHERE id = ?", seen
        )
        self._conn.executemany(
            "UPDATE alerts SET value = ?, threshold = ?, message = ?, detail = ?, "
            "updated_at = ?, last_seen = ? WHERE id = ?",
            refreshed,
        )
        self._conn.executemany(
            "UPDATE alerts SET detail = CASE WHEN ?1 IS NULL THEN json_remove(detail, "
            "'$.quiet') ELSE json_set(detail, '$.quiet', ?1) END, updated_at = ?2 "
            "WHERE id = ?3",
            marks,
        )
        return new_ids


class AlertTables:
    """The alert tables of one store (``store.alerts``)."""

    def __init__(self, store: Database) -> None:
        self._store = store

    # -- alerts, read ----------------------------------------------------------------------

    def open_alerts(self) -> list[StoredAlert]:
        """Every open alert: pending, firing or a strategic loss."""
        rows = self._store.conn.execute(f"SELECT {_STORED} FROM alerts a WHERE {_OPEN}")
        return [_stored(row) for row in rows]

    def open_keys(self) -> set[tuple[str, str, str]]:
        """The (rule, store, scope) of every open alert."""
        rows = self._store.conn.execute(
            f"SELECT a.rule, a.store, a.scope FROM alerts a WHERE {_OPEN}"
        )
        return {(rule, store, scope) for rule, store, scope in rows}

    def suppressed_stores(self) -> set[str]:
        """Stores with a pending or firing alert a failing source suppresses."""
        rows = self._store.conn.execute(
            "SELECT DISTINCT store FROM alerts WHERE state IN ('pending', 'firing') "
            "AND json_extract(detail, '$.quiet') LIKE 'suppressed%'"
        )
        return {store for (store,) in rows}

    def firing_told(self) -> list[StoredAlert]:
        """Firing alerts that nothing keeps quiet (silences aside)."""
        rows = self._store.conn.execute(
            f"SELECT {_STORED} FROM alerts a WHERE a.state = 'firing' "
            "AND json_extract(a.detail, '$.quiet') IS NULL"
        )
        return [_stored(row) for row in rows]

    def to_tell(self) -> list[TellableAlert]:
        """Firing alerts, and resolved ones last told as firing: what notices are made of."""
        rows = self._store.conn.execute(
            f"SELECT {_STORED}, EXISTS (SELECT 1 FROM alert_acks k WHERE k.alert_id = a.id) "
            "FROM alerts a WHERE a.state = 'firing' OR "
            "(a.state = 'resolved' AND a.last_notified_state = 'firing')"
        )
        return [TellableAlert(_stored(row), bool(row[-1])) for row in rows]

    def listed(
        self, store_name: str | None = None, *, resolved_since: datetime | None = None
    ) -> list[AckedAlert]:
        """Open alerts (of one store), and those resolved since ``resolved_since``."""
        where = _OPEN
        params: list[Any] = []
        if resolved_since is not None:
            where = f"({where} OR (a.state = 'resolved' AND a.resolved_at >= ?))"
            params.append(iso(resolved_since))
        if store_name is not None:
            where += " AND a.store = ?"
            params.append(store_name)
        rows = self._store.conn.execute(f"{_ACKED} WHERE {where}", params)
        return [_acked(row) for row in rows]

    def get(self, alert_id: int) -> AckedAlert | None:
        """One alert by id, None when there is none."""
        row = self._store.conn.execute(f"{_ACKED} WHERE a.id = ?", (alert_id,)).fetchone()
        return None if row is None else _acked(row)

    def begun_by(
        self, at: datetime, resolved_after: datetime, store_name: str | None, limit: int
    ) -> list[int]:
        """The newest ``limit`` alerts begun by ``at`` and not resolved before
        ``resolved_after``, of ``store_name`` and of no store (any store when None)."""
        params: list[Any] = [iso(at), iso(resolved_after)]
        where = (
            "coalesce(pending_since, fired_at, updated_at) <= ? "
            "AND (resolved_at IS NULL OR resolved_at >= ?)"
        )
        if store_name:
            where += " AND store IN (?, '')"
            params.append(store_name)
        rows = self._store.conn.execute(
            f"SELECT id FROM alerts WHERE {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return [int(alert_id) for (alert_id,) in rows]

    def episodes(self, rule: str, store_name: str, scope: str, limit: int = 6) -> list[StoredAlert]:
        """The newest ``limit`` alerts of one rule, store and scope: each time it came and
        went, the newest first."""
        rows = self._store.conn.execute(
            f"SELECT {_STORED} FROM alerts a WHERE a.rule = ? AND a.store = ? AND a.scope = ? "
            "ORDER BY a.id DESC LIMIT ?",
            (rule, store_name, scope, limit),
        )
        return [_stored(row) for row in rows]

    def fired(self, store_name: str, limit: int = 5000) -> list[FiredAlert]:
        """The newest ``limit`` alerts of ``store_name`` or of no store that fired."""
        rows = self._store.conn.execute(
            "SELECT id, rule, scope, severity, state, message, fired_at, resolved_at "
            "FROM alerts WHERE store IN (?, '') AND fired_at IS NOT NULL "
            "ORDER BY id DESC LIMIT ?",
            (store_name, limit),
        )
        return [
            FiredAlert(
                int(alert_id), str(rule), str(scope), str(severity), str(state), str(message),
                str(fired_at), None if resolved_at is None else str(resolved_at),
            )
            for alert_id, rule, scope, severity, state, message, fired_at, resolved_at in rows
        ]  # fmt: skip

    # -- alerts, written -------------------------------------------------------------------

    @contextmanager
    def revising(self) -> Iterator[Revision]:
        """A write transaction over the open alerts: read them from the revision, write what
        follows from them through it; committed on leaving, rolled back on an error."""
        with self._store.transaction() as conn:
            yield Revision(conn, self.open_alerts())

    # -- acknowledgements ------------------------------------------------------------------

    def add_ack(self, alert_id: int, by: str, at: datetime, note: str) -> None:
        """Record that ``by`` acknowledged alert ``alert_id`` at ``at``."""
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO alert_acks (alert_id, by, at, note) VALUES (?, ?, ?, ?)",
                (alert_id, by, iso(at), note),
            )

    def acks_of(self, alert_id: int) -> list[AckText]:
        """Every acknowledgement of an alert, in time order, its time as stored."""
        rows = self._store.conn.execute(
            "SELECT by, at, note FROM alert_acks WHERE alert_id = ? ORDER BY at", (alert_id,)
        )
        return [AckText(str(by), str(at), str(note or "")) for by, at, note in rows]

    def latest_acks_by(self, alert_ids: Sequence[int], at: datetime) -> dict[int, Ack]:
        """The latest acknowledgement of each of ``alert_ids`` made by ``at``."""
        if not alert_ids:
            return {}
        marks = ",".join("?" * len(alert_ids))
        rows = self._store.conn.execute(
            "SELECT alert_id, by, at, note FROM alert_acks "
            f"WHERE alert_id IN ({marks}) AND at <= ? ORDER BY id",
            [*alert_ids, iso(at)],
        )
        return {
            int(r[0]): Ack(int(r[0]), str(r[1]), datetime.fromisoformat(r[2]), str(r[3]))
            for r in rows
        }

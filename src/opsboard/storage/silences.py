"""The ``silences`` table: alerts matching a rule, store and scope (globs) are not sent
until a silence ends. Rows come out typed as ``SilenceRow``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opsboard.storage.alerts import iso
from opsboard.storage.connection import Database

_SILENCE = "SELECT id, rule, store, scope, until, by, reason, created_at FROM silences"


@dataclass(frozen=True, slots=True)
class SilenceRow:
    """One row of ``silences``: alerts matching rule/store/scope (globs; empty = any) are
    not sent until ``until``."""

    id: int
    rule: str
    store: str
    scope: str
    until: datetime
    by: str
    reason: str
    created_at: datetime


def _silence(row: Sequence[Any]) -> SilenceRow:
    return SilenceRow(
        row[0],
        row[1],
        row[2],
        row[3],
        datetime.fromisoformat(row[4]),
        row[5],
        row[6],
        datetime.fromisoformat(row[7]),
    )


class Silences:
    """The silences of one store (``store.silences``)."""

    def __init__(self, store: Database) -> None:
        self._store = store

    # -- silences --------------------------------------------------------------------------

    def add_silence(
        self,
        rule: str,
        store_name: str,
        scope: str,
        until: datetime,
        by: str,
        reason: str,
        at: datetime,
    ) -> int:
        """Record a silence made at ``at``; returns its id."""
        with self._store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO silences (rule, store, scope, until, by, reason, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rule, store_name, scope, iso(until), by, reason, iso(at)),
            )
            return int(cursor.lastrowid or 0)

    def end_silence(self, silence_id: int, at: datetime) -> tuple[SilenceRow, bool] | None:
        """End a silence at ``at`` unless it is over already; returns it as it now stands
        and whether this call ended it, or None when there is no such silence."""
        with self._store.transaction() as conn:
            row = conn.execute(f"{_SILENCE} WHERE id = ?", (silence_id,)).fetchone()
            if row is None:
                return None
            active = row[4] > iso(at)
            if active:
                conn.execute("UPDATE silences SET until = ? WHERE id = ?", (iso(at), silence_id))
        found = _silence(row)
        if active:
            found = SilenceRow(
                found.id, found.rule, found.store, found.scope, at, found.by, found.reason,
                found.created_at,
            )  # fmt: skip
        return found, active

    def silences_at(self, at: datetime) -> list[SilenceRow]:
        """The silences in force at ``at``, newest first."""
        rows = self._store.conn.execute(f"{_SILENCE} WHERE until > ? ORDER BY id DESC", (iso(at),))
        return [_silence(row) for row in rows]

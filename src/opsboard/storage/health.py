"""The ``source_health`` table: the latest health of each source, per store."""

from __future__ import annotations

import json
from datetime import datetime

from opsboard.models import HealthState, SourceHealth
from opsboard.storage.connection import Database, now_iso


def record(store: Database, health: SourceHealth) -> None:
    """Record the latest health of a source; ``since`` is kept while the state holds."""
    now = now_iso()
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT state, since, last_ok FROM source_health WHERE source = ? AND store = ?",
            (health.source, health.store),
        ).fetchone()
        since = health.since.isoformat(timespec="seconds")
        last_ok = health.last_ok.isoformat(timespec="seconds") if health.last_ok else None
        if row is not None:
            state, held_since, held_last_ok = row
            if state == health.state.value:
                since = held_since
            if last_ok is None:
                last_ok = held_last_ok
        conn.execute(
            "INSERT INTO source_health (source, store, state, reason, since, last_ok, "
            "updated_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source, store) DO UPDATE SET state = excluded.state, "
            "reason = excluded.reason, since = excluded.since, last_ok = excluded.last_ok, "
            "updated_at = excluded.updated_at, detail = excluded.detail",
            (
                health.source,
                health.store,
                health.state.value,
                health.reason,
                since,
                last_ok,
                now,
                json.dumps(health.detail, default=str),
            ),
        )


def latest(store: Database) -> list[SourceHealth]:
    """The latest health of every source, by source and store."""
    rows = store.conn.execute(
        "SELECT source, store, state, reason, since, last_ok, detail FROM source_health "
        "ORDER BY source, store"
    ).fetchall()
    return [
        SourceHealth(
            source=source,
            store=store_name,
            state=HealthState(state),
            reason=reason,
            since=datetime.fromisoformat(since),
            last_ok=datetime.fromisoformat(last_ok) if last_ok else None,
            detail=json.loads(detail or "{}"),
        )
        for source, store_name, state, reason, since, last_ok, detail in rows
    ]

"""The ``meta`` table (values the store keeps about itself) and the sources' bookmarks.

Bookmarks are written only by an ``IngestBatch``, with the points they pass, so that a
bookmark never passes data that was not committed; here they are read.
"""

from __future__ import annotations

from opsboard.storage.connection import Database


def value(store: Database, key: str) -> str | None:
    """A value from the ``meta`` table."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_value(store: Database, key: str, text: str) -> None:
    """Set a value in the ``meta`` table (its own transaction)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, text),
        )


def bookmark(store: Database, source: str, key: str = "") -> str | None:
    """Where ``source`` stopped reading, as it last committed it."""
    row = store.conn.execute(
        "SELECT value FROM bookmarks WHERE source = ? AND key = ?", (source, key)
    ).fetchone()
    return None if row is None else str(row[0])


def bookmarks(store: Database, source: str) -> dict[str, str]:
    """Every bookmark of ``source``."""
    rows = store.conn.execute(
        "SELECT key, value FROM bookmarks WHERE source = ?", (source,)
    ).fetchall()
    return {str(k): str(v) for k, v in rows}


def changes_fingerprint(store: Database) -> tuple[object, ...]:
    """A cheap summary that changes when anything a screen shows does: the newest ingest,
    alert update, acknowledgement count, newest silence and the sources' states.

    Health heartbeats (``updated_at``) are left out, so that an idle collector does not
    make every viewer reload.
    """
    row = store.conn.execute(
        "SELECT (SELECT max(id) FROM ingests), (SELECT max(updated_at) FROM alerts), "
        "(SELECT count(*) FROM alert_acks), (SELECT max(id) FROM silences), "
        "(SELECT group_concat(source || store || state || since || reason, '|') "
        "FROM source_health)"
    ).fetchone()
    return tuple(row)

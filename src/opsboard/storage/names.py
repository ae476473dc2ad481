"""The ``names`` table: what platforms call campaigns (plans) and products (SKUs).

Points key campaigns and SKUs by id (``77012003172``); operators read them by name
(``春季新品推广``). A batch that carries names writes them in its own transaction, so a
name is kept exactly when the figures that came with it are; the newest name of a key
wins. Names are data from files and APIs: control characters are dropped, runs of white
space become one space and the text is cut to ``MAX_LENGTH`` characters before it is
stored.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from opsboard.points import Names
from opsboard.storage.connection import Database, now_iso

#: The longest name kept; longer text is cut (a platform name is never this long).
MAX_LENGTH = 200
#: SQLite's default limit of host parameters is 999 on old builds: look keys up in chunks.
_CHUNK = 500

UPSERT = (
    "INSERT INTO names (store, kind, key, name, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (store, kind, key) DO UPDATE SET name = excluded.name, "
    "updated_at = excluded.updated_at WHERE name != excluded.name"
)


@dataclass(frozen=True)
class NameRow:
    """One row of the ``names`` table."""

    store: str
    kind: str
    key: str
    name: str
    updated_at: str


def clean_name(text: str) -> str:
    """``text`` as it is stored: control and format characters dropped (a zero-width
    space, an escape sequence's ESC), white space collapsed to single spaces and trimmed,
    cut to ``MAX_LENGTH`` characters; ``""`` when nothing is left."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category[0] != "C":
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_LENGTH].strip()


def write(conn: sqlite3.Connection, names: Names) -> int:
    """Upsert ``names`` inside the caller's transaction (the newest wins); keys or names
    that are empty once cleaned are left out. Returns how many were written."""
    now = now_iso()
    rows = [
        (store, kind, key, cleaned, now)
        for (store, kind, key), name in names.items()
        if key and (cleaned := clean_name(name))
    ]
    conn.executemany(UPSERT, rows)
    return len(rows)


def names_of(
    database: Database, stores: str | Iterable[str], kind: str, keys: Iterable[str]
) -> dict[tuple[str, str], str]:
    """The names of ``keys`` of ``kind`` (``campaign``, ``sku``) in ``stores``, as
    ``{(store, key): name}``; keys without a name are absent."""
    chosen = [stores] if isinstance(stores, str) else sorted(set(stores))
    wanted = sorted({k for k in keys if k})
    found: dict[tuple[str, str], str] = {}
    if not chosen or not wanted:
        return found
    store_marks = ", ".join("?" * len(chosen))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = database.conn.execute(
            f"SELECT store, key, name FROM names WHERE kind = ? AND store IN ({store_marks}) "
            f"AND key IN ({', '.join('?' * len(chunk))})",
            (kind, *chosen, *chunk),
        ).fetchall()
        found.update({(str(s), str(k)): str(n) for s, k, n in rows})
    return found


def all_names(database: Database, kind: str | None = None) -> list[NameRow]:
    """Every kept name (of ``kind``, when given), by store, kind and key."""
    sql = "SELECT store, kind, key, name, updated_at FROM names"
    args: tuple[str, ...] = ()
    if kind is not None:
        sql += " WHERE kind = ?"
        args = (kind,)
    rows = database.conn.execute(sql + " ORDER BY store, kind, key", args).fetchall()
    return [NameRow(*(str(v) for v in row)) for row in rows]

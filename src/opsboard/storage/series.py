"""The series registry: one id per (store, grain, metric, channel, campaign, sku, term,
source, keyword).

Series are created on first use inside a write transaction and never deleted, so their
ids only grow; the registry remembers the ids it has seen and a catalogue of how many
series each store has per metric, level and grain, read again only when series were added.
"""

from __future__ import annotations

import sqlite3

from opsboard.metrics import BASE_METRICS
from opsboard.models import CHANNELS, Grain, store_name_problem
from opsboard.points import OTHER_TERMS, FineSeriesKey, InvalidPoint, span_days

_GRAINS = frozenset(g.value for g in Grain)
_CHANNELS = frozenset(("", *CHANNELS))
_METRICS = frozenset(BASE_METRICS)

#: (store, grain, metric, channel, campaign, sku): what names one series.
SeriesKey = tuple[str, str, str, str, str, str]
#: Per store, how many series it has per (metric, level, hourly).
Catalogue = dict[str, dict[tuple[str, int, bool], int]]


def level_of(
    channel: str, campaign: str, sku: str, term: str = "", source: str = "", keyword: str = ""
) -> int:
    """The level of a scope as a bit mask: channel 1, campaign 2, sku 4, term 8, source 16,
    keyword 32 (0 = store total)."""
    return (
        (1 if channel else 0)
        | (2 if campaign else 0)
        | (4 if sku else 0)
        | (8 if term else 0)
        | (16 if source else 0)
        | (32 if keyword else 0)
    )


class SeriesRegistry:
    """The ids of the series a connection has met, and the catalogue of their levels."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: The ids already known, by key; the hot write path reads it directly.
        self.known: dict[SeriesKey, int] = {}
        #: The ids of series that may name a term, source or keyword, by their whole key.
        self.known_fine: dict[FineSeriesKey, int] = {}
        #: Per store, whether it had no series when first asked (see ``_store_was_empty``).
        self._empty: dict[str, bool] = {}
        self._levels: Catalogue = {}
        self._levels_at: int | None = -1
        self._spans: dict[str, frozenset[str]] = {}
        self._spans_at: int | None = -1

    def id_of(self, key: SeriesKey) -> int:
        """The id of a series, created on first use (inside the caller's transaction);
        ``InvalidPoint`` when the key breaks the data model."""
        found = self.known.get(key)
        if found is not None:
            return found
        series_id = self._id_of(key, "", "", "")
        self.known[key] = series_id
        return series_id

    def fine_id_of(self, key: FineSeriesKey) -> int:
        """The id of a series that may name a term, source or keyword, created on first use
        (see ``id_of``)."""
        found = self.known_fine.get(key)
        if found is not None:
            return found
        store, grain, metric, channel, campaign, sku, term, source, keyword = key
        series_id = self._id_of(
            (store, grain, metric, channel, campaign, sku), term, source, keyword
        )
        self.known_fine[key] = series_id
        return series_id

    def _select(self, key: SeriesKey, term: str, source: str, keyword: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM series WHERE store = ? AND grain = ? AND metric = ? AND channel = ? "
            "AND campaign = ? AND sku = ? AND term = ? AND source = ? AND keyword = ?",
            (*key, term, source, keyword),
        ).fetchone()
        return None if row is None else int(row[0])

    def _store_was_empty(self, store: str) -> bool:
        """True when ``store`` had no series the first time this registry asked: a first
        load then creates its series without looking each one up first."""
        empty = self._empty.get(store)
        if empty is None:
            found = self.conn.execute("SELECT 1 FROM series WHERE store = ? LIMIT 1", (store,))
            empty = self._empty[store] = found.fetchone() is None
        return empty

    def _id_of(self, key: SeriesKey, term: str, source: str, keyword: str) -> int:
        store, grain, metric, channel, campaign, sku = key
        found = None if self._store_was_empty(store) else self._select(key, term, source, keyword)
        if found is None:
            if grain not in _GRAINS and span_days(grain) is None:
                raise InvalidPoint(
                    f"grain must be hour or day (or span:N for N >= 2 days), not {grain!r}"
                )
            if metric not in _METRICS:
                raise InvalidPoint(
                    f"unknown metric {metric!r}; base metrics are: {', '.join(sorted(_METRICS))}"
                )
            if channel not in _CHANNELS:
                raise InvalidPoint(
                    f"unknown channel {channel!r}; channels are: {', '.join(CHANNELS)} or empty"
                )
            problem = store_name_problem(store)
            if problem is not None:
                raise InvalidPoint(problem)
            if term and not campaign and term != OTHER_TERMS:
                raise InvalidPoint(f"the term {term!r} names no campaign")
            if source and not channel:
                raise InvalidPoint(f"the traffic source {source!r} names no channel")
            if keyword and not campaign:
                raise InvalidPoint(f"the keyword {keyword!r} names no campaign")
            try:
                cursor = self.conn.execute(
                    "INSERT INTO series (store, grain, metric, channel, campaign, sku, term, "
                    "source, keyword, level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, term, source, keyword,
                     level_of(channel, campaign, sku, term, source, keyword)),
                )  # fmt: skip
            except sqlite3.IntegrityError:
                # Another writer gave the store this series since the store was seen empty.
                self._empty[store] = False
                found = self._select(key, term, source, keyword)
                if found is None:
                    raise
                return found
            return int(cursor.lastrowid or 0)
        return found

    def forget(self) -> None:
        """Forget the known ids (a rolled-back transaction may have created some of them)."""
        self.known.clear()
        self.known_fine.clear()
        self._empty.clear()

    def newest_id(self) -> int:
        """The highest series id (0 in an empty database): it changes when a series is added."""
        return int(self.conn.execute("SELECT max(id) FROM series").fetchone()[0] or 0)

    def levels(self) -> Catalogue:
        """How many series each store has per (metric, level, hourly).

        Read once and again only when series were added (series are never deleted, and
        their ids only grow), so that each query need not walk thousands of SKU series to
        learn which levels and grains the data has.
        """
        newest = self.conn.execute("SELECT max(id) FROM series").fetchone()[0]
        if newest == self._levels_at and not self.conn.in_transaction:
            return self._levels
        levels: Catalogue = {}
        for store, metric, level, grain, count in self.conn.execute(
            "SELECT store, metric, level, grain, count(*) FROM series WHERE id <= ? "
            "AND grain IN ('hour', 'day') GROUP BY 1, 2, 3, 4",
            (newest or 0,),
        ):
            levels.setdefault(store, {})[(metric, level, grain == "hour")] = count
        if not self.conn.in_transaction:
            # Series a transaction still open may roll back are never remembered.
            self._levels, self._levels_at = levels, newest
        return levels

    def span_metrics(self) -> dict[str, frozenset[str]]:
        """Per store, the metrics it has figures of a span for (read again only when series
        were added, like ``levels``)."""
        newest = self.conn.execute("SELECT max(id) FROM series").fetchone()[0]
        if newest == self._spans_at and not self.conn.in_transaction:
            return self._spans
        found: dict[str, set[str]] = {}
        for store, metric in self.conn.execute(
            "SELECT DISTINCT store, metric FROM series WHERE id <= ? "
            "AND grain >= 'span:' AND grain < 'span;'",
            (newest or 0,),
        ):
            found.setdefault(store, set()).add(metric)
        spans = {store: frozenset(metrics) for store, metrics in found.items()}
        if not self.conn.in_transaction:
            self._spans, self._spans_at = spans, newest
        return spans

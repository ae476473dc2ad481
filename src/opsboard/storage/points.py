"""Reading points and series: the typed questions the query engine and the review ask.

A query names the series it reads with a ``SeriesSelection`` (one store, some metrics, a
grain, and which dimensions a series must or must not name); the answers are sums of
their points as ``Found`` rows. Which levels to read and how to combine them is the query
engine's business (``opsboard.query``); here is only how SQLite is asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Final, NamedTuple

from opsboard.storage.connection import Database
from opsboard.timeutil import utc_offsets_sql

#: The dimensions of a series beyond its store, in the order rows give them.
DIMENSIONS = ("channel", "campaign", "sku", "term", "source", "keyword")


#: One aggregated row: (metric, channel, campaign, sku, term, source, keyword, cell,
#: value), a metric's sum for one scope and period cell. ``cell`` is a local day number, or
#: an epoch second for an hour; a dimension that is not shown is "". A plain tuple, read by
#: the positions below: the query engine walks tens of thousands of these per query, and a
#: named tuple's creation and slower indexing would cost it a tenth of its time.
Found = tuple[str, str, str, str, str, str, str, int, float]
#: The positions of a ``Found`` row's fields.
METRIC: Final = 0
CHANNEL: Final = 1
CAMPAIGN: Final = 2
SKU: Final = 3
TERM: Final = 4
SOURCE: Final = 5
KEYWORD: Final = 6
CELL: Final = 7
VALUE: Final = 8


class MetricSpan(NamedTuple):
    """The first and last period start of a metric's points."""

    metric: str
    first: int
    last: int


class SpanPoint(NamedTuple):
    """A figure of a span: its scope, its first day's local midnight and its length."""

    metric: str
    channel: str
    campaign: str
    sku: str
    term: str
    source: str
    keyword: str
    ts: int
    days: int
    value: float


class Shape(NamedTuple):
    """A grain and level some selected series have."""

    grain: str
    level: int


class MetricCount(NamedTuple):
    """How many points of a metric something holds."""

    metric: str
    points: int


class Delivered(NamedTuple):
    """A period a source delivered for one (metric, level, grain) of a store."""

    source: str
    metric: str
    level: int
    grain: str
    ts: int


@dataclass(frozen=True, slots=True)
class SeriesSelection:
    """Which series of one store to read.

    ``hourly`` picks the grain (None: both; ``spans`` instead: the figures of a span, which
    nothing else reads); ``equal`` holds (dimension, value) pairs a
    series must match; ``named`` the dimensions a series must give a value in, ``unnamed``
    those it must leave empty.
    """

    store: str
    metrics: tuple[str, ...]
    hourly: bool | None = None
    equal: tuple[tuple[str, str], ...] = ()
    named: tuple[str, ...] = ()
    unnamed: tuple[str, ...] = ()
    spans: bool = False

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition on ``series s`` (columns of the covering index) and its
        parameters."""
        parts = ["s.store = ?", f"s.metric IN ({','.join('?' * len(self.metrics))})"]
        params: list[Any] = [self.store, *self.metrics]
        if self.spans:
            parts.append("s.grain >= 'span:' AND s.grain < 'span;'")
        elif self.hourly is not None:
            parts.append(f"s.grain = '{'hour' if self.hourly else 'day'}'")
        else:
            parts.append("s.grain IN ('hour', 'day')")
        for dim, value in self.equal:
            parts.append(f"s.{_column(dim)} = ?")
            params.append(value)
        parts.extend(f"s.{_column(dim)} != ''" for dim in self.named)
        parts.extend(f"s.{_column(dim)} = ''" for dim in self.unnamed)
        return " AND ".join(parts), params


def _column(dim: str) -> str:
    if dim not in DIMENSIONS:
        raise ValueError(f"no dimension {dim!r}")
    return dim


def _columns(shown: frozenset[str]) -> str:
    """The dimension columns of a row: the value where shown, else ''."""
    return ", ".join(f"s.{dim}" if dim in shown else "''" for dim in DIMENSIONS)


def span(store: Database, selection: SeriesSelection) -> tuple[int, int] | None:
    """The first and last period start of the selected series' points (None: no point)."""
    where, params = selection.where()
    first, last = store.conn.execute(
        "SELECT min((SELECT min(ts) FROM points WHERE series_id = s.id)), "
        "max((SELECT max(ts) FROM points WHERE series_id = s.id)) "
        f"FROM series s WHERE {where}",
        params,
    ).fetchone()
    return None if first is None else (int(first), int(last))


def metric_spans(
    store: Database, selection: SeriesSelection, start: int, end: int
) -> list[MetricSpan]:
    """Per metric, the first and last period start of the selected series within
    ``[start, end)``.

    Reads only the first and last point of each series (index seeks), so that a store
    total spares the scan of thousands of SKU series.
    """
    where, params = selection.where()
    return [
        MetricSpan(metric, low, high)
        for metric, low, high in store.conn.execute(
            "SELECT s.metric, "
            "min((SELECT min(ts) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?)), "
            "max((SELECT max(ts) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?)) "
            f"FROM series s WHERE {where} GROUP BY s.metric",
            (start, end, start, end, *params),
        )
        if low is not None
    ]


def series_sums(
    store: Database,
    selection: SeriesSelection,
    shown: frozenset[str],
    cell: int,
    start: int,
    end: int,
) -> list[Found]:
    """One row per selected series with points in ``[start, end)``: their sum, in ``cell``.

    One index range per series and no sort: several times faster than GROUP BY over the
    points of thousands of SKU series (a day's figures per SKU).
    """
    where, params = selection.where()
    return [
        row
        for row in store.conn.execute(
            f"SELECT s.metric, {_columns(shown)}, {int(cell)}, (SELECT sum(value) FROM points "
            f"WHERE series_id = s.id AND ts >= ? AND ts < ?) FROM series s WHERE {where}",
            (start, end, *params),
        )
        if row[VALUE] is not None
    ]


def hour_points(
    store: Database, selection: SeriesSelection, shown: frozenset[str], start: int, end: int
) -> list[Found]:
    """Every point of the selected series in ``[start, end)``, one row each (no sort)."""
    where, params = selection.where()
    found: list[Found] = store.conn.execute(
        f"SELECT s.metric, {_columns(shown)}, p.ts, p.value FROM series s JOIN points p "
        f"ON p.series_id = s.id AND p.ts >= ? AND p.ts < ? WHERE {where}",
        (start, end, *params),
    ).fetchall()
    return found


def summed_points(
    store: Database,
    selection: SeriesSelection,
    shown: frozenset[str],
    start: int,
    end: int,
    days_in: tzinfo | None,
) -> list[Found]:
    """The points of the selected series in ``[start, end)`` summed per shown scope and
    hour, or per local day in ``days_in`` when given."""
    where, params = selection.where()
    if days_in is None:
        cell = "p.ts"
    else:
        local = utc_offsets_sql(
            "p.ts", days_in, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
        )
        cell = f"({local} / 86400)"
    found: list[Found] = store.conn.execute(
        f"SELECT s.metric, {_columns(shown)}, {cell}, "
        "sum(p.value) FROM series s JOIN points p ON p.series_id = s.id "
        f"AND p.ts >= ? AND p.ts < ? WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        (start, end, *params),
    ).fetchall()
    return found


def span_points(store: Database, selection: SeriesSelection, before: int) -> list[SpanPoint]:
    """The figures of a span of the selected series (``selection.spans`` set) whose
    first day starts before ``before``."""
    where, params = selection.where()
    rows = store.conn.execute(
        "SELECT s.metric, s.channel, s.campaign, s.sku, s.term, s.source, s.keyword, "
        "s.grain, p.ts, p.value FROM series s JOIN points p ON p.series_id = s.id AND p.ts < ? "
        f"WHERE {where}",
        (before, *params),
    )
    return [
        SpanPoint(metric, channel, campaign, sku, term, source, keyword, int(ts),
                  int(grain[5:]), float(value))
        for metric, channel, campaign, sku, term, source, keyword, grain, ts, value in rows
    ]  # fmt: skip


def shapes(store: Database, selection: SeriesSelection, limit: int = 2) -> list[Shape]:
    """Up to ``limit`` of the (grain, level) pairs the selected series have."""
    where, params = selection.where()
    return [
        Shape(str(grain), int(level))
        for grain, level in store.conn.execute(
            f"SELECT s.grain, s.level FROM series s WHERE {where} GROUP BY 1, 2 LIMIT ?",
            (*params, limit),
        )
    ]


def label_sums(
    store: Database, selection: SeriesSelection, by: str, start: int, end: int
) -> dict[str, tuple[float | None, ...]]:
    """Per value of dimension ``by``, the sum in ``[start, end)`` of each selected metric
    (in the selection's order; None where no point), for series at a single level: one
    series per (value, metric), so its sum is the figure. Values with no point are left out.
    """
    where, params = selection.where()
    metrics = selection.metrics
    columns = ", ".join(["sum(CASE WHEN metric = ? THEN total END)"] * len(metrics))
    found = store.conn.execute(
        f"SELECT label, {columns} FROM (SELECT s.{_column(by)} AS label, s.metric AS metric, "
        "(SELECT sum(value) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?) "
        f"AS total FROM series s WHERE {where}) GROUP BY label",
        [*metrics, start, end, *params],
    )
    return {row[0]: row[1:] for row in found if any(v is not None for v in row[1:])}


def ingest_metrics(
    store: Database, ingest_id: int, store_name: str, low: int, high: int
) -> list[MetricCount]:
    """Per metric, how many points in series that are not per SKU still hold the values of
    ingest ``ingest_id`` (of ``store_name``, "" for several stores) between its first and
    last period start."""
    # The store's series come by index; an ingest of several stores looks at all.
    where = "s.sku = '' AND s.store = ?" if store_name else "s.sku = '' AND ? = ''"
    return [
        MetricCount(metric, int(count))
        for metric, count in store.conn.execute(
            "SELECT s.metric, count(*) FROM series s JOIN points p ON p.series_id = s.id "
            f"AND p.ts >= ? AND p.ts <= ? AND p.ingest_id = ? WHERE {where} GROUP BY s.metric",
            (low, high, ingest_id, store_name),
        )
    ]


def last_point(store: Database, store_name: str) -> int | None:
    """The latest period start of any of the store's points (None: it has none)."""
    row = store.conn.execute(
        "SELECT max((SELECT max(ts) FROM points WHERE series_id = s.id)) "
        "FROM series s WHERE s.store = ?",
        (store_name,),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def last_point_before(
    store: Database, store_name: str, before: int, metrics: tuple[str, ...]
) -> int | None:
    """The latest start of an hour or day before ``before`` (epoch seconds) at which the
    store has a point of any of ``metrics`` (None: it has none)."""
    marks = ", ".join("?" * len(metrics))
    row = store.conn.execute(
        "SELECT max((SELECT max(ts) FROM points WHERE series_id = s.id AND ts < ?)) "
        f"FROM series s WHERE s.store = ? AND s.grain IN ('hour', 'day') "
        f"AND s.metric IN ({marks})",
        (before, store_name, *metrics),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def has_any(store: Database, store_name: str, metrics: tuple[str, ...]) -> bool:
    """Whether the store has a series of any of ``metrics``."""
    marks = ", ".join("?" * len(metrics))
    row = store.conn.execute(
        f"SELECT 1 FROM series WHERE store = ? AND metric IN ({marks}) LIMIT 1",
        (store_name, *metrics),
    ).fetchone()
    return row is not None


def campaign_channels(store: Database, store_name: str, metric: str) -> dict[str, str]:
    """The channel of each campaign that has series of ``metric`` (the greatest, should a
    campaign appear in several)."""
    rows = store.conn.execute(
        "SELECT campaign, max(channel) FROM series WHERE store = ? AND campaign != '' "
        "AND metric = ? GROUP BY campaign",
        (store_name, metric),
    ).fetchall()
    return {str(campaign): str(channel) for campaign, channel in rows}


def deliveries(store: Database, store_name: str, start: int, end: int) -> Iterator[Delivered]:
    """What each source delivered for the store in ``[start, end)``: one row per (source,
    metric, level, grain, period start); points of no known ingest have source ""."""
    for source, metric, level, grain, ts in store.conn.execute(
        "SELECT coalesce(i.source, ''), s.metric, s.level, s.grain, p.ts "
        "FROM series s JOIN points p ON p.series_id = s.id AND p.ts >= ? AND p.ts < ? "
        "LEFT JOIN ingests i ON i.id = p.ingest_id "
        "WHERE s.store = ? AND s.grain IN ('hour', 'day') GROUP BY 1, 2, 3, 4, 5",
        (start, end, store_name),
    ):
        yield Delivered(str(source), metric, int(level), grain, int(ts))

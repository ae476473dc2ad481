"""Cheap reads for rules over thousands of SKUs (or campaigns, channels).

Two things keep an evaluation cheap over 10,000 SKU series:

* ``OneLevelReads``: when every series a grouped query could read sits at one level and
  grain (the SKU totals, not SKU by channel; hourly), each output row is one series' sum and
  no level has to be chosen. Then one pass over the series gives the rows the metrics engine
  would give, without its level bookkeeping, and the sums of the complete hours are kept so
  that new data for the current hour reads one point per series. Any other shape returns
  None and the metrics engine answers.
* ``IngestProfiles``: what an ingest wrote, told from the points it left in series that are
  not per-SKU (few of those, so it is cheap). An ingest whose every point is in such series
  touched no SKU series and no metric outside those, so per-SKU answers stay valid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, base_inputs, ratio
from opsboard.query.engine import Filters, Period
from opsboard.query.levels import DIM_BITS
from opsboard.query.reader import filter_conditions
from opsboard.storage.store import Store
from opsboard.timeutil import floor_hour

#: Ingest profiles kept; cached answers are seldom older than the last few hundred ingests.
MAX_PROFILES = 4096
_GROUPED = ("sku", "campaign", "channel")


#: Per label, one sum per input metric (in the order of the inputs), None where no point.
Sums = dict[str, tuple[float | None, ...]]
#: ``touched(since, store, bounds, inputs, sku_only)`` as the alert engine answers it.
Touched = Callable[[int | None, str, list[tuple[int | None, int | None]], list[str], bool], bool]


def reads_sku_series_only(by: str, filters: Filters) -> bool:
    """True when a query reads per-SKU series only (grouped by SKU, or one SKU)."""
    return by == "sku" or bool(filters.sku)


@dataclass
class _Prefix:
    """Sums of the complete hours of a period, kept while no ingest touches them."""

    start: int
    split: int
    since: int | None
    sums: Sums


class OneLevelReads:
    """Grouped rows read in one pass where the data has a single level and grain.

    Over hourly data the sums of the hours before the current one are kept, so that an
    ingest of the current hour (an API poll of every SKU) reads one point per series.
    """

    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], datetime],
        touched: Touched,
        since: Callable[[], int | None],
    ) -> None:
        self.store = store
        self._now = now
        self._touched = touched
        self._since = since
        # Shape of the candidate series per query, until a new series appears.
        self._shapes: dict[tuple[Any, ...], tuple[int, tuple[str, int] | None]] = {}
        self._prefixes: dict[tuple[Any, ...], _Prefix] = {}

    def _where(
        self, store_name: str, inputs: list[str], by: str, filters: Filters, hourly: bool
    ) -> tuple[str, list[Any], int]:
        filtered, filter_params, required = filter_conditions(filters)
        conditions = [
            "s.store = ?",
            f"s.metric IN ({','.join('?' * len(inputs))})",
            *filtered,
            f"s.{by} != ''",
        ]
        params: list[Any] = [store_name, *inputs, *filter_params]
        required |= DIM_BITS[by]
        if hourly:
            conditions.append("s.grain = 'hour'")
        return " AND ".join(conditions), params, required

    def _shape(self, where: str, params: list[Any], key: tuple[Any, ...]) -> tuple[str, int] | None:
        newest = self.store.conn.execute("SELECT max(id) FROM series").fetchone()[0] or 0
        known = self._shapes.get(key)
        if known is not None and known[0] == newest:
            return known[1]
        groups = self.store.conn.execute(
            f"SELECT s.grain, s.level FROM series s WHERE {where} GROUP BY 1, 2 LIMIT 2", params
        ).fetchall()
        shape = (str(groups[0][0]), int(groups[0][1])) if len(groups) == 1 else None
        self._shapes[key] = (newest, shape)
        return shape

    def _sums(
        self, by: str, inputs: list[str], where: str, params: list[Any], start: int, end: int
    ) -> Sums:
        """Per label, the sum of each input over ``[start, end)`` (None where no point)."""
        if start >= end:
            return {}
        # One series per (label, metric) at a single level: its sum is the figure, and the
        # metrics of a label come as one row.
        columns = ", ".join(["sum(CASE WHEN metric = ? THEN total END)"] * len(inputs))
        found = self.store.conn.execute(
            f"SELECT label, {columns} FROM (SELECT s.{by} AS label, s.metric AS metric, "
            "(SELECT sum(value) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?) "
            f"AS total FROM series s WHERE {where}) GROUP BY label",
            [*inputs, start, end, *params],
        )
        return {row[0]: row[1:] for row in found if any(v is not None for v in row[1:])}

    def rows(
        self,
        store_name: str,
        metrics: Sequence[str],
        by: str,
        period: Period,
        filters: Filters,
        tz: tzinfo,
    ) -> list[dict[str, Any]] | None:
        """The rows of ``MetricsEngine.query(metrics, stores=[store_name], by=by, ...)``, or
        None when the data's shape needs the metrics engine's level choice."""
        if by not in _GROUPED or any(
            m not in BASE_METRICS and m not in DERIVED_METRICS for m in metrics
        ):
            return None
        start, end = period.bounds(tz)
        if start is None or end is None or start >= end or not _one_day(start, end, tz):
            return None
        inputs = base_inputs(list(metrics))
        where, params, required = self._where(store_name, inputs, by, filters, period.partial_days)
        key = (store_name, tuple(inputs), by, filters, period.partial_days)
        shape = self._shape(where, params, key)
        if shape is None or shape[1] != required:
            return None
        split = min(max(int(floor_hour(self._now()).timestamp()), start), end)
        if shape[0] != "hour" or split == start:
            return _rows(by, inputs, self._sums(by, inputs, where, params, start, end), metrics)
        sku_only = reads_sku_series_only(by, filters)
        prefix = self._prefixes.get((key, where))
        if (
            prefix is None
            or (prefix.start, prefix.split) != (start, split)
            or self._touched(prefix.since, store_name, [(start, split)], inputs, sku_only)
        ):
            since = self._since()  # before the read: a later ingest invalidates it
            sums = self._sums(by, inputs, where, params, start, split)
            prefix = _Prefix(start, split, since, sums)
            self._prefixes[(key, where)] = prefix
        latest = self._sums(by, inputs, where, params, split, end)
        return _rows(by, inputs, prefix.sums, metrics, latest)

    def forget(self, keep: int = 64) -> None:
        """Keep at most ``keep`` prefixes (the most recent periods)."""
        if len(self._prefixes) > keep:
            newest = sorted(self._prefixes.items(), key=lambda kv: kv[1].split)[-keep:]
            self._prefixes = dict(newest)


def _one_day(start: int, end: int, tz: tzinfo) -> bool:
    first = datetime.fromtimestamp(start, tz).date()
    return first == datetime.fromtimestamp(end - 1, tz).date()


def _rows(
    by: str, inputs: list[str], sums: Sums, metrics: Sequence[str], later: Sums | None = None
) -> list[dict[str, Any]]:
    """Output rows in label order from per-label sums, plus the ``later`` hours' sums:
    base sums as they are, ratios of the sums."""
    at = {name: index for index, name in enumerate(inputs)}
    base = [(m, at[m]) for m in metrics if m in BASE_METRICS]
    derived = [
        (m, at[spec.numerator], at[spec.denominator], spec.scale)
        for m in metrics
        if (spec := DERIVED_METRICS.get(m)) is not None
    ]
    labels = sorted(sums.keys() | later.keys()) if later else sorted(sums)
    out = []
    for label in labels:
        got = sums.get(label)
        more = later.get(label) if later else None
        if got is None:
            got = more
        elif more is not None:
            got = tuple(
                x if y is None else y if x is None else x + y
                for x, y in zip(got, more, strict=True)
            )
        assert got is not None
        row: dict[str, Any] = {by: label}
        for name, index in base:
            row[name] = got[index]
        for name, numerator, denominator, scale in derived:
            row[name] = ratio(got[numerator], got[denominator], scale)
        out.append(row)
    return out


class IngestProfiles:
    """Per ingest: the metrics it wrote when every point went to series that are not per
    SKU, or None when some went to SKU series (which ones is not worth finding out)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: dict[int, frozenset[str] | None] = {}

    def of(
        self, ingest_id: int, store_name: str, low: int, high: int, count: int
    ) -> frozenset[str] | None:
        """The profile of one ingest (its store, first and last period start, points)."""
        if ingest_id in self._known:
            return self._known[ingest_id]
        # The store's series come by index; an ingest of several stores looks at all.
        where = "s.sku = '' AND s.store = ?" if store_name else "s.sku = '' AND ? = ''"
        found = self.store.conn.execute(
            "SELECT s.metric, count(*) FROM series s JOIN points p ON p.series_id = s.id "
            f"AND p.ts >= ? AND p.ts <= ? AND p.ingest_id = ? WHERE {where} GROUP BY s.metric",
            (low, high, ingest_id, store_name),
        ).fetchall()
        # A later ingest may have overwritten some of its points: then they are not found
        # here and the profile stays unknown, which only costs a re-read.
        profile = frozenset(m for m, _n in found) if sum(n for _m, n in found) == count else None
        self._known[ingest_id] = profile
        if len(self._known) > MAX_PROFILES:  # a service runs for months: keep the newest
            self.forget_before(sorted(self._known)[len(self._known) // 2])
        return profile

    def forget_before(self, ingest_id: int) -> None:
        """Drop the profiles of ingests up to ``ingest_id`` (no answer predates them)."""
        self._known = {k: v for k, v in self._known.items() if k > ingest_id}


def untouched_by(profile: frozenset[str] | None, inputs: Sequence[str], sku_only: bool) -> bool:
    """True when an ingest of ``profile`` cannot change an answer over ``inputs`` (read from
    per-SKU series only with ``sku_only``)."""
    if profile is None:
        return False
    return sku_only or not profile & set(inputs)

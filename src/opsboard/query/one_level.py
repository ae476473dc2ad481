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
from opsboard.query.levels import DIM_BITS
from opsboard.query.reader import required_bits
from opsboard.query.scope import Filters, Period, filter_equals
from opsboard.storage import points
from opsboard.storage.points import SeriesSelection
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

    def _selection(
        self, store_name: str, inputs: list[str], by: str, filters: Filters, hourly: bool
    ) -> tuple[SeriesSelection, int]:
        """The series a grouped query could read (hour grain only with ``hourly``), and the
        level they must all have."""
        selection = SeriesSelection(
            store_name,
            tuple(inputs),
            True if hourly else None,
            filter_equals(filters),
            named=(by,),
        )
        return selection, required_bits(filters) | DIM_BITS[by]

    def _shape(self, selection: SeriesSelection, key: tuple[Any, ...]) -> tuple[str, int] | None:
        newest = self.store.series.newest_id()
        known = self._shapes.get(key)
        if known is not None and known[0] == newest:
            return known[1]
        groups = points.shapes(self.store, selection, limit=2)
        shape = (groups[0].grain, groups[0].level) if len(groups) == 1 else None
        self._shapes[key] = (newest, shape)
        return shape

    def _sums(self, by: str, selection: SeriesSelection, start: int, end: int) -> Sums:
        """Per label, the sum of each input over ``[start, end)`` (None where no point)."""
        if start >= end:
            return {}
        # One series per (label, metric) at a single level: its sum is the figure, and the
        # metrics of a label come as one row.
        return points.label_sums(self.store, selection, by, start, end)

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
        selection, required = self._selection(store_name, inputs, by, filters, period.partial_days)
        key = (store_name, tuple(inputs), by, filters, period.partial_days)
        shape = self._shape(selection, key)
        if shape is None or shape[1] != required:
            return None
        split = min(max(int(floor_hour(self._now()).timestamp()), start), end)
        if shape[0] != "hour" or split == start:
            return _rows(by, inputs, self._sums(by, selection, start, end), metrics)
        sku_only = reads_sku_series_only(by, filters)
        prefix = self._prefixes.get((key, selection))
        if (
            prefix is None
            or (prefix.start, prefix.split) != (start, split)
            or self._touched(prefix.since, store_name, [(start, split)], inputs, sku_only)
        ):
            since = self._since()  # before the read: a later ingest invalidates it
            sums = self._sums(by, selection, start, split)
            prefix = _Prefix(start, split, since, sums)
            self._prefixes[(key, selection)] = prefix
        latest = self._sums(by, selection, split, end)
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
        found = points.ingest_metrics(self.store, ingest_id, store_name, low, high)
        # A later ingest may have overwritten some of its points: then they are not found
        # here and the profile stays unknown, which only costs a re-read.
        profile = (
            frozenset(f.metric for f in found) if sum(f.points for f in found) == count else None
        )
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

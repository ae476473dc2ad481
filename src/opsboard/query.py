"""The metrics engine: aggregated base and derived metrics over a scope and a period.

Rules (DESIGN.md section 3):

* A derived metric is the ratio of the sums of its parts over the asked scope, never a
  mean of ratios, and NULL when a part is missing or the denominator is 0. The parts are
  summed only over the (store, period) cells where both are known, so that a gap in one
  does not skew the ratio.
* Levels are never mixed: for each metric and period the figure comes from the coarsest
  level the data has for the asked scope (a store total is preferred to the sum of its
  channels, a plan report to the item rows of the same plans), never from two levels added.
* A day's figure comes from day-grain data where there is some, else from the sum of its
  hours; days start at midnight in each store's time zone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from opsboard.errors import UsageError
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, PACING, base_inputs, ratio
from opsboard.storage.store import Store
from opsboard.timeutil import day_bounds, local_midnight, share_of_day_elapsed, utc_offsets_sql

BY_CHOICES = ("total", "day", "hour", "channel", "campaign", "sku")
_DIM_BITS = {"channel": 1, "campaign": 2, "sku": 4}
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """What to look at: local days (inclusive) or UTC instants (end exclusive), or all."""

    first_day: date | None = None
    last_day: date | None = None
    start: datetime | None = None
    end: datetime | None = None

    def bounds(self, tz: tzinfo) -> tuple[int | None, int | None]:
        """The UTC epoch bounds in a store's time zone; None where unbounded."""
        start = self.start
        end = self.end
        if self.first_day is not None:
            start = local_midnight(self.first_day, tz)
        if self.last_day is not None:
            end = local_midnight(self.last_day + timedelta(days=1), tz)
        return (
            None if start is None else int(start.timestamp()),
            None if end is None else int(end.timestamp()),
        )

    @property
    def partial_days(self) -> bool:
        """True when the period is given as instants, so day-grain data cannot serve it."""
        return self.start is not None or self.end is not None


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict the scope to one channel, campaign or SKU (None = not restricted)."""

    channel: str | None = None
    campaign: str | None = None
    sku: str | None = None


@dataclass
class _Cells:
    """Base values per output row, kept per (store, period cell) for ratio coverage."""

    cells: dict[tuple[str, int], dict[str, float]] = field(
        default_factory=lambda: defaultdict(dict)
    )


def _level_first(rank: tuple[int, int, int]) -> tuple[int, int, int]:
    """Order ranks (grain, extra dimensions, which) by level first, then grain."""
    grain, extra_count, extra = rank
    return (extra_count, extra, grain)


def _day_label(day_number: int) -> str:
    return (_EPOCH + timedelta(days=day_number)).isoformat()


class MetricsEngine:
    """Answers metric queries from a ``Store``.

    ``tz_for`` gives each store's time zone; ``budget_for`` a configured daily budget used
    for pacing where the data holds no budget; ``now`` the current instant (a frozen clock
    in tests and replays).
    """

    def __init__(
        self,
        store: Store,
        *,
        tz_for: Callable[[str], tzinfo],
        budget_for: Callable[[str], float | None] = lambda _store: None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.tz_for = tz_for
        self.budget_for = budget_for
        self.now = now

    # -- public API ------------------------------------------------------------------------

    def query(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        by: str = "total",
        period: Period = Period(),
        filters: Filters = Filters(),
    ) -> list[dict[str, Any]]:
        """Rows of metric values keyed by the ``by`` dimension, ordered by it.

        ``by="total"`` always gives exactly one row.
        """
        if by not in BY_CHOICES:
            raise UsageError(f"cannot group by {by!r}", hint=f"use one of: {', '.join(BY_CHOICES)}")
        if not metrics:
            raise UsageError("name at least one metric", hint="e.g. opsboard query uv gmv")
        inputs = base_inputs(list(metrics))
        known = self.store.stores()
        if stores:
            for name in stores:
                if name not in known:
                    raise UsageError(
                        f"no data for store {name!r}",
                        hint=("stores with data: " + ", ".join(known))
                        if known
                        else "load some data first (opsboard ingest FILE --store NAME)",
                    )
        chosen = list(stores) if stores else known
        rows: dict[str, _Cells] = defaultdict(_Cells)
        for store_name in chosen:
            self._collect(store_name, inputs, by, period, filters, rows)
        return self._finish(list(metrics), by, rows)

    def compare(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        at: datetime | None = None,
        filters: Filters = Filters(),
    ) -> dict[str, dict[str, float | None]]:
        """Today so far against the same hours yesterday and on the same day last week.

        For each metric: ``today``, ``yesterday``, ``last_week`` and the relative changes
        ``vs_yesterday`` and ``vs_last_week`` (None where a side is missing or zero).
        The window runs from local midnight to the end of the hour containing ``at``.
        """
        at = at or self.now()
        names = list(stores) if stores else self.store.stores()
        tz = self.tz_for(names[0]) if names else UTC
        day = at.astimezone(tz).date()
        start = local_midnight(day, tz)
        end = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        results: dict[str, dict[str, Any]] = {}
        windows = {"today": 0, "yesterday": 1, "last_week": 7}
        figures: dict[str, dict[str, Any]] = {}
        for label, days_back in windows.items():
            shifted_start = local_midnight(day - timedelta(days=days_back), tz)
            span = end - start
            row = self.query(
                metrics,
                stores=names or None,
                by="total",
                period=Period(start=shifted_start, end=shifted_start + span),
                filters=filters,
            )[0]
            figures[label] = row
        for name in metrics:
            today = figures["today"].get(name)
            yesterday = figures["yesterday"].get(name)
            last_week = figures["last_week"].get(name)
            results[name] = {
                "today": today,
                "yesterday": yesterday,
                "last_week": last_week,
                "vs_yesterday": _change(today, yesterday),
                "vs_last_week": _change(today, last_week),
            }
        return results

    # -- internals -------------------------------------------------------------------------

    def _collect(
        self,
        store_name: str,
        inputs: list[str],
        by: str,
        period: Period,
        filters: Filters,
        rows: dict[str, _Cells],
    ) -> None:
        tz = self.tz_for(store_name)
        conditions = ["s.store = ?", f"s.metric IN ({','.join('?' * len(inputs))})"]
        params: list[Any] = [store_name, *inputs]
        required = 0
        for dim in ("channel", "campaign", "sku"):
            value = getattr(filters, dim)
            if value is not None:
                conditions.append(f"s.{dim} = ?")
                params.append(value)
                if value:
                    required |= _DIM_BITS[dim]
        if by in _DIM_BITS:
            conditions.append(f"s.{by} != ''")
            required |= _DIM_BITS[by]
        hourly_only = by == "hour" or period.partial_days
        if hourly_only:
            conditions.append("s.grain = 'hour'")
        where = " AND ".join(conditions)

        start, end = period.bounds(tz)
        if start is None or end is None:
            low, high = self.store.conn.execute(
                "SELECT min((SELECT min(ts) FROM points WHERE series_id = s.id)), "
                "max((SELECT max(ts) FROM points WHERE series_id = s.id)) "
                f"FROM series s WHERE {where}",
                params,
            ).fetchone()
            if low is None:
                return
            start = low if start is None else start
            end = high + 1 if end is None else end
        if start >= end:
            return

        # Candidate series by rank: the coarsest level first, day grain before hour grain.
        ranked: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for series_id, grain, level in self.store.conn.execute(
            f"SELECT s.id, s.grain, s.level FROM series s WHERE {where}", params
        ):
            if level & required != required:
                continue
            extra = level & ~required
            ranked[(0 if grain == "day" else 1, bin(extra).count("1"), extra)].append(series_id)

        def day_of(ts: int) -> int:
            offset = datetime.fromtimestamp(ts, tz).utcoffset()
            return (ts + int(offset.total_seconds() if offset else 0)) // 86400

        if day_of(start) == day_of(end - 1):
            # The whole period lies in one local day: no per-row time-zone arithmetic.
            day_sql = str(day_of(start))
        else:
            local = utc_offsets_sql(
                "p.ts", tz, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
            )
            day_sql = f"({local} / 86400)"
        group = f"s.{by}" if by in _DIM_BITS else "''"
        # Without a dimension, levels are chosen per hour and the hours summed into days, so
        # that a total covering part of a day and channel rows covering the rest both count.
        per_hour = by not in _DIM_BITS
        # (metric, group key, cell) -> (rank of the level that gave it, value)
        days: dict[tuple[str, str, int], tuple[tuple[int, int, int], float]] = {}
        hours: dict[tuple[str, str, int], tuple[tuple[int, int, int], float]] = {}
        for rank in sorted(ranked):
            is_day = rank[0] == 0
            target = days if is_day else hours
            if is_day or not per_hour:
                bucket, to_bucket, step = day_sql, day_of, 1
            else:
                bucket, to_bucket, step = "p.ts", (lambda ts: ts), 3600
            ids = ranked[rank]
            if per_hour and self._already_covered(ids, start, end, target, to_bucket, step):
                continue
            if len(ranked) == 1:
                # Every candidate series is used: the selection itself is cheaper than a
                # list of thousands of ids.
                chosen, chosen_params = where, params
            else:
                chosen, chosen_params = f"s.id IN ({','.join(map(str, ids))})", []
            if bucket.isdigit():
                found = self._one_cell(group, int(bucket), chosen, [start, end, *chosen_params])
            else:
                sql = (
                    f"SELECT s.metric, {group}, {bucket} AS bucket, sum(p.value) "
                    "FROM series s JOIN points p ON p.series_id = s.id AND p.ts >= ? "
                    f"AND p.ts < ? WHERE {chosen} GROUP BY 1, 2, 3"
                )
                found = self.store.conn.execute(sql, (start, end, *chosen_params)).fetchall()
            if not target:
                target.update(((m, k, int(c)), (rank, t)) for m, k, c, t in found)
            else:
                for metric, key, cell, total in found:
                    target.setdefault((metric, key, int(cell)), (rank, total))

        def place(label: str, cell: int, metric: str, value: float) -> None:
            cells = rows[label].cells[(store_name, cell)]
            cells[metric] = cells.get(metric, 0.0) + value

        if by == "hour":
            for (metric, _key, cell), (_rank, total) in hours.items():
                label = datetime.fromtimestamp(cell, tz).isoformat(timespec="minutes")
                place(label, cell, metric, total)
            return

        def row_label(day: int, key: str) -> str:
            return _day_label(day) if by == "day" else key

        if not days or not hours:
            # One grain only (the common case): each cell already holds one level's figure.
            for (metric, key, cell), (_rank, total) in hours.items():
                day = day_of(cell) if per_hour else cell
                place(row_label(day, key), day, metric, total)
            for (metric, key, cell), (_rank, total) in days.items():
                place(row_label(cell, key), cell, metric, total)
            return
        # A day's figure: the coarsest level first (a store total over the sum of its SKUs),
        # and at the same level day-grain data over the sum of the day's hours.
        summed: dict[tuple[str, str, int], tuple[tuple[int, int, int], float]] = {}
        for (metric, key, cell), (rank, total) in hours.items():
            slot = (metric, key, day_of(cell) if per_hour else cell)
            best, value = summed.get(slot, (rank, 0.0))
            summed[slot] = (min(best, rank, key=_level_first), value + total)
        for slot in days.keys() | summed.keys():
            choices = [c for c in (days.get(slot), summed.get(slot)) if c is not None]
            _rank, total = min(choices, key=lambda choice: _level_first(choice[0]))
            metric, key, day = slot
            place(row_label(day, key), day, metric, total)

    def _one_cell(
        self, group: str, cell: int, where: str, params: list[Any]
    ) -> list[tuple[str, str, int, float]]:
        """Sums per (metric, group) when the whole period is one bucket.

        One index range per series and no sort: several times faster than GROUP BY over
        the points of thousands of SKU series (a day's figures per SKU).
        """
        sums: dict[tuple[str, str], float] = {}
        for metric, key, total in self.store.conn.execute(
            f"SELECT s.metric, {group}, (SELECT sum(value) FROM points "
            f"WHERE series_id = s.id AND ts >= ? AND ts < ?) FROM series s WHERE {where}",
            params,
        ):
            if total is not None:
                sums[(metric, key)] = sums.get((metric, key), 0.0) + total
        return [(metric, key, cell, total) for (metric, key), total in sums.items()]

    def _already_covered(
        self,
        ids: list[int],
        start: int,
        end: int,
        found: dict[tuple[str, str, int], Any],
        to_bucket: Callable[[int], int],
        step: int,
    ) -> bool:
        """True when every bucket a finer level has data in is already covered.

        Reads only the first and last point of each series in the range (index seeks), so
        that a store total spares the scan of thousands of SKU series.
        """
        spans = self.store.conn.execute(
            "SELECT s.metric, "
            "min((SELECT min(ts) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?)), "
            "max((SELECT max(ts) FROM points WHERE series_id = s.id AND ts >= ? AND ts < ?)) "
            f"FROM series s WHERE s.id IN ({','.join(map(str, ids))}) GROUP BY s.metric",
            (start, end, start, end),
        ).fetchall()
        if not found:
            return False
        for metric, low, high in spans:
            if low is None:
                continue
            for cell in range(to_bucket(low), to_bucket(high) + 1, step):
                if (metric, "", cell) not in found:
                    return False
        return True

    def _finish(self, metrics: list[str], by: str, rows: dict[str, _Cells]) -> list[dict[str, Any]]:
        labels = sorted(rows) if by != "total" else [""]
        if by == "total" and not rows:
            rows[""] = _Cells()
        out = []
        for label in labels:
            cells = rows[label].cells
            record: dict[str, Any] = {} if by == "total" else {by: label}
            for name in metrics:
                record[name] = self._value(name, cells, by)
            out.append(record)
        return out

    def _value(
        self, name: str, cells: dict[tuple[str, int], dict[str, float]], by: str
    ) -> float | None:
        if name in BASE_METRICS:
            values = [c[name] for c in cells.values() if name in c]
            return math.fsum(values) if values else None
        if name in DERIVED_METRICS:
            spec = DERIVED_METRICS[name]
            both = [c for c in cells.values() if spec.numerator in c and spec.denominator in c]
            if not both:
                return None
            return ratio(
                math.fsum(c[spec.numerator] for c in both),
                math.fsum(c[spec.denominator] for c in both),
                spec.scale,
            )
        if name == PACING:
            return self._pacing(cells, by)
        raise UsageError(f"unknown metric {name!r}")

    def _pacing(self, cells: dict[tuple[str, int], dict[str, float]], by: str) -> float | None:
        """spend / (budget x share of the store's day elapsed), summed over days."""
        if by == "hour":
            return None
        now = self.now()
        spend = expected = 0.0
        seen = False
        for (store_name, day_number), values in cells.items():
            budget = values.get("budget", self.budget_for(store_name))
            if budget is None or "spend" not in values:
                continue
            tz = self.tz_for(store_name)
            day = _EPOCH + timedelta(days=day_number)
            day_start, day_end = day_bounds(day, tz)
            if now >= day_end:
                share = 1.0
            elif now <= day_start:
                continue
            else:
                share = share_of_day_elapsed(now, tz)
            spend += values["spend"]
            expected += budget * share
            seen = True
        return ratio(spend, expected) if seen else None


def _change(current: float | None, baseline: float | None) -> float | None:
    """The relative change ``current / baseline - 1``, or None."""
    if current is None or baseline is None or baseline == 0:
        return None
    return current / baseline - 1.0


def present(value: float | None, name: str) -> float | int | None:
    """A value as printed by ``opsboard query --format json``: counts as integers where whole,
    sums to 6 decimals, derived ratios to 5."""
    if value is None:
        return None
    if name in BASE_METRICS:
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    return round(value, 5)


def present_rows(rows: Iterable[dict[str, Any]], metrics: Sequence[str]) -> list[dict[str, Any]]:
    """``present`` applied to every metric of every row."""
    return [{k: (present(v, k) if k in metrics else v) for k, v in row.items()} for row in rows]

"""The metrics engine: aggregated base and derived metrics over a scope and a period.

Rules (DESIGN.md section 3):

* A derived metric is the ratio of the sums of its parts over the asked scope, never a
  mean of ratios. The parts are summed only over the rows (sub-scope and period) where
  both are known, so that a gap in one does not skew the ratio; NULL when there is no
  such row or the known denominator is 0.
* Levels are never mixed: each sub-scope's figure comes from the coarsest level the data
  has for it (a store total before the sum of its channels, a plan report before the item
  rows of that plan), and a sub-scope with no coarse figure contributes the sum of its
  finest rows; two levels of one scope are never added (see ``opsboard.query.levels``; the reading
  itself is ``opsboard.query.reader``).
* A day's figure comes from day-grain data where there is some, else from the sum of its
  hours; days start at midnight in each store's time zone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from opsboard.errors import UsageError
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, PACING, base_inputs, ratio
from opsboard.query.pacing import day_share, pace
from opsboard.query.reader import Cells, Rows, convert_money, gather
from opsboard.query.scope import Filters as Filters
from opsboard.query.scope import Period as Period
from opsboard.storage.store import Store

BY_CHOICES = ("total", "day", "hour", "channel", "source", "campaign", "sku", "keyword", "term")
#: The groupings whose keys the platforms give names (a ``name`` column beside the key).
NAMED_BY = ("campaign", "sku")
_EPOCH = date(1970, 1, 1)


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
        notes: list[str] | None = None,
        rates: Mapping[str, float] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of metric values keyed by the ``by`` dimension, ordered by it.

        ``by="total"`` always gives exactly one row. ``notes``, when given, receives what
        the answer leaves out and why (figures of a span the period only partly covers).
        ``rates`` converts each store's money into one currency before stores are added
        up (``{store: units of the reporting currency per unit of the store's}``); without
        it, money of stores in different currencies must not be asked together.
        """
        rows = self._gather(metrics, stores, by, period, filters, rates)
        if notes is not None:
            notes.extend(rows.notes)
        return self._finish(list(metrics), by, rows)

    def by_local_hour(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        period: Period = Period(),
        filters: Filters = Filters(),
        rates: Mapping[str, float] | None = None,
    ) -> dict[int, dict[str, Any]]:
        """Each metric per local hour of the day (0-23): each store's hours read in its
        own time zone, then the same local hour of every store added up.

        Meant for one local day per store (``Period.own_day``): 14h is 14:00-15:00 in
        Shanghai plus 14:00-15:00 in Los Angeles, each on its own day.
        """
        rows = self._gather(metrics, stores, "hour", period, filters, rates)
        by_hour = Rows(row_paired=rows.row_paired, notes=rows.notes)
        for label, cells in rows.cells.items():
            # The label is the hour's local ISO time: "2026-06-18T14:00+08:00".
            by_hour.cells.setdefault(label[11:13], {}).update(cells)
        for label, pairs in rows.pairs.items():
            by_hour.pairs.setdefault(label[11:13], {}).update(pairs)
        return {int(row["hour"]): row for row in self._finish(list(metrics), "hour", by_hour)}

    def compare(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        at: datetime | None = None,
        filters: Filters = Filters(),
        rates: Mapping[str, float] | None = None,
        so_far: bool = True,
    ) -> dict[str, dict[str, float | None]]:
        """Today so far against the same hours yesterday and on the same day last week.

        For each metric: ``today``, ``yesterday``, ``last_week`` and the relative changes
        ``vs_yesterday`` and ``vs_last_week`` (None where a side is missing or zero).
        Each store's window runs from its own local midnight to the end of the hour
        containing ``at`` (``so_far`` False: whole days, for a past day, so that daily
        reports count); an all-stores figure adds up each store's own window, so that
        every side compares like with like.
        """
        at = at or self.now()
        names = list(stores) if stores else None
        figures = {
            label: self.query(
                metrics,
                stores=names,
                period=Period.own_day(days_back, at, so_far=so_far),
                filters=filters,
                rates=rates,
            )[0]
            for label, days_back in (("today", 0), ("yesterday", 1), ("last_week", 7))
        }
        results: dict[str, dict[str, Any]] = {}
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

    def _gather(
        self,
        metrics: Sequence[str],
        stores: Sequence[str] | None,
        by: str,
        period: Period,
        filters: Filters,
        rates: Mapping[str, float] | None,
    ) -> Rows:
        """Each store's base sums per period cell, its money converted by ``rates``."""
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
        pairs = [
            (name, DERIVED_METRICS[name].numerator, DERIVED_METRICS[name].denominator)
            for name in dict.fromkeys(metrics)
            if name in DERIVED_METRICS
        ]
        if PACING in metrics:
            pairs.append((PACING, "spend", "budget"))
        rows = Rows()
        now = self.now()
        for store_name in chosen:
            gather(self.store, store_name, self.tz_for(store_name), now, inputs, by, period,
                   filters, rows, pairs)  # fmt: skip
        if rates is not None:
            convert_money(rows, rates)
        return rows

    def _finish(self, metrics: list[str], by: str, out: Rows) -> list[dict[str, Any]]:
        labels = sorted(out.cells) if by != "total" else [""]
        # (name, numerator, denominator, scale): base metrics have no denominator.
        plan: list[tuple[str, str, str, float]] = []
        for name in metrics:
            spec = DERIVED_METRICS.get(name)
            plan.append(
                (name, "", "", 1.0)
                if spec is None
                else (name, spec.numerator, spec.denominator, spec.scale)
            )
        simple = PACING not in metrics and not out.row_paired
        result = []
        for label in labels:
            cells = out.cells.get(label, {})
            record: dict[str, Any] = {} if by == "total" else {by: label}
            if simple and len(cells) == 1:
                # One store and one period cell (a day's panel, most alert queries).
                (values,) = cells.values()
                for name, numerator, denominator, scale in plan:
                    if not denominator:
                        record[name] = values.get(name)
                        continue
                    record[name] = ratio(values.get(numerator), values.get(denominator), scale)
            else:
                for name in metrics:
                    record[name] = self._value(name, label, cells, out, by)
            result.append(record)
        return result

    def _value(self, name: str, label: str, cells: Cells, out: Rows, by: str) -> float | None:
        if name in BASE_METRICS:
            if len(cells) == 1:
                return next(iter(cells.values())).get(name)
            values = [c[name] for c in cells.values() if name in c]
            return math.fsum(values) if values else None
        if name in DERIVED_METRICS:
            spec = DERIVED_METRICS[name]
            paired = self._paired(name, spec.numerator, spec.denominator, label, cells, out)
            if not paired:
                return None
            parts = paired.values()
            return ratio(math.fsum(n for n, _ in parts), math.fsum(d for _, d in parts), spec.scale)
        if name == PACING:
            return self._pacing(label, cells, out, by)
        raise UsageError(f"unknown metric {name!r}")

    @staticmethod
    def _paired(
        name: str, numerator: str, denominator: str, label: str, cells: Cells, out: Rows
    ) -> dict[tuple[str, int], tuple[float, float]]:
        """The parts of ``name`` per (store, cell), only where both are known."""
        found: dict[tuple[str, int], tuple[float, float]] = {}
        pairs = out.pairs.get(label, {})
        for key, values in cells.items():
            if (key[0], name) in out.row_paired:
                pair = pairs.get(key, {}).get(name)
                if pair is not None:
                    found[key] = pair
            elif numerator in values and denominator in values:
                found[key] = (values[numerator], values[denominator])
        return found

    def _pacing(self, label: str, cells: Cells, out: Rows, by: str) -> float | None:
        """spend / (budget x share of the store's day elapsed), summed over days.

        Spend is set against the budget of the same scopes where the data has budgets, and
        against the configured daily budget where it has none.
        """
        if by == "hour":
            return None
        now = self.now()
        paired = self._paired(PACING, "spend", "budget", label, cells, out)
        spend = expected = 0.0
        seen = False
        for (store_name, day_number), values in cells.items():
            if day_number < 0:
                continue  # A figure of a span: no day of its own to pace.
            if (store_name, day_number) in paired:
                spent, budget = paired[(store_name, day_number)]
            elif "budget" in values or "spend" not in values:
                continue
            else:
                configured = self.budget_for(store_name)
                if configured is None:
                    continue
                spent, budget = values["spend"], configured
            share = day_share(_EPOCH + timedelta(days=day_number), self.tz_for(store_name), now)
            if share is None:
                continue
            spend += spent
            expected += budget * share
            seen = True
        # Summed over days: the pace of the whole period, each day weighed by its budget.
        return pace(spend, expected, 1.0) if seen else None


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


def with_names(
    rows: Iterable[dict[str, Any]], by: str, names: Mapping[tuple[str, str], str]
) -> list[dict[str, Any]]:
    """Rows grouped by ``by`` (one of ``NAMED_BY``) with a ``name`` column right after the
    key: the platform's name of the key from ``names`` (``{(store, key): name}``, as
    ``Store.names_of`` gives them; the first store in order wins where two name one id),
    None where no name is known."""
    first: dict[str, str] = {}
    for (_, key), name in sorted(names.items()):
        first.setdefault(key, name)
    named = []
    for row in rows:
        record: dict[str, Any] = {}
        for column, value in row.items():
            record[column] = value
            if column == by:
                record["name"] = first.get(str(value))
        named.append(record)
    return named

"""Query answers reused between evaluations while no ingest touches what they read.

Most cycles bring data for the current hour only, or for other metrics than a rule reads
(an ads report, a store traffic report): a change rule's baseline (the same hours last
week), the hours already complete and the per-SKU figures need not be read again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from opsboard.metrics import PACING, base_inputs
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.query.one_level import OneLevelReads, Touched, reads_sku_series_only
from opsboard.storage.store import Store
from opsboard.timeutil import floor_hour

ALL_TIME = Period()
NO_FILTERS = Filters()


class ReusedQueries(MetricsEngine):
    """A metrics engine that answers a repeated query over complete hours from its last
    answer while no ingest since then wrote what it reads, and reads grouped rows of a
    single level in one pass.

    The rows it returns may be shared with later answers: callers must not change them.
    """

    def __init__(
        self,
        store: Store,
        *,
        tz_for: Callable[[str], tzinfo],
        budget_for: Callable[[str], float | None],
        now: Callable[[], datetime],
        touched: Touched,
        since: Callable[[], int | None],
    ) -> None:
        super().__init__(store, tz_for=tz_for, budget_for=budget_for, now=now)
        self._touched_since = touched
        self._since = since
        self._answers: dict[tuple[Any, ...], tuple[int | None, list[dict[str, Any]]]] = {}
        self._used: set[tuple[Any, ...]] = set()
        # ``touched(since, store, bounds, inputs, sku_only)``: did an ingest after ``since``
        # write points of ``store`` in ``bounds`` that a read of ``inputs`` (per-SKU series
        # only with ``sku_only``) could see?
        self._one_level = OneLevelReads(store, now=now, touched=touched, since=since)

    def query(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        by: str = "total",
        period: Period = ALL_TIME,
        filters: Filters = NO_FILTERS,
        notes: list[str] | None = None,
        rates: Mapping[str, float] | None = None,
    ) -> list[dict[str, Any]]:
        """As ``MetricsEngine.query``; reused while nothing it reads was written since (an
        answer whose notes are asked for, or with money converted, is never reused)."""
        bounded = period.start is not None or period.first_day is not None
        if not stores or not bounded or PACING in metrics or notes is not None or rates:
            # Pacing moves with the clock.
            return super().query(
                metrics,
                stores=stores,
                by=by,
                period=period,
                filters=filters,
                notes=notes,
                rates=rates,
            )
        key = (tuple(metrics), tuple(stores), by, period, filters)
        self._used.add(key)
        answer = self._answers.get(key)
        inputs = base_inputs(list(metrics))
        sku_only = reads_sku_series_only(by, filters)
        if answer is not None and not any(
            self._touched_since(
                answer[0], name, [period.bounds(self.tz_for(name))], inputs, sku_only
            )
            for name in stores
        ):
            return answer[1]
        since = self._since()  # before the query: a later ingest invalidates it
        rows = None
        if len(stores) == 1:
            rows = self._one_level.rows(
                stores[0], metrics, by, period, filters, self.tz_for(stores[0])
            )
        if rows is None:
            rows = super().query(metrics, stores=stores, by=by, period=period, filters=filters)
        # Only answers over complete hours are kept: one that reaches into the current hour
        # changes with the next poll, and the engine keeps its rule's verdicts meanwhile.
        _start, end = period.bounds(self.tz_for(stores[0]))
        if end is not None and end <= int(floor_hour(self.now()).timestamp()):
            self._answers[key] = (since, rows)
        return rows

    def forget_unused(self) -> None:
        """Drop the answers no query asked for since the last call (periods move on)."""
        self._answers = {k: v for k, v in self._answers.items() if k in self._used}
        self._used = set()
        self._one_level.forget()

"""The alert engine's reused query answers: invalidated by any ingest in their period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from opsboard.alerts.engine import AlertEngine
from opsboard.config import Settings
from opsboard.models import MetricPoint
from opsboard.query import Period
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
TODAY = date(2026, 6, 18)
LAST_WEEK = date(2026, 6, 11)


def uv(store: Store, day_offset: int, hour: int, value: float, sku: str = "a") -> None:
    at = datetime(2026, 6, 17, 16, tzinfo=UTC) + timedelta(days=day_offset, hours=hour)
    store.write_points([MetricPoint("s1", at, "hour", "uv", value, sku=sku)])


def test_answers_are_reused_until_an_ingest_touches_their_period(store: Store) -> None:
    engine = AlertEngine(store, Settings(), FrozenClock(NOW))
    uv(store, 0, 1, 10)
    uv(store, -7, 1, 20)
    engine.evaluate()  # sets the ingest mark the answers are compared with
    metrics = engine.metrics
    calls: list[Period] = []
    original = type(metrics).__mro__[1].query

    def counting(self, names, **kw):  # type: ignore[no-untyped-def]
        calls.append(kw["period"])
        return original(self, names, **kw)

    type(metrics).__mro__[1].query = counting  # type: ignore[method-assign]
    try:
        today = Period(first_day=TODAY, last_day=TODAY)
        week = Period(first_day=LAST_WEEK, last_day=LAST_WEEK)
        ask = lambda p: metrics.query(["uv"], stores=["s1"], by="sku", period=p)  # noqa: E731
        assert ask(today) == [{"sku": "a", "uv": 10}]
        assert ask(week) == [{"sku": "a", "uv": 20}]
        assert ask(today) == [{"sku": "a", "uv": 10}]
        assert len(calls) == 2  # the repeat came from the saved answer
        uv(store, 0, 2, 5)  # new data for today only
        engine.evaluate()
        calls.clear()
        assert ask(today) == [{"sku": "a", "uv": 15}]  # read again
        assert ask(week) == [{"sku": "a", "uv": 20}]  # last week untouched: reused
        assert calls == [today]
        uv(store, -7, 3, 1)  # a late restatement of last week
        assert ask(week) == [{"sku": "a", "uv": 21}]
    finally:
        type(metrics).__mro__[1].query = original  # type: ignore[method-assign]

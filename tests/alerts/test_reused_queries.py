"""The alert engine's reads: answers reused until an ingest touches what they read, and
grouped rows of one level read in one pass exactly as the metrics engine gives them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from opsboard.alerts.engine import AlertEngine
from opsboard.config.models import Settings
from opsboard.models import MetricPoint
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.query.one_level import OneLevelReads
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, zone

NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
TODAY = date(2026, 6, 18)
YESTERDAY = date(2026, 6, 17)
LAST_WEEK = date(2026, 6, 11)
MIDNIGHT = datetime(2026, 6, 17, 16, tzinfo=UTC)  # 2026-06-18 00:00 in Shanghai


def uv(store: Store, day_offset: int, hour: int, value: float, sku: str = "a") -> None:
    at = MIDNIGHT + timedelta(days=day_offset, hours=hour)
    store.write_points([MetricPoint("s1", at, "hour", "uv", value, sku=sku)])


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Period]:
    """The periods the store was actually read for (by either way of reading)."""
    seen: list[Period] = []
    engine_query = MetricsEngine.query
    one_pass = OneLevelReads.rows

    def counting_query(self: MetricsEngine, names: Any, **kw: Any) -> Any:
        seen.append(kw["period"])
        return engine_query(self, names, **kw)

    def counting_rows(self: OneLevelReads, *args: Any) -> Any:
        found = one_pass(self, *args)
        if found is not None:
            seen.append(args[3])
        return found

    monkeypatch.setattr(MetricsEngine, "query", counting_query)
    monkeypatch.setattr(OneLevelReads, "rows", counting_rows)
    return seen


def test_answers_are_reused_until_an_ingest_touches_their_period(
    store: Store, reads: list[Period]
) -> None:
    engine = AlertEngine(store, Settings(), FrozenClock(NOW))
    uv(store, -1, 1, 10)
    uv(store, -7, 1, 20)
    engine.evaluate()  # sets the ingest mark the answers are compared with
    reads.clear()
    yesterday = Period(first_day=YESTERDAY, last_day=YESTERDAY)
    week = Period(first_day=LAST_WEEK, last_day=LAST_WEEK)
    today = Period(first_day=TODAY, last_day=TODAY)

    def ask(period: Period) -> list[dict[str, Any]]:
        return engine.metrics.query(["uv"], stores=["s1"], by="sku", period=period)

    assert ask(yesterday) == [{"sku": "a", "uv": 10}]
    assert ask(week) == [{"sku": "a", "uv": 20}]
    assert ask(yesterday) == [{"sku": "a", "uv": 10}]
    assert len(reads) == 2  # the repeat came from the saved answer
    uv(store, -1, 2, 5)  # a late hour of yesterday
    engine.evaluate()
    reads.clear()
    assert ask(yesterday) == [{"sku": "a", "uv": 15}]  # read again
    assert ask(week) == [{"sku": "a", "uv": 20}]  # last week untouched: reused
    assert reads == [yesterday]
    uv(store, -7, 3, 1)  # a late restatement of last week
    assert ask(week) == [{"sku": "a", "uv": 21}]
    # Today's figures move with every poll: they are read, not kept.
    reads.clear()
    ask(today)
    ask(today)
    assert reads == [today, today]


def test_an_ingest_of_store_totals_or_other_metrics_keeps_per_sku_answers(
    store: Store, reads: list[Period]
) -> None:
    engine = AlertEngine(store, Settings(), FrozenClock(NOW))
    uv(store, -1, 1, 10)
    engine.evaluate()
    yesterday = Period(first_day=YESTERDAY, last_day=YESTERDAY)

    def ask(by: str, metric: str = "uv") -> list[dict[str, Any]]:
        return engine.metrics.query([metric], stores=["s1"], by=by, period=yesterday)

    ask("sku")
    ask("total", "pv")
    reads.clear()
    at = MIDNIGHT - timedelta(hours=23)
    with store.batch(source="traffic", origin="store-report", store="s1") as batch:
        batch.add_points([MetricPoint("s1", at, "hour", "pv", 40),
                          MetricPoint("s1", at, "hour", "uv", 30)])  # fmt: skip
    assert ask("sku") == [{"sku": "a", "uv": 10}]
    assert reads == []  # only store totals were written: the SKU rows stand
    assert ask("total", "pv") == [{"pv": 40}]  # but the store's pv is read again
    reads.clear()
    uv(store, -1, 2, 5, sku="b")  # a SKU row: per-SKU answers are read again
    assert ask("sku") == [{"sku": "a", "uv": 10}, {"sku": "b", "uv": 5}]
    assert reads == [yesterday]


def shop(store: Store, rows: list[tuple[str, str, str, int, float]]) -> None:
    """(metric, sku, channel, hour, value) rows of hourly data for store s1."""
    store.write_points([
        MetricPoint("s1", MIDNIGHT + timedelta(hours=h), "hour", m, v, channel=c, sku=s)
        for m, s, c, h, v in rows
    ])  # fmt: skip


@pytest.mark.parametrize(
    "rows",
    [
        # SKU totals only: one pass.
        [
            ("uv", "a", "", 1, 100),
            ("bounces", "a", "", 1, 80),
            ("uv", "b", "", 2, 50),
            ("uv", "a", "", 3, 20),
            ("bounces", "c", "", 3, 5),
        ],
        # SKU totals beside SKU-by-channel rows: the metrics engine chooses the level.
        [
            ("uv", "a", "", 1, 100),
            ("uv", "a", "paid_search", 1, 60),
            ("bounces", "a", "", 1, 9),
            ("uv", "b", "paid_search", 1, 40),
            ("bounces", "b", "paid_search", 1, 30),
        ],
    ],
)
def test_one_pass_rows_are_the_metrics_engines_rows(
    store: Store, rows: list[tuple[str, str, str, int, float]]
) -> None:
    shop(store, rows)
    tz = zone("Asia/Shanghai")
    metrics_engine = MetricsEngine(store, tz_for=lambda _name: tz)
    one_pass = OneLevelReads(store, now=lambda: NOW, touched=lambda *_: True, since=lambda: None)
    for period in (Period(first_day=TODAY, last_day=TODAY),
                   Period(start=MIDNIGHT, end=MIDNIGHT + timedelta(hours=2))):  # fmt: skip
        for metrics in (["bounce_rate", "uv"], ["uv"], ["bounces"]):
            expected = metrics_engine.query(metrics, stores=["s1"], by="sku", period=period)
            found = one_pass.rows("s1", metrics, "sku", period, Filters(), tz)
            assert found is None or found == expected, (metrics, period)
    assert (one_pass.rows("s1", ["uv"], "sku", Period(first_day=TODAY, last_day=TODAY),
                          Filters(), tz) is None) == any(r[2] for r in rows)  # fmt: skip


def test_the_complete_hours_are_kept_and_only_the_current_hour_read_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = AlertEngine(store, Settings(), FrozenClock(NOW))  # 14:30 in Shanghai
    for sku in ("a", "b"):
        for hour in (1, 9, 14):
            uv(store, 0, hour, 10, sku=sku)
    engine.evaluate()
    spans: list[tuple[int, int]] = []
    sums = OneLevelReads._sums

    def reading(self: OneLevelReads, *args: Any) -> Any:
        spans.append((args[-2], args[-1]))
        return sums(self, *args)

    monkeypatch.setattr(OneLevelReads, "_sums", reading)
    today = Period(first_day=TODAY, last_day=TODAY)
    plain = MetricsEngine(store, tz_for=lambda _name: zone("Asia/Shanghai"))

    def both() -> tuple[Any, Any]:
        mine = engine.metrics.query(["uv"], stores=["s1"], by="sku", period=today)
        return mine, plain.query(["uv"], stores=["s1"], by="sku", period=today)

    mine, expected = both()
    assert mine == expected == [{"sku": "a", "uv": 30}, {"sku": "b", "uv": 30}]
    fourteen = int((MIDNIGHT + timedelta(hours=14)).timestamp())
    assert [a < fourteen for a, _b in spans] == [True, False]  # the hours before, then 14:00
    uv(store, 0, 14, 25, sku="a")  # the current hour again: only it is read
    engine.evaluate()
    spans.clear()
    mine, expected = both()
    assert mine == expected == [{"sku": "a", "uv": 45}, {"sku": "b", "uv": 30}]
    assert [a for a, _b in spans] == [fourteen]
    uv(store, 0, 9, 0, sku="b")  # a restated earlier hour: the kept sums are read again
    engine.evaluate()
    spans.clear()
    mine, expected = both()
    assert mine == expected == [{"sku": "a", "uv": 45}, {"sku": "b", "uv": 20}]
    assert len(spans) == 2

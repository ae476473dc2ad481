"""Across stores: each store's own local periods, and money only in one currency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from opsboard.config.models import Settings, StoreConfig
from opsboard.models import MetricPoint
from opsboard.query.currency import MIXED_CURRENCIES, money_across
from opsboard.query.engine import MetricsEngine, Period
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone

#: 14:30 on June 18 in Shanghai; 23:30 on June 17 in Los Angeles.
NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
ZONES = {"sh": zone("Asia/Shanghai"), "la": zone("America/Los_Angeles")}
#: Visitors per hour: Shanghai's hours are worth 10 + the hour, Los Angeles' 1 + the hour.
BASE = {"sh": 10.0, "la": 1.0}


def _uv(store_name: str, day_back: int, hour: int) -> float:
    return BASE[store_name] + hour + 100 * day_back


@pytest.fixture
def zoned(store: Store) -> MetricsEngine:
    """Two stores with hourly visitors, GMV, spend and ad GMV on each store's own days
    (today up to now, yesterday and a week ago), read with a frozen clock."""
    points = []
    for name, tz in ZONES.items():
        today = NOW.astimezone(tz).date()
        for back in (0, 1, 7):
            start = local_midnight(today - timedelta(days=back), tz)
            for hour in range(24):
                at = start + timedelta(hours=hour)
                if at > NOW:
                    break
                uv = _uv(name, back, hour)
                points += [
                    MetricPoint(name, at, "hour", "uv", uv),
                    MetricPoint(name, at, "hour", "gmv", uv * 10),
                    MetricPoint(name, at, "hour", "spend", uv),
                    MetricPoint(name, at, "hour", "ad_gmv", uv * 3),
                ]
    store.write_points(points)
    return MetricsEngine(store, tz_for=ZONES.__getitem__, now=FrozenClock(NOW).now)


def _whole(tz_name: str, day: date, hours: int) -> tuple[int, int]:
    tz = ZONES[tz_name]
    start = local_midnight(day, tz)
    return int(start.timestamp()), int((start + timedelta(hours=hours)).timestamp())


def test_own_day_is_each_stores_local_day_up_to_the_same_hour() -> None:
    today = Period.own_day(0, NOW, so_far=True)
    yesterday = Period.own_day(1, NOW, so_far=True)
    # Shanghai: June 18 to 15:00; Los Angeles: all of June 17 (it is 23:30 there).
    assert today.bounds(ZONES["sh"]) == _whole("sh", date(2026, 6, 18), 15)
    assert today.bounds(ZONES["la"]) == _whole("la", date(2026, 6, 17), 24)
    assert yesterday.bounds(ZONES["sh"]) == _whole("sh", date(2026, 6, 17), 15)
    assert yesterday.bounds(ZONES["la"]) == _whole("la", date(2026, 6, 16), 24)
    assert Period.own_day(7, NOW).bounds(ZONES["sh"]) == _whole("sh", date(2026, 6, 11), 24)
    assert today.partial_days
    assert not Period.own_day(0, NOW).partial_days
    # The instant of the period wins over the engine's now (a replay).
    assert today.bounds(ZONES["sh"], NOW + timedelta(days=3)) == today.bounds(ZONES["sh"])


def test_compare_adds_up_each_stores_own_window(zoned: MetricsEngine) -> None:
    both = zoned.compare(["uv", "gmv"], at=NOW)
    sh = zoned.compare(["uv"], stores=["sh"], at=NOW)["uv"]
    la = zoned.compare(["uv"], stores=["la"], at=NOW)["uv"]
    expected_sh = sum(_uv("sh", 0, h) for h in range(15))
    expected_la = sum(_uv("la", 0, h) for h in range(24))
    assert sh["today"] == expected_sh
    assert la["today"] == expected_la
    assert both["uv"]["today"] == expected_sh + expected_la
    for side in ("today", "yesterday", "last_week"):
        assert both["uv"][side] == pytest.approx((sh[side] or 0) + (la[side] or 0))
    yesterday = sum(_uv("sh", 1, h) for h in range(15)) + sum(_uv("la", 1, h) for h in range(24))
    assert both["uv"]["vs_yesterday"] == pytest.approx(both["uv"]["today"] / yesterday - 1)


def test_by_local_hour_adds_the_same_local_hour_of_each_stores_day(
    zoned: MetricsEngine,
) -> None:
    hours = zoned.by_local_hour(["uv"], period=Period.own_day(1, NOW))
    assert sorted(hours) == list(range(24))
    assert hours[9]["uv"] == _uv("sh", 1, 9) + _uv("la", 1, 9)
    today = zoned.by_local_hour(["uv"], period=Period.own_day(0, NOW, so_far=True))
    # After 14h only Los Angeles has hours today.
    assert today[14]["uv"] == _uv("sh", 0, 14) + _uv("la", 0, 14)
    assert today[20]["uv"] == _uv("la", 0, 20)


def test_money_is_converted_by_rate_before_stores_add_up(zoned: MetricsEngine) -> None:
    period = Period.own_day(1, NOW)
    rates = {"sh": 1.0, "la": 7.1}
    (row,) = zoned.query(["gmv", "spend", "uv", "roi", "aov"], period=period, rates=rates)
    (sh,) = zoned.query(["gmv", "spend", "ad_gmv", "uv"], stores=["sh"], period=period)
    (la,) = zoned.query(["gmv", "spend", "ad_gmv", "uv"], stores=["la"], period=period)
    assert row["gmv"] == pytest.approx(sh["gmv"] + 7.1 * la["gmv"])
    assert row["uv"] == pytest.approx(sh["uv"] + la["uv"])  # visitors are not money
    assert row["roi"] == pytest.approx(
        (sh["ad_gmv"] + 7.1 * la["ad_gmv"]) / (sh["spend"] + 7.1 * la["spend"])
    )
    assert row["aov"] is None  # no buyers
    hours = zoned.by_local_hour(["gmv"], period=period, rates=rates)
    assert hours[3]["gmv"] == pytest.approx(10 * (_uv("sh", 1, 3) + 7.1 * _uv("la", 1, 3)))
    compared = zoned.compare(["gmv"], at=NOW, rates=rates)["gmv"]
    sh_yesterday = sum(_uv("sh", 1, h) for h in range(15))
    la_yesterday = sum(_uv("la", 1, h) for h in range(24))
    assert compared["yesterday"] == pytest.approx(10 * (sh_yesterday + 7.1 * la_yesterday))


def _settings(**extra: object) -> Settings:
    stores = [
        {"name": "tmall", "currency": "CNY"},
        {"name": "amazon", "currency": "USD", "timezone": "America/Los_Angeles"},
    ]
    return Settings.model_validate({"stores": stores, **extra})


def test_money_adds_up_as_it_is_in_one_currency() -> None:
    settings = Settings(stores=[StoreConfig(name="a"), StoreConfig(name="b")])
    money = money_across(settings, ["a", "b"])
    assert (money.currency, money.rates, money.converted, money.note) == ("CNY", None, False, "")


def test_money_of_two_currencies_without_rates_is_not_summed() -> None:
    money = money_across(_settings(), ["tmall", "amazon"])
    assert not money.summable
    assert money.currency == ""
    assert money.note == MIXED_CURRENCIES
    assert money.currencies == {"tmall": "CNY", "amazon": "USD"}


def test_a_reporting_currency_with_rates_converts_and_says_so() -> None:
    settings = _settings(reporting_currency="CNY", rates={"USD": 7.1})
    money = money_across(settings, ["tmall", "amazon"])
    assert money.currency == "CNY"
    assert money.rates == {"tmall": 1.0, "amazon": 7.1}
    assert money.converted
    assert "converted to CNY" in money.note
    # One store alone needs no conversion, whatever the reporting currency.
    alone = money_across(settings, ["amazon"])
    assert (alone.currency, alone.rates) == ("USD", None)


def test_a_store_in_the_database_without_a_rate_is_not_summed() -> None:
    settings = _settings(reporting_currency="CNY", rates={"USD": 7.1})
    # "shop-eu" is not configured: CNY by default, so it converts at 1.
    assert money_across(settings, ["tmall", "shop-eu", "amazon"]).summable
    eur = Settings.model_validate(
        {"stores": [{"name": "eu", "currency": "EUR"}], "reporting_currency": "EUR"}
    )
    assert not money_across(eur, ["eu", "other"]).summable  # CNY with no rate to EUR


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"rates": {"USD": 7.1}}, "reporting_currency is not"),
        ({"reporting_currency": "CNY"}, "rates has no USD"),
        ({"reporting_currency": "CNY", "rates": {"usd": 7.1}}, "not an ISO 4217"),
        ({"reporting_currency": "CNY", "rates": {"USD": 0}}, "must be a positive number"),
        ({"reporting_currency": "yuan", "rates": {"USD": 7.1}}, "reporting_currency"),
    ],
)
def test_rates_are_checked(extra: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        _settings(**extra)

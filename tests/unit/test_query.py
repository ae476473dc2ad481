"""The metrics engine: ratio of sums, levels, grains, time zones, comparisons, pacing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsboard.errors import UsageError
from opsboard.models import MetricPoint
from opsboard.query.engine import Filters, MetricsEngine, Period, present_rows
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone

SH = zone("Asia/Shanghai")


def day_ts(day: date, tz=SH) -> datetime:  # type: ignore[no-untyped-def]
    return local_midnight(day, tz)


def daily(store: str, day: date, metric: str, value: float, **scope: str) -> MetricPoint:
    return MetricPoint(store, day_ts(day), "day", metric, value, **scope)


def hourly(store: str, at: datetime, metric: str, value: float, **scope: str) -> MetricPoint:
    return MetricPoint(store, at, "hour", metric, value, **scope)


def test_derived_metrics_are_ratios_of_sums_not_means_of_ratios(
    store: Store, engine: MetricsEngine
) -> None:
    # Day 1: 1 buyer of 10 visitors (10%); day 2: 10 buyers of 1000 visitors (1%).
    store.write_points(
        [
            daily("s1", date(2026, 6, 1), "uv", 10),
            daily("s1", date(2026, 6, 1), "buyers", 1),
            daily("s1", date(2026, 6, 2), "uv", 1000),
            daily("s1", date(2026, 6, 2), "buyers", 10),
        ]
    )
    (row,) = engine.query(["uv", "buyers", "conversion_rate"])
    assert row["conversion_rate"] == pytest.approx(11 / 1010)  # 1.089%
    mean_of_ratios = (0.10 + 0.01) / 2  # 5.5%: what a naive average would say
    assert row["conversion_rate"] != pytest.approx(mean_of_ratios)
    days = engine.query(["conversion_rate"], by="day")
    assert [d["conversion_rate"] for d in days] == pytest.approx([0.1, 0.01])


def test_zero_or_missing_denominator_is_null(store: Store, engine: MetricsEngine) -> None:
    store.write_points(
        [
            daily("s1", date(2026, 6, 1), "spend", 0),
            daily("s1", date(2026, 6, 1), "ad_gmv", 50),
            daily("s1", date(2026, 6, 1), "clicks", 7),
        ]
    )
    (row,) = engine.query(["roi", "cpc", "ctr", "acos"])
    assert row == {"roi": None, "cpc": 0.0, "ctr": None, "acos": 0.0}


def test_ratio_uses_only_cells_where_both_parts_are_known(
    store: Store, engine: MetricsEngine
) -> None:
    # Buyers are missing on day 2 (a '-' cell): its visitors must not dilute conversion.
    store.write_points(
        [
            daily("s1", date(2026, 6, 1), "uv", 100),
            daily("s1", date(2026, 6, 1), "buyers", 5),
            daily("s1", date(2026, 6, 2), "uv", 900),
        ]
    )
    (row,) = engine.query(["uv", "buyers", "conversion_rate"])
    assert row == {"uv": 1000, "buyers": 5, "conversion_rate": pytest.approx(0.05)}


def test_a_reported_total_is_preferred_and_never_added_to_its_parts(
    store: Store, engine: MetricsEngine
) -> None:
    d = date(2026, 6, 1)
    store.write_points(
        [
            daily("s1", d, "uv", 1000),  # the platform's own store figure
            daily("s1", d, "uv", 700, channel="organic_search"),  # visitors via 2 channels
            daily("s1", d, "uv", 500, channel="paid_search"),  # count in both
            daily("s1", d, "uv", 300, sku="100000000001"),
        ]
    )
    assert engine.query(["uv"]) == [{"uv": 1000}]
    assert engine.query(["uv"], by="channel") == [
        {"channel": "organic_search", "uv": 700},
        {"channel": "paid_search", "uv": 500},
    ]
    assert engine.query(["uv"], filters=Filters(channel="paid_search")) == [{"uv": 500}]


def test_without_a_total_the_finest_single_level_is_summed(
    store: Store, engine: MetricsEngine
) -> None:
    d = date(2026, 6, 1)
    # A plan report (campaign level) and the item report of the same plans (campaign+sku).
    store.write_points(
        [
            daily("s1", d, "spend", 100, campaign="p1"),
            daily("s1", d, "spend", 50, campaign="p2"),
            daily("s1", d, "spend", 60, campaign="p1", sku="a"),
            daily("s1", d, "spend", 40, campaign="p1", sku="b"),
            daily("s1", d, "spend", 50, campaign="p2", sku="a"),
        ]
    )
    assert engine.query(["spend"]) == [{"spend": 150}]
    by_sku = engine.query(["spend"], by="sku")
    assert by_sku == [{"sku": "a", "spend": 110}, {"sku": "b", "spend": 40}]


def test_daily_figures_come_from_day_grain_data_where_there_is_some(
    store: Store, engine: MetricsEngine
) -> None:
    d = date(2026, 6, 1)
    start = day_ts(d)
    hours = [hourly("s1", start + timedelta(hours=h), "uv", 100) for h in range(24)]
    store.write_points([*hours, daily("s1", d, "uv", 1800)])  # daily UV < sum of hourly UV
    hours2 = [
        hourly("s1", day_ts(d + timedelta(days=1)) + timedelta(hours=h), "uv", 10)
        for h in range(24)
    ]
    store.write_points(hours2)  # day 2 has only hourly data
    assert engine.query(["uv"], by="day") == [
        {"day": "2026-06-01", "uv": 1800},
        {"day": "2026-06-02", "uv": 240},
    ]
    hourly_rows = engine.query(["uv"], by="hour", period=Period(first_day=d, last_day=d))
    assert len(hourly_rows) == 24
    assert hourly_rows[0] == {"hour": "2026-06-01T00:00+08:00", "uv": 100}


def test_day_boundaries_follow_the_store_time_zone(store: Store, clock: FrozenClock) -> None:
    la = zone("America/Los_Angeles")
    # 2026-03-08 is the spring-forward day in Los Angeles: 23 local hours.
    start = local_midnight(date(2026, 3, 8), la)
    points = [hourly("us", start + timedelta(hours=h), "uv", 1) for h in range(23 + 24)]
    store.write_points(points)
    engine = MetricsEngine(store, tz_for=lambda _n: la, now=clock.now)
    assert engine.query(["uv"], by="day") == [
        {"day": "2026-03-08", "uv": 23},
        {"day": "2026-03-09", "uv": 24},
    ]
    # The same instants seen from Shanghai fall on other days.
    shanghai = MetricsEngine(store, tz_for=lambda _n: SH, now=clock.now)
    assert sum(r["uv"] for r in shanghai.query(["uv"], by="day")) == 47
    assert shanghai.query(["uv"], by="day")[0]["day"] == "2026-03-08"


def test_period_bounds_are_inclusive_local_days(store: Store, engine: MetricsEngine) -> None:
    store.write_points([daily("s1", date(2026, 6, d), "gmv", d) for d in range(1, 31)])
    rows = engine.query(
        ["gmv"], period=Period(first_day=date(2026, 6, 10), last_day=date(2026, 6, 12))
    )
    assert rows == [{"gmv": 33}]


def test_stores_are_summed_each_with_its_own_levels(store: Store, engine: MetricsEngine) -> None:
    d = date(2026, 6, 1)
    store.write_points(
        [
            daily("a", d, "uv", 100),
            daily("a", d, "uv", 80, channel="direct"),
            daily("b", d, "uv", 30, channel="direct"),
            daily("b", d, "uv", 20, channel="display"),
        ]
    )
    assert engine.query(["uv"]) == [{"uv": 150}]
    assert engine.query(["uv"], stores=["b"]) == [{"uv": 50}]


def test_unknown_metric_and_store_are_usage_errors(store: Store, engine: MetricsEngine) -> None:
    store.write_points([daily("s1", date(2026, 6, 1), "uv", 1)])
    with pytest.raises(UsageError, match="unknown metric 'visits'"):
        engine.query(["visits"])
    with pytest.raises(UsageError, match="no data for store 'nope'") as info:
        engine.query(["uv"], stores=["nope"])
    assert "s1" in (info.value.hint or "")


def test_total_on_an_empty_store_is_one_row_of_nulls(engine: MetricsEngine) -> None:
    assert engine.query(["uv", "roi"]) == [{"uv": None, "roi": None}]


def test_compare_same_hours_yesterday_and_last_week(store: Store, engine: MetricsEngine) -> None:
    # Clock: 2026-06-18 14:30 Shanghai. Today counts hours 00..14 (15 hours).
    today = day_ts(date(2026, 6, 18))
    points = []
    for days_back, per_hour in ((0, 12.0), (1, 10.0), (7, 15.0)):
        start = today - timedelta(days=days_back)
        points += [hourly("s1", start + timedelta(hours=h), "uv", per_hour) for h in range(24)]
    store.write_points(points)
    result = engine.compare(["uv"])["uv"]
    assert result["today"] == 12 * 15
    assert result["yesterday"] == 10 * 15  # the same hours, not the whole day
    assert result["last_week"] == 15 * 15
    assert result["vs_yesterday"] == pytest.approx(0.2)
    assert result["vs_last_week"] == pytest.approx(-0.2)


def test_pacing_against_the_share_of_the_day_elapsed(store: Store, engine: MetricsEngine) -> None:
    # 14:30 local: 60.4% of the day has passed; 800 of a 1000 budget spent -> ahead.
    d = date(2026, 6, 18)
    store.write_points([daily("s1", d, "spend", 800), daily("s1", d, "budget", 1000)])
    (row,) = engine.query(["budget_used", "pacing"], period=Period(first_day=d, last_day=d))
    assert row["budget_used"] == pytest.approx(0.8)
    assert row["pacing"] == pytest.approx(0.8 / (14.5 / 24))
    # A finished day paces at its budget use.
    past = date(2026, 6, 17)
    store.write_points([daily("s1", past, "spend", 500), daily("s1", past, "budget", 1000)])
    (row,) = engine.query(["pacing"], period=Period(first_day=past, last_day=past))
    assert row["pacing"] == pytest.approx(0.5)


def test_configured_budget_is_used_when_the_data_has_none(store: Store, clock: FrozenClock) -> None:
    d = date(2026, 6, 17)
    store.write_points([daily("s1", d, "spend", 250)])
    engine = MetricsEngine(store, tz_for=lambda _n: SH, budget_for=lambda _n: 1000.0, now=clock.now)
    assert engine.query(["pacing"])[0]["pacing"] == pytest.approx(0.25)


def test_json_presentation_rounds_like_the_contract() -> None:
    rows = [{"uv": 105010.0, "gmv": 364369.69000000006, "conversion_rate": 3421 / 105010}]
    assert present_rows(rows, ["uv", "gmv", "conversion_rate"]) == [
        {"uv": 105010, "gmv": 364369.69, "conversion_rate": 0.03258}
    ]


def test_many_points_query_stays_exact(store: Store, engine: MetricsEngine) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    store.write_points(hourly("s1", start + timedelta(hours=h), "gmv", 0.1) for h in range(24 * 30))
    assert present_rows(engine.query(["gmv"]), ["gmv"]) == [{"gmv": 72}]


def test_a_finer_level_fills_the_hours_a_total_does_not_cover(
    store: Store, engine: MetricsEngine
) -> None:
    start = day_ts(date(2026, 6, 1))
    totals = [hourly("s1", start + timedelta(hours=h), "uv", 100) for h in range(12)]
    splits = [
        hourly("s1", start + timedelta(hours=h), "uv", 30, channel=channel)
        for h in range(24)
        for channel in ("direct", "display")
    ]
    store.write_points([*totals, *splits])
    rows = engine.query(["uv"], by="hour")
    assert [r["uv"] for r in rows] == [100] * 12 + [60] * 12
    assert engine.query(["uv"]) == [{"uv": 100 * 12 + 60 * 12}]


def test_a_store_total_by_hour_beats_a_day_sum_of_skus(store: Store, engine: MetricsEngine) -> None:
    # The platform API gives the store's own hourly GMV; an item report gives day rows per
    # SKU. The store's own figures win; at the same level, day grain wins over hours.
    d = date(2026, 6, 1)
    start = day_ts(d)
    store.write_points([hourly("s1", start + timedelta(hours=h), "gmv", 10) for h in range(24)])
    store.write_points([daily("s1", d, "gmv", 100, sku="a"), daily("s1", d, "gmv", 50, sku="b")])
    assert engine.query(["gmv"]) == [{"gmv": 240}]
    assert engine.query(["gmv"], by="sku") == [{"sku": "a", "gmv": 100}, {"sku": "b", "gmv": 50}]
    store.write_points([daily("s1", d, "gmv", 235)])  # the store's own day figure
    assert engine.query(["gmv"]) == [{"gmv": 235}]
    assert engine.query(["gmv"], by="day") == [{"day": "2026-06-01", "gmv": 235}]


def test_each_sub_scope_takes_its_own_coarsest_figure(store: Store, engine: MetricsEngine) -> None:
    # A plan report for p1 and p2 and the item report of p1, p2 and p3: p3 has no plan
    # figure, so its item rows count; the item rows of p1 and p2 do not.
    d = date(2026, 6, 18)
    store.write_points(
        [
            daily("pl", d, "spend", 100, campaign="p1"),
            daily("pl", d, "spend", 50, campaign="p2"),
            daily("pl", d, "spend", 60, campaign="p1", sku="a"),
            daily("pl", d, "spend", 40, campaign="p1", sku="b"),
            daily("pl", d, "spend", 50, campaign="p2", sku="a"),
            daily("pl", d, "spend", 30, campaign="p3", sku="a"),
        ]
    )
    assert engine.query(["spend"]) == [{"spend": 180}]
    assert engine.query(["spend"], by="day") == [{"day": "2026-06-18", "spend": 180}]
    by_campaign = engine.query(["spend"], by="campaign")
    assert [r["spend"] for r in by_campaign] == [100, 50, 30]
    assert sum(r["spend"] for r in engine.query(["spend"], by="sku")) == 180


def test_a_channel_figure_does_not_hide_other_channels_sku_rows(
    store: Store, engine: MetricsEngine
) -> None:
    d = date(2026, 6, 18)
    store.write_points(
        [
            daily("pc", d, "spend", 100, channel="paid_search"),
            daily("pc", d, "spend", 60, channel="paid_search", sku="a"),
            daily("pc", d, "spend", 40, channel="paid_search", sku="b"),
            daily("pc", d, "spend", 20, channel="display", sku="a"),
        ]
    )
    assert engine.query(["spend"]) == [{"spend": 120}]
    assert engine.query(["spend"], by="channel") == [
        {"channel": "display", "spend": 20},
        {"channel": "paid_search", "spend": 100},
    ]


def test_sub_scopes_choose_their_level_per_hour_and_grain(
    store: Store, engine: MetricsEngine
) -> None:
    # p1 reports a day figure, p2 only hours; p1's hourly item rows are another level of p1.
    d = date(2026, 6, 18)
    start = day_ts(d)
    store.write_points(
        [
            daily("s1", d, "spend", 100, campaign="p1"),
            *(
                hourly("s1", start + timedelta(hours=h), "spend", 2, campaign="p2")
                for h in range(24)
            ),
            *(
                hourly("s1", start + timedelta(hours=h), "spend", 9, campaign="p1", sku="a")
                for h in range(24)
            ),
        ]
    )
    assert engine.query(["spend"]) == [{"spend": 148}]
    assert engine.query(["spend"], by="campaign") == [
        {"campaign": "p1", "spend": 100},
        {"campaign": "p2", "spend": 48},
    ]


def test_rows_of_unrelated_levels_are_never_added(store: Store, engine: MetricsEngine) -> None:
    # Visitors by channel and visitors by SKU both split the same store: one split counts.
    d = date(2026, 6, 18)
    store.write_points(
        [
            daily("s1", d, "uv", 700, channel="organic_search"),
            daily("s1", d, "uv", 300, channel="paid_search"),
            daily("s1", d, "uv", 450, sku="a"),
            daily("s1", d, "uv", 450, sku="b"),
        ]
    )
    assert engine.query(["uv"]) == [{"uv": 1000}]
    assert sum(r["uv"] for r in engine.query(["uv"], by="sku")) == 900


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    plans=st.lists(
        st.tuples(
            st.sampled_from(["plan", "items", "both", "hours"]),
            st.lists(st.integers(0, 50), min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    ),
    store_total=st.booleans(),
)
def test_any_mix_of_levels_adds_up_to_the_truth(
    plans: list[tuple[str, list[int]]], store_total: bool
) -> None:
    # Each plan is reported as a plan figure, as its item rows, as both, or as hourly plan
    # figures; whatever the mix, the store's spend is the sum of what was really spent.
    d = date(2026, 6, 18)
    points = []
    truth = 0.0
    for number, (form, items) in enumerate(plans):
        plan = f"p{number}"
        spent = float(sum(items))
        truth += spent
        if form in ("plan", "both"):
            points.append(daily("s1", d, "spend", spent, campaign=plan))
        if form in ("items", "both"):
            points += [
                daily("s1", d, "spend", v, campaign=plan, sku=f"sku{i}")
                for i, v in enumerate(items)
            ]
        if form == "hours":
            points += [
                hourly("s1", day_ts(d) + timedelta(hours=h), "spend", v, campaign=plan)
                for h, v in enumerate(items)
            ]
    if store_total:
        points.append(daily("s1", d, "spend", truth))
    with Store.open(":memory:") as store:
        store.write_points(points)
        engine = MetricsEngine(store, tz_for=lambda _n: SH)
        assert engine.query(["spend"]) == [{"spend": truth}]
        by_plan = engine.query(["spend"], by="campaign")
        assert {r["campaign"]: r["spend"] for r in by_plan} == {
            f"p{n}": float(sum(items)) for n, (_form, items) in enumerate(plans)
        }


def test_a_ratio_pairs_its_parts_row_by_row(store: Store, engine: MetricsEngine) -> None:
    d = date(2026, 6, 18)
    store.write_points(
        [
            # GMV is known only for SKU C, whose buyers are 0: no AOV can be said.
            daily("r1", d, "uv", 100, sku="A"),
            daily("r1", d, "buyers", 50, sku="A"),
            daily("r1", d, "uv", 900, sku="B"),
            daily("r1", d, "buyers", 9, sku="B"),
            daily("r1", d, "uv", 0, sku="C"),
            daily("r1", d, "buyers", 0, sku="C"),
            daily("r1", d, "gmv", 0, sku="C"),
            # B's buyers are a '-' cell: only A has both parts of conversion.
            daily("r2", d, "uv", 100, sku="A"),
            daily("r2", d, "buyers", 10, sku="A"),
            daily("r2", d, "uv", 100, sku="B"),
        ]
    )
    (r1,) = engine.query(["aov", "conversion_rate", "uv", "buyers"], stores=["r1"])
    assert r1 == {
        "aov": None,
        "conversion_rate": pytest.approx(59 / 1000),
        "uv": 1000,
        "buyers": 59,
    }
    (r2,) = engine.query(["conversion_rate", "uv"], stores=["r2"])
    assert r2 == {"conversion_rate": pytest.approx(0.1), "uv": 200}
    hours = engine.query(["conversion_rate"], stores=["r2"], by="day")
    assert hours == [{"day": "2026-06-18", "conversion_rate": pytest.approx(0.1)}]


def test_a_ratio_pairs_a_store_figure_with_the_sum_of_sku_rows(
    store: Store, engine: MetricsEngine
) -> None:
    # Visitors only as the store's figure, buyers only per SKU: both parts cover the store.
    d = date(2026, 6, 18)
    store.write_points(
        [
            daily("s1", d, "uv", 1000),
            daily("s1", d, "buyers", 20, sku="A"),
            daily("s1", d, "buyers", 10, sku="B"),
        ]
    )
    assert engine.query(["conversion_rate"]) == [{"conversion_rate": pytest.approx(0.03)}]

"""Pacing a plan by the store's own curve: the pure functions, with pinned numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsboard.config.targets import parse_period
from opsboard.query.plan_pace import (
    day_plan,
    days_left,
    hour_share,
    last_year_shape,
    standing,
    time_share,
    weekday_weights,
)

JUNE = parse_period("2026-06")  # 1 June 2026 is a Monday


def _history(weekday: float, weekend: float, weeks: int = 8) -> dict[date, float]:
    start = date(2026, 4, 20)  # a Monday
    return {
        start + timedelta(days=i): weekend
        if (start + timedelta(days=i)).weekday() >= 5
        else weekday
        for i in range(7 * weeks)
    }


def test_weekday_weights_scale_to_a_mean_of_one() -> None:
    weights = weekday_weights(_history(100_000, 150_000))
    assert weights is not None
    assert weights[0] == pytest.approx(0.875)
    assert weights[6] == pytest.approx(1.3125)
    assert sum(weights) == pytest.approx(7.0)


def test_short_or_empty_history_weighs_days_evenly() -> None:
    assert weekday_weights(_history(1, 1, weeks=1)) is None
    assert weekday_weights(_history(0, 0)) is None
    assert time_share(JUNE, date(2026, 6, 18), 1.0, None) == pytest.approx(18 / 30)


def test_time_share_follows_the_weekday_pattern() -> None:
    weights = weekday_weights(_history(100_000, 150_000))
    # 18 June: 14 weekdays and 4 weekend days done, of 22 and 8 in June.
    assert time_share(JUNE, date(2026, 6, 18), 1.0, weights) == pytest.approx(17.5 / 29.75)
    # Half of Saturday 6 June: five weekdays plus half a weekend day.
    assert time_share(JUNE, date(2026, 6, 6), 0.5, weights) == pytest.approx(
        (5 * 0.875 + 0.5 * 1.3125) / 29.75
    )
    assert time_share(JUNE, date(2026, 5, 31), 1.0, weights) == 0.0
    assert time_share(JUNE, date(2026, 7, 1), 0.0, weights) == 1.0


def test_day_plan_gives_a_saturday_more() -> None:
    weights = weekday_weights(_history(100_000, 150_000))
    assert day_plan(JUNE, 2_975_000, date(2026, 6, 6), weights) == pytest.approx(131_250)
    assert day_plan(JUNE, 2_975_000, date(2026, 6, 8), weights) == pytest.approx(87_500)
    assert day_plan(JUNE, 2_975_000, date(2026, 7, 1), weights) == 0.0


def test_hour_share_follows_the_hourly_curve() -> None:
    # Nothing at night, the day's figure between 8:00 and 20:00 evenly.
    curve = {h: (10.0 if 8 <= h < 20 else 0.0) for h in range(24)}
    assert hour_share(curve, 10, 0.0) == pytest.approx(2 / 12)  # not 10/24
    assert hour_share(curve, 10, 0.5) == pytest.approx(2.5 / 12)
    assert hour_share(curve, 22, 0.0) == 1.0
    assert hour_share({}, 10, 0.0) is None


def test_days_left_counts_the_rest_of_a_day_under_way() -> None:
    assert days_left(JUNE, date(2026, 6, 18), 1.0) == 12
    assert days_left(JUNE, date(2026, 6, 18), 0.4) == 13
    assert days_left(JUNE, date(2026, 6, 30), 1.0) == 0
    assert days_left(JUNE, date(2026, 5, 1), 0.0) == 30


def test_standing_of_a_sum_target() -> None:
    s = standing(
        value=3_000_000, actual=2_000_000, direction="at_least", ratio_target=False,
        share=17.5 / 29.75, left=12,
    )  # fmt: skip
    assert s.done_share == pytest.approx(2 / 3)
    assert s.needed_per_day == pytest.approx(1_000_000 / 12)
    assert s.status == "ahead"
    behind = standing(
        value=3_000_000, actual=1_500_000, direction="at_least", ratio_target=False,
        share=0.6, left=12,
    )  # fmt: skip
    assert behind.status == "behind"
    on_track = standing(
        value=100, actual=59, direction="at_least", ratio_target=False, share=0.6, left=12
    )
    assert on_track.status == "on track"
    assert (
        standing(
            value=100, actual=120, direction="at_least", ratio_target=False, share=0.6, left=12
        ).status
        == "met"
    )
    assert (
        standing(
            value=100, actual=90, direction="at_least", ratio_target=False, share=1.0, left=0
        ).status
        == "missed"
    )


def test_standing_of_a_budget() -> None:
    spent_out = standing(
        value=600_000, actual=610_000, direction="at_most", ratio_target=False, share=0.6, left=12
    )
    assert (spent_out.status, spent_out.needed_per_day) == ("missed", 0.0)
    kept = standing(
        value=600_000, actual=590_000, direction="at_most", ratio_target=False, share=1.0, left=0
    )
    assert kept.status == "met"
    assert standing(
        value=600_000, actual=300_000, direction="at_most", ratio_target=False, share=0.5, left=15
    ).needed_per_day == pytest.approx(20_000)


def test_a_ratio_target_is_compared_directly() -> None:
    s = standing(value=0.06, actual=0.05, direction="at_least", ratio_target=True, share=0.3,
                 left=5)  # fmt: skip
    assert s.needed_per_day is None
    assert s.status == "behind"
    assert s.done_share == pytest.approx(0.05 / 0.06)
    assert (
        standing(
            value=0.06, actual=0.065, direction="at_least", ratio_target=True, share=1.0, left=0
        ).status
        == "met"
    )
    # ACOS at most 20%: 25% is behind.
    assert (
        standing(
            value=0.2, actual=0.25, direction="at_most", ratio_target=True, share=0.5, left=3
        ).status
        == "behind"
    )


def test_last_years_same_period_shapes_the_plan() -> None:
    """Last June (52 weeks back) had an 18 June peak three times a normal day."""
    last_june = {
        date(2025, 6, 2) + timedelta(days=i): 100_000.0 for i in range(30)
    }  # 2 June 2025 is the Monday 52 weeks before 1 June 2026
    last_june[date(2025, 6, 19)] = 300_000.0  # 52 weeks before Thursday 18 June 2026
    shape = last_year_shape(JUNE, last_june)
    assert shape is not None
    assert day_plan(JUNE, 3_200_000, date(2026, 6, 18), None, shape) == pytest.approx(300_000)
    assert time_share(JUNE, date(2026, 6, 18), 1.0, None, shape) == pytest.approx(20 / 32)
    # Too little of last year's period known: no shape.
    assert last_year_shape(JUNE, dict(list(last_june.items())[:20])) is None

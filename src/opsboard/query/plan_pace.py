"""Pacing a plan by the store's own curve (DESIGN.md 4.6): pure functions, no storage.

A period's target is spread over its days as last year's same period went (aligned by
weekday, so a promotion peak weighs its days again), else by the store's weekday pattern
(the mean of each weekday over its recent history; even days without one), and the day's
part by its hourly curve, so that 10:00 on a Tuesday expects what 10:00 on Tuesdays
brings rather than 10/24 of the day. A ratio target (CTR, ROI) is not spread: its figure
to date is compared with the goal directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from opsboard.config.targets import PlanPeriod
from opsboard.query.pacing import pace

#: A plan more than this far ahead of (or behind) its paced share is "ahead" ("behind").
PLAN_TOLERANCE = 0.05
#: Fewer days of history than this and the days of a period weigh the same.
MIN_HISTORY_DAYS = 14


def weekday_weights(daily: Mapping[date, float]) -> list[float] | None:
    """The mean of each weekday (Monday first) over ``daily``, scaled to a mean of 1;
    None when the history is too short (``MIN_HISTORY_DAYS``), a weekday is missing or
    every day is 0: the caller weighs the days evenly then."""
    if len(daily) < MIN_HISTORY_DAYS:
        return None
    sums = [0.0] * 7
    counts = [0] * 7
    for day, value in daily.items():
        sums[day.weekday()] += max(value, 0.0)
        counts[day.weekday()] += 1
    if 0 in counts:
        return None
    means = [s / c for s, c in zip(sums, counts, strict=True)]
    average = sum(means) / 7
    if average <= 0:
        return None
    return [m / average for m in means]


def hour_share(hourly: Mapping[int, float], hour: int, minute_share: float) -> float | None:
    """How much of a day's figure the store's hourly curve brings before ``hour`` plus
    ``minute_share`` (0-1) of that hour; None when the curve is empty."""
    total = sum(max(v, 0.0) for v in hourly.values())
    if total <= 0:
        return None
    before = sum(max(v, 0.0) for h, v in hourly.items() if h < hour)
    return min(1.0, (before + minute_share * max(hourly.get(hour, 0.0), 0.0)) / total)


#: Last year's same period shapes a plan only where it has figures for this share of days.
LAST_YEAR_COVERAGE = 0.9
#: Last year's same weekday: 52 weeks back.
A_YEAR_OF_WEEKS = timedelta(days=364)


def last_year_shape(period: PlanPeriod, daily: Mapping[date, float]) -> list[float] | None:
    """Each day's weight in ``period`` from last year's same period, aligned by weekday
    (52 weeks back), so that last year's promotion peak weighs its days again; None where
    last year has figures for less than ``LAST_YEAR_COVERAGE`` of the days (a day without
    one weighs the mean of the others)."""
    values = [daily.get(d - A_YEAR_OF_WEEKS) for d in period.each_day()]
    known = [max(v, 0.0) for v in values if v is not None]
    if len(known) < LAST_YEAR_COVERAGE * period.days or sum(known) <= 0:
        return None
    mean = sum(known) / len(known)
    return [mean if v is None else max(v, 0.0) for v in values]


def day_weights(
    period: PlanPeriod, weights: Sequence[float] | None, each_day: Sequence[float] | None = None
) -> list[float]:
    """Each day's weight in ``period``: ``each_day`` where given (last year's shape), else
    by weekday (even when ``weights`` is None)."""
    if each_day is not None:
        return list(each_day)
    return [weights[d.weekday()] if weights else 1.0 for d in period.each_day()]


def time_share(
    period: PlanPeriod,
    as_of: date,
    today_share: float,
    weights: Sequence[float] | None,
    each_day: Sequence[float] | None = None,
) -> float:
    """The share of the period's expected figure due by ``today_share`` (0-1) of the day
    ``as_of``: the full days before it, weighed by weekday (or by ``each_day``), plus that
    share of its own."""
    if as_of < period.first:
        return 0.0
    if as_of > period.last:
        return 1.0
    each = day_weights(period, weights, each_day)
    total = sum(each)
    if total <= 0:
        return 0.0
    index = (as_of - period.first).days
    return (sum(each[:index]) + each[index] * today_share) / total


def day_plan(
    period: PlanPeriod,
    value: float,
    day: date,
    weights: Sequence[float] | None,
    each_day: Sequence[float] | None = None,
) -> float:
    """The part of a period's ``value`` planned for ``day`` (0 outside the period)."""
    if not period.first <= day <= period.last:
        return 0.0
    each = day_weights(period, weights, each_day)
    total = sum(each)
    return value * each[(day - period.first).days] / total if total > 0 else 0.0


def days_left(period: PlanPeriod, as_of: date, today_share: float) -> int:
    """Whole days of the period still to come after ``as_of`` (the day itself counts while
    part of it is left)."""
    if as_of > period.last:
        return 0
    if as_of < period.first:
        return period.days
    after = (period.last - as_of).days
    return after + (1 if today_share < 1.0 else 0)


@dataclass(frozen=True)
class Standing:
    """Where a target stands: the figures of `opsboard targets`."""

    done_share: float | None
    time_share: float
    needed_per_day: float | None
    status: str


def standing(
    *,
    value: float,
    actual: float | None,
    direction: str,
    ratio_target: bool,
    share: float,
    left: int,
) -> Standing:
    """A target of ``value`` against ``actual`` with ``share`` of its expected figure due
    and ``left`` days to go: ``ahead``, ``on track``, ``behind``, ``met`` or ``missed``."""
    over = left == 0
    ceiling = direction == "at_most"
    done = None if actual is None or not value else actual / value
    if ratio_target:
        if actual is None or not value:
            return Standing(done, share, None, "missed" if over else "behind")
        score = (value / actual if actual else 0.0) if ceiling else actual / value
        status = ("met" if score >= 1.0 else "missed") if over else _by_pace(score)
        return Standing(done, share, None, status)
    got = actual or 0.0
    needed = max(value - got, 0.0) / left if left else None
    if over:
        met = got <= value if ceiling else got >= value
        return Standing(done, share, needed, "met" if met else "missed")
    if ceiling and got > value:
        return Standing(done, share, 0.0, "missed")
    if not ceiling and got >= value:
        return Standing(done, share, 0.0, "met")
    paced = pace(got, value, share)
    return Standing(done, share, needed, "on track" if paced is None else _by_pace(paced))


def _by_pace(score: float) -> str:
    if score > 1 + PLAN_TOLERANCE:
        return "ahead"
    if score < 1 - PLAN_TOLERANCE:
        return "behind"
    return "on track"


#: A ratio target's trend compares its last days with as many days before them.
TREND_DAYS = 3
#: A trend moving less than this (relative) is flat.
TREND_FLAT = 0.02


@dataclass(frozen=True)
class Trend:
    """A ratio target's figure over its last ``TREND_DAYS`` whole days and the days before."""

    first: date
    last: date
    recent: float | None
    before: float | None

    @property
    def direction(self) -> str:
        """``up``, ``down`` or ``flat``; ``unknown`` without both figures."""
        if self.recent is None or not self.before:
            return "unknown"
        change = self.recent / self.before - 1
        if abs(change) < TREND_FLAT:
            return "flat"
        return "up" if change > 0 else "down"

    def as_json(self) -> dict[str, Any]:
        """``{"recent": 0.061, "before": 0.058, "direction": "up", "days": "..."}``."""
        return {
            "recent": _round(self.recent),
            "before": _round(self.before),
            "direction": self.direction,
            "days": f"{self.first}..{self.last}",
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)

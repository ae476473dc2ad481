"""Promotion windows weigh the days of a plan as the store's history of such windows says
(DESIGN.md 4.6).

A configured promotion window (``[[alerts.promotions]]``: 618, Double 11, in each store's
local time) that falls in a target's period multiplies the weight of the days it covers
by the store's **uplift**: how much more than usual the store's past windows brought. For
each past window (over before the day judged) each of its days is compared with its
baseline, the mean of the same weekday 1-4 weeks before the window (days of other windows
left out); a day the window covers only in part (20:00 to midnight) counts for that part
(``coverage``): the uplift ``u`` solves ``sum(actual) = sum(baseline x (1 + (u - 1) x
coverage))``. Without a past window with figures the days are not reweighed (no guess).

The part of a day covered is counted in hours, not by the store's hourly curve: the
evening a window opens at 20:00 is its busiest part, so such a day's weight is a floor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from opsboard.config.rules import PromotionWindow
from opsboard.config.targets import PlanPeriod

#: How many weeks before a window its baseline weekdays are taken from.
BASELINE_WEEKS = 4
#: The lowest uplift believed (a window that halved sales says so; one at 0 is missing data).
MIN_UPLIFT = 0.2

#: ``daily(first, last)``: the metric's figure on each local day with one.
Daily = Callable[[date, date], Mapping[date, float]]


def coverage(window: PromotionWindow, day: date) -> float:
    """The share of local ``day`` (0-1) the window covers, in hours."""
    start = datetime.fromisoformat(window.start)
    end = datetime.fromisoformat(window.end)
    day_start = datetime.combine(day, time())
    day_end = day_start + timedelta(days=1)
    overlap = min(end, day_end) - max(start, day_start)
    return max(overlap.total_seconds(), 0.0) / 86_400


def window_days(window: PromotionWindow) -> list[date]:
    """The local days the window touches."""
    first = datetime.fromisoformat(window.start).date()
    last = (datetime.fromisoformat(window.end) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def store_windows(windows: Sequence[PromotionWindow], store: str) -> list[PromotionWindow]:
    """The windows that apply to ``store`` (no stores listed: every store)."""
    return [w for w in windows if not w.stores or store in w.stores]


def day_coverage(windows: Sequence[PromotionWindow], day: date) -> float:
    """The largest share of ``day`` any of ``windows`` covers."""
    return max((coverage(w, day) for w in windows), default=0.0)


def uplift(windows: Sequence[PromotionWindow], as_of: date, daily: Daily) -> float | None:
    """How much more than its usual days the store's past windows (over before ``as_of``)
    brought, per whole day covered: 2.5 = two and a half times; None without one with
    figures."""
    past = [w for w in windows if window_days(w)[-1] < as_of]
    promo_days = {d for w in windows for d in window_days(w)}
    got = usual = usual_covered = 0.0
    for window in past:
        days = window_days(window)
        first = days[0] - timedelta(weeks=BASELINE_WEEKS)
        figures = daily(first, days[-1])
        for day in days:
            if day not in figures:
                continue
            before = [
                figures[b]
                for k in range(1, BASELINE_WEEKS + 1)
                if (b := day - timedelta(weeks=k)) in figures and b not in promo_days
            ]
            if not before:
                continue
            baseline = sum(before) / len(before)
            got += figures[day]
            usual += baseline
            usual_covered += baseline * coverage(window, day)
    if usual_covered <= 0:
        return None
    return max(1.0 + (got - usual) / usual_covered, MIN_UPLIFT)


def promotion_factors(
    period: PlanPeriod,
    windows: Sequence[PromotionWindow],
    as_of: date,
    daily: Daily,
) -> list[float] | None:
    """Each day's factor in ``period`` (1 outside the windows); None when no window falls
    in the period or the store has no past window to learn its uplift from."""
    covered = [day_coverage(windows, d) for d in period.each_day()]
    if not any(covered):
        return None
    found = uplift(windows, as_of, daily)
    if found is None:
        return None
    return [1.0 + (found - 1.0) * c for c in covered]

"""Pacing: spend against budget x share of the store's day elapsed (DESIGN.md section 3).

The one computation of it: the metrics engine's ``pacing`` metric, the pacing rule and the
promotion panel all come here, so that a day's pace reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from opsboard.metrics import ratio
from opsboard.timeutil import day_bounds, local_day, local_midnight, share_of_day_elapsed

#: Pacing above this is "ahead", below ``BEHIND`` "behind"; between, "on track".
AHEAD = 1.15
BEHIND = 0.85


def day_share(day: date, tz: tzinfo, now: datetime) -> float | None:
    """How much of the store's local ``day`` has passed at ``now``: 1 once it is over, None
    before it begins."""
    start, end = day_bounds(day, tz)
    if now >= end:
        return 1.0
    if now <= start:
        return None
    return share_of_day_elapsed(now, tz)


def today_share(now: datetime, tz: tzinfo) -> float:
    """How much of the store's current local day has passed at ``now``, from 0 to 1."""
    return share_of_day_elapsed(now, tz)


def pace(spend: float | None, budget: float | None, share: float) -> float | None:
    """``spend / (budget x share)``: 1 is on budget; None without spend, budget or time."""
    if spend is None or not budget or share <= 0:
        return None
    return ratio(spend, budget * share)


def runs_out_at(spend: float, budget: float, now: datetime, tz: tzinfo) -> datetime | None:
    """When the budget is spent if the rest of the day spends at today's average rate so
    far (None when nothing is spent yet)."""
    day_start = local_midnight(local_day(now, tz), tz)
    elapsed = (now - day_start).total_seconds()
    if spend <= 0 or elapsed <= 0:
        return None
    return day_start + timedelta(seconds=elapsed * budget / spend)


def pacing_state(
    spend: float | None, budget: float | None, share: float, at: datetime, tz: tzinfo, peak: int
) -> str:
    """``on track``, ``ahead``, ``behind``, ``spent out`` or ``out by HH:MM`` (when the
    budget runs out today before the ``peak`` hour).

    The projection assumes the rest of the day spends at today's average rate so far.
    """
    pacing = pace(spend, budget, share)
    if pacing is None or spend is None or budget is None:
        return ""
    if spend >= budget:
        return "spent out"
    exhaust = runs_out_at(spend, budget, at, tz)
    if exhaust is not None:
        local = exhaust.astimezone(tz)
        if local.date() == at.astimezone(tz).date() and local.hour < peak:
            return f"out by {local:%H:%M}"
    if pacing > AHEAD:
        return "ahead"
    if pacing < BEHIND:
        return "behind"
    return "on track"

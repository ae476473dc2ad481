"""The periods a rule reads: its window, the baselines of a change rule, and in a replay
only what was known at the replayed instant.

Baselines are the same local hours on an earlier local day, so that "the same hour last
week" stays the same hour on the clock across a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from opsboard.config.rules import LATEST_DAY_BACK, RuleConfig
from opsboard.query.engine import Period
from opsboard.timeutil import floor_hour, local_day, local_midnight

DAY = timedelta(days=1)


def whole_days(rule: RuleConfig) -> bool:
    """True when the rule's window is a number of whole local days."""
    return rule.kind != "change" and rule.window >= DAY and rule.window % DAY == timedelta(0)


def window_parts(
    rule: RuleConfig, now: datetime, tz: tzinfo, *, replay: bool = False
) -> tuple[Period, ...]:
    """The periods whose sums make up the rule's window at ``now``.

    Change rules: the last complete hours (a partial hour is never compared with a full one).
    Whole-day windows: local days, today included. Others: the hours up to the end of the
    current one.

    In a replay (``replay``) nothing later than ``now`` may be read: hours count once they
    are over, and a day-grain figure (a whole day's total) only once its day is over, so
    today is read from its complete hours and earlier days of the window from their days.
    """
    if rule.kind == "change":
        end = floor_hour(now)
        return (Period(start=end - rule.window, end=end),)
    # In a replay the data known at ``now`` ends with the last complete hour; an instant
    # on the hour closes the day it ends (00:00 closes yesterday).
    known = floor_hour(now)
    if whole_days(rule):
        today = local_day(known - timedelta(seconds=1) if replay else now, tz)
        first = today - (rule.window // DAY - 1) * DAY
        if not replay:
            return (Period(first_day=first, last_day=today),)
        hours = Period(start=local_midnight(today, tz), end=known)
        if first == today:
            return (hours,)
        return (Period(first_day=first, last_day=today - DAY), hours)
    end = known if replay else known + timedelta(hours=1)
    return (Period(start=end - rule.window, end=end),)


def shifted(period: Period, days: int, tz: tzinfo) -> Period:
    """``period`` moved ``days`` local days back: the same hours on the clock."""
    assert period.start is not None
    assert period.end is not None
    back = timedelta(days=days)
    return Period(
        start=(period.start.astimezone(tz) - back).astimezone(UTC),
        end=(period.end.astimezone(tz) - back).astimezone(UTC),
    )


def baseline_days(rule: RuleConfig) -> list[int]:
    """How many local days back each baseline of a change rule lies."""
    if rule.baseline == "yesterday":
        return [1]
    if rule.baseline == "last_week":
        return [7]
    if rule.baseline == "trailing_days":
        return list(range(1, rule.days + 1))
    return [7 * k for k in range(1, rule.weeks + 1)]


def latest_days(
    rule: RuleConfig, now: datetime, tz: tzinfo, *, replay: bool = False
) -> list[Period]:
    """The days a ``latest_day`` rule may judge, newest first: today's window, then each
    whole day before it up to ``LATEST_DAY_BACK`` days back."""
    [today] = window_parts(rule, now, tz, replay=replay)
    last = local_day(floor_hour(now) - timedelta(seconds=1) if replay else now, tz)
    earlier = [last - k * DAY for k in range(1, LATEST_DAY_BACK + 1)]
    return [today, *(Period(first_day=day, last_day=day) for day in earlier)]


def rule_periods(
    rule: RuleConfig, now: datetime, tz: tzinfo, *, replay: bool = False
) -> list[Period]:
    """Every period a data rule reads: its window, and for change rules the baselines."""
    if rule.latest_day:
        return latest_days(rule, now, tz, replay=replay)
    parts = list(window_parts(rule, now, tz, replay=replay))
    if rule.kind != "change":
        return parts
    return parts + [shifted(parts[0], days, tz) for days in baseline_days(rule)]

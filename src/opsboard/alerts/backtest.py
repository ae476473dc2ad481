"""Replay stored hourly history through the rules: when would each alert have fired?

The replay keeps alert state in a scratch in-memory store, so the real alert state is
never touched; it moves a frozen clock to the end of every hour in the range and evaluates
the data rules (source and file rules have no history to replay). At each instant the rules
read only what was known then: the hours that had ended, and a day's own figure once the day
was over (it holds the whole day's total). The replay stops at the current hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from opsboard.alerts.engine import AlertEngine, AlertEvent
from opsboard.config.models import Settings
from opsboard.errors import UsageError
from opsboard.models import AlertState
from opsboard.storage.store import Store
from opsboard.timeutil import DEFAULT_TIMEZONE, FrozenClock, floor_hour, local_midnight, zone

_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Replay:
    """The replay's events (pending ones left out) and how many hours it evaluated."""

    events: list[AlertEvent]
    hours: int


def backtest(
    data: Store,
    settings: Settings,
    *,
    first: date,
    last: date,
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> Replay:
    """Evaluate the data rules at the end of every hour from ``first`` to ``last`` (local
    days, inclusive) that has ended by ``now`` (default: the wall clock), and return the
    firing / resolved / strategic events in order."""
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}", hint="swap them")
    if (last - first).days > 92:
        raise UsageError("a backtest covers at most 93 days", hint="narrow --from / --to")
    tz = tz or zone(settings.stores[0].timezone if settings.stores else DEFAULT_TIMEZONE)
    start = local_midnight(first, tz)
    end = min(local_midnight(last + timedelta(days=1), tz), floor_hour(now or datetime.now(UTC)))
    clock = FrozenClock(start)
    scratch = Store.open(":memory:")
    try:
        engine = AlertEngine(data, settings, clock, state=scratch, replay=True)
        events: list[AlertEvent] = []
        hours = 0
        at = start
        while at < end:
            at += _HOUR
            clock.set(at)  # the end of the hour: it and the hours before it are known
            for event in engine.evaluate().events:
                if event.event in (AlertState.FIRING, AlertState.RESOLVED, AlertState.STRATEGIC):
                    events.append(event)
            hours += 1
        return Replay(events, hours)
    finally:
        scratch.close()


def describe(event: AlertEvent, tz: tzinfo) -> str:
    """One line of the replay for the terminal."""
    at = event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return (
        f"{at}  {event.event.upper():<9} {event.severity:<8} {event.rule}  "
        f"{event.store}  {event.scope or '-'}  {event.message}"
    )

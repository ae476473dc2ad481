"""The review's opening: the day against plan and the period to date (DESIGN.md 4.6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from opsboard.formatting import figure, percent_change
from opsboard.i18n import _, is_chinese
from opsboard.query.contribution import contribution, contribution_line
from opsboard.query.plans import (
    PlanReader,
    TargetStatus,
    all_targets,
    plan_line,
    shown_like,
    target_name,
)
from opsboard.query.scope import Period
from opsboard.runtime import Runtime
from opsboard.storage.store import Store


def day_statuses(runtime: Runtime, store: Store, name: str, day: date) -> tuple[TargetStatus, ...]:
    """The store's targets whose period holds ``day``, as of the end of it."""
    targets = [
        t
        for t in all_targets(runtime.settings, store, name)
        if t.period.first <= day <= t.period.last
    ]
    if not targets:
        return ()
    targets.sort(key=lambda t: (-t.period.days, t.metric != "gmv", t.metric, t.scope))
    reader = PlanReader(runtime.engine(store), runtime.settings)
    tz = runtime.tz_for(name)
    return tuple(reader.status(t, tz, day=day) for t in targets)


def day_line(status: TargetStatus, currency: str) -> str:
    """``GMV on the day ¥95.2k against ¥101k planned (-6%)``, or "" for a ratio target
    or a day without a plan."""
    t = status.target
    if status.yesterday_plan is None:
        return ""
    shown_as = shown_like(t.metric)
    done = status.yesterday_actual
    change = (
        _(" ({change})").format(change=percent_change(done / status.yesterday_plan - 1))
        if done is not None and status.yesterday_plan
        else ""
    )
    return _("{target} on the day {actual} against {plan} planned{change}").format(
        target=target_name(t),
        actual=figure(shown_as, done, currency),
        plan=figure(shown_as, status.yesterday_plan, currency),
        change=change,
    )


def plan_texts(statuses: tuple[TargetStatus, ...], currency: str) -> tuple[str, ...]:
    """The review's "Against plan" lines: each target's day, then its period to date."""
    out: list[str] = []
    for status in statuses:
        line = day_line(status, currency)
        if line:
            out.append(line)
        out.append(plan_line(status, currency))
    return tuple(out)


def plan_data(statuses: tuple[TargetStatus, ...]) -> list[dict[str, Any]]:
    """The targets as JSON-ready data: `opsboard targets`' keys and the day's plan."""
    return [
        {
            **s.as_json(),
            "day_plan": None if s.yesterday_plan is None else round(s.yesterday_plan, 2),
            "day_actual": None if s.yesterday_actual is None else round(s.yesterday_actual, 2),
        }
        for s in statuses
    ]


def contribution_texts(runtime: Runtime, store: Store, name: str, day: date) -> tuple[str, ...]:
    """The review's contribution lines: the day, then the month to date (from its first
    day; one line when the day is the first), each with how it is reached."""
    if name not in store.stores():
        return ()  # a configured store without any data yet: nothing to say
    engine = runtime.engine(store)
    currency = runtime.settings.store(name).currency
    out: list[str] = []
    month = day.replace(day=1)
    month_name = f"{day.month}月" if is_chinese() else f"{day:%B}"
    for first, lead in (
        (day, _("On the day")),
        (month, _("{month} to date").format(month=month_name)),
    ):
        if first == month and day == month and out:
            break
        found = contribution(engine, runtime.settings, name, Period(first_day=first, last_day=day))
        if found.gmv is None and found.spend is None:
            continue
        line = contribution_line(found, currency, how=True)
        out.append(_("{when}: {line}").format(when=lead, line=line))
    return tuple(out)

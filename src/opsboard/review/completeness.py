"""Which sources delivered the reviewed day whole, so that a gap is never read as a collapse.

A source is an adapter instance; each point remembers the ingest that last wrote it, and the
ingest its source. The day is compared with the same weekday last week: a source that
delivered then and not now is *missing*; an hourly source with hours absent is a *gap*;
rejected files and unhealthy sources are listed too.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import PurePath

from opsboard.glossary import health_label
from opsboard.i18n import _
from opsboard.models import HealthState, SourceHealth
from opsboard.review.model import Completeness, SourceNote
from opsboard.storage import ingests, points
from opsboard.storage.store import Store
from opsboard.timeutil import day_bounds

_LEVEL_NAMES = (
    (1, "channel"),
    (2, "campaign"),
    (4, "SKU"),
    (8, "term"),
    (16, "source"),
    (32, "keyword"),
)


def scope_label(metric: str, level: int) -> str:
    """``gmv`` for a store total, ``gmv by SKU`` or ``spend by campaign/SKU`` otherwise."""
    parts = [name for bit, name in _LEVEL_NAMES if level & bit]
    return f"{metric} by {'/'.join(parts)}" if parts else metric


@dataclass
class _Coverage:
    scopes: set[tuple[str, int]] = field(default_factory=set)
    day_metrics: set[str] = field(default_factory=set)
    hour_metrics: set[str] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)


def _coverage(store: Store, store_name: str, start: int, end: int) -> dict[str, _Coverage]:
    """Per source: the (metric, level) scopes it delivered in [start, end) and its hours."""
    found: dict[str, _Coverage] = defaultdict(_Coverage)
    for delivered in points.deliveries(store, store_name, start, end):
        cover = found[delivered.source or "unknown"]
        cover.scopes.add((delivered.metric, delivered.level))
        if delivered.grain == "hour":
            cover.hour_metrics.add(delivered.metric)
            cover.hours.add(delivered.ts - delivered.ts % 3600)
        else:
            cover.day_metrics.add(delivered.metric)
    return found


def hour_ranges(hours: list[int], tz: tzinfo) -> str:
    """Hours (epoch starts) as local ranges: ``00:00-03:00, 14:00-15:00``."""
    if not hours:
        return ""
    spans: list[tuple[int, int]] = []
    for ts in sorted(hours):
        if spans and spans[-1][1] == ts:
            spans[-1] = (spans[-1][0], ts + 3600)
        else:
            spans.append((ts, ts + 3600))

    def local(ts: int) -> str:
        """``HH:MM`` in the store's time zone."""
        return datetime.fromtimestamp(ts, UTC).astimezone(tz).strftime("%H:%M")

    return ", ".join(f"{local(a)}-{'24:00' if local(b) == '00:00' else local(b)}" for a, b in spans)


def week_later(hour: int, tz: tzinfo) -> int:
    """The start of the same local clock hour a week after ``hour`` (an epoch second).

    Weeks are counted on the store's calendar, not as 7 x 86,400 seconds, so that a
    daylight-saving change in between does not move the hour by one.
    """
    local = datetime.fromtimestamp(hour, UTC).astimezone(tz)
    later = datetime.combine(local.date() + timedelta(days=7), local.time(), tzinfo=tz)
    return int(later.timestamp())


def assess(
    store: Store,
    store_name: str,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: tzinfo,
) -> Completeness:
    """The completeness of ``store_name``'s data for the local day [start, end).

    The day is compared with the same weekday a week before, taken as that local calendar
    day (23 or 25 hours long across a daylight-saving change).
    """
    day_start, day_end = int(start.timestamp()), int(end.timestamp())
    base_start, base_end = (
        int(t.timestamp()) for t in day_bounds(start.astimezone(tz).date() - timedelta(7), tz)
    )
    today = _coverage(store, store_name, day_start, day_end)
    before = _coverage(store, store_name, base_start, base_end)
    notes: list[SourceNote] = []
    missing: set[str] = set()
    partial: set[str] = set()
    day_grain_metrics = set().union(*(c.day_metrics for c in today.values()))
    present = set().union(*(c.scopes for c in today.values()))
    present_metrics = {metric for metric, _level in present}
    last_hour = min(day_end, int(now.timestamp()) - int(now.timestamp()) % 3600)
    all_hours = set(range(day_start, last_hour, 3600))

    for source in sorted(before):
        # Scopes another source still delivers (a renamed or replaced adapter) are not lost.
        lost = sorted(before[source].scopes - present)
        if not lost:
            continue
        missing.update(m for m, _level in lost if m not in present_metrics)
        notes.append(
            SourceNote(
                source=source,
                kind="missing",
                detail=_("delivered nothing for the day (it did on the same weekday last week)")
                if source not in today
                else _("delivered less than on the same weekday last week"),
                metrics=tuple(scope_label(m, level) for m, level in lost),
            )
        )
    for source in sorted(today):
        cover = today[source]
        if not cover.hours:
            continue
        expected = all_hours
        usual = before.get(source)
        if usual is not None and usual.hours:
            # A source that is sparse by nature (no rows for quiet hours) is held to last
            # week's pattern, not to every hour.
            shifted = {week_later(h, tz) for h in usual.hours}
            if len(shifted & all_hours) < len(all_hours):
                expected = shifted & all_hours
        absent = sorted(expected - cover.hours)
        if not absent:
            continue
        affected = sorted(cover.hour_metrics - day_grain_metrics)
        partial.update(affected)
        notes.append(
            SourceNote(
                source=source,
                kind="gap",
                detail=_("{count} of {expected} hours missing: {hours}").format(
                    count=len(absent), expected=len(expected), hours=hour_ranges(absent, tz)
                ),
                metrics=tuple(affected),
            )
        )
    baseline_notes, baseline_partial = _baseline_gaps(before, base_start, base_end, tz)
    during, later = _health(store.health(), store_name, end, tz)
    notes += during
    notes.extend(_rejected(store, store_name, start))
    return Completeness(
        notes=tuple(notes),
        missing_metrics=tuple(sorted(missing)),
        partial_metrics=tuple(sorted(partial - missing)),
        hours_expected=len(all_hours),
        baseline_notes=tuple(baseline_notes),
        late_notes=tuple(_late(store, store_name, today, day_start, day_end, tz)),
        baseline_partial_metrics=tuple(sorted(baseline_partial)),
        later_notes=tuple(later),
        unfinished=end > now,
        data_until=_data_until(today, tz) if end > now else "",
    )


def _data_until(today: dict[str, _Coverage], tz: tzinfo) -> str:
    """The latest local hour with hourly data, as ``14:00-15:00``; empty without."""
    latest = max((max(c.hours) for c in today.values() if c.hours), default=None)
    return "" if latest is None else hour_ranges([latest], tz)


def _health(
    sources: list[SourceHealth], store_name: str, end: datetime, tz: tzinfo
) -> tuple[list[SourceNote], list[SourceNote]]:
    """Unhealthy sources of the store: those whose trouble began before the day ended (the
    day may be touched), and those whose trouble began later (it is not)."""
    during: list[SourceNote] = []
    later: list[SourceNote] = []
    for health in sources:
        if health.store not in (store_name, "") or health.state == HealthState.OK:
            continue
        reason = _(": ") + health.reason if health.reason else ""
        since = health.since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        state = _("{state} since {time}{reason}").format(
            state=health_label(health.state.value), time=since, reason=reason
        )
        if health.since < end:
            during.append(SourceNote(health.source, "health", state))
        else:
            later.append(
                SourceNote(
                    health.source,
                    "now",
                    state + _(" (after the day; its data is not affected)"),
                )
            )
    return during, later


def _baseline_gaps(
    before: dict[str, _Coverage], start: int, end: int, tz: tzinfo
) -> tuple[list[SourceNote], set[str]]:
    """Hourly gaps on last week's day [start, end), which would make a change on it look
    bigger. The bounds are that local day's, so a 23- or 25-hour day is judged whole."""
    notes = []
    partial: set[str] = set()
    day_grain_metrics = set().union(*(c.day_metrics for c in before.values()))
    for source in sorted(before):
        cover = before[source]
        if not cover.hours:
            continue
        absent = sorted(set(range(start, end, 3600)) - cover.hours)
        affected = cover.hour_metrics - day_grain_metrics
        if not absent or not affected:
            continue
        partial.update(affected)
        notes.append(
            SourceNote(
                source=source,
                kind="baseline_gap",
                detail=_("last week's day has {count} hours missing: {hours}").format(
                    count=len(absent), hours=hour_ranges(absent, tz)
                ),
                metrics=tuple(sorted(affected)),
            )
        )
    return notes, partial


#: Hourly data loaded more than this after its hour ended arrived late for live watching.
LATE_AFTER = timedelta(hours=2)
#: Data loaded more than this after the day is a backfill, not a late delivery.
BACKFILL_AFTER = timedelta(days=2)


def _late(
    store: Store,
    store_name: str,
    today: dict[str, _Coverage],
    day_start: int,
    day_end: int,
    tz: tzinfo,
) -> list[SourceNote]:
    """Hourly sources whose hours of the day were first loaded well after the hour ended.

    The first arrival of an hour is the earliest loaded ingest of the source whose period
    covers it (later re-downloads and restatements do not count).
    """
    hourly = {source for source, cover in today.items() if cover.hours}
    if not hourly:
        return []
    first: dict[tuple[str, int], datetime] = {}
    for source, low, high, finished in ingests.arrivals(store, store_name, day_start, day_end):
        if source not in hourly or finished is None:
            continue
        try:
            arrived = datetime.fromisoformat(str(finished))
        except ValueError:
            continue
        arrived = arrived if arrived.tzinfo else arrived.replace(tzinfo=UTC)
        for hour in today[source].hours:
            if int(low) <= hour <= int(high):
                key = (str(source), hour)
                if key not in first or arrived < first[key]:
                    first[key] = arrived
    deliveries = _deliveries(store, store_name, hourly, day_start, day_end)
    late: dict[str, list[tuple[int, timedelta]]] = defaultdict(list)
    for (source, hour), arrived in first.items():
        ended = datetime.fromtimestamp(hour + 3600, UTC)
        delay = arrived - ended
        if not LATE_AFTER < delay < BACKFILL_AFTER:
            continue
        # Late means the source was delivering while this hour was missing: some other
        # delivery came between the hour's end and its arrival. A collector that was not
        # running (a first start, a restart) back-fills; that is not the source's delay.
        times = deliveries.get(source, [])
        index = bisect.bisect_right(times, ended)
        if index < len(times) and times[index] < arrived - timedelta(minutes=1):
            late[source].append((hour, delay))
    notes = []
    for source in sorted(late):
        hours = sorted(h for h, _delay in late[source])
        worst = max(delay for _h, delay in late[source])
        notes.append(
            SourceNote(
                source=source,
                kind="late",
                detail=_(
                    "{count} hours arrived late ({hours}), up to {delay} h after the hour"
                ).format(
                    count=len(hours),
                    hours=hour_ranges(hours, tz),
                    delay=f"{worst.total_seconds() / 3600:.1f}",
                ),
            )
        )
    return notes


def _deliveries(
    store: Store, store_name: str, sources: set[str], day_start: int, day_end: int
) -> dict[str, list[datetime]]:
    """When each source committed anything for the store, from the day on, in order."""
    since = datetime.fromtimestamp(day_start, UTC).isoformat(timespec="seconds")
    until = (datetime.fromtimestamp(day_end, UTC) + BACKFILL_AFTER).isoformat(timespec="seconds")
    found: dict[str, list[datetime]] = defaultdict(list)
    for source, finished in ingests.deliveries(store, store_name, since, until):
        if source not in sources:
            continue
        try:
            at = datetime.fromisoformat(str(finished))
        except ValueError:
            continue
        found[str(source)].append(at if at.tzinfo else at.replace(tzinfo=UTC))
    return found


def _rejected(store: Store, store_name: str, start: datetime) -> list[SourceNote]:
    """Files or API pages refused since the day began (they may have held the day's data),
    each file once, and not when it loaded since (downloaded again, whole)."""
    notes = []
    for source, origin, message, started_at in ingests.standing_refusals(store, store_name):
        try:
            when = datetime.fromisoformat(str(started_at))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when < start - timedelta(hours=1):
            continue
        first_line = str(message).splitlines()[0] if message else "rejected"
        # The file by its name: the folder it lay in is no news; the reason often begins
        # with the name already.
        name = PurePath(str(origin)).name if origin else ""
        first_line = first_line.replace(f"{name}: ", "") if name else first_line
        notes.append(
            SourceNote(
                source=str(source),
                kind="rejected",
                detail=f"{name}: {first_line}" if name else first_line,
            )
        )
    return notes

"""The per-store strip that leads an all-stores Overview: one row per store, over its own
local day, in its own currency; and which day a store's figures are of.

Textual-free. A store with no data for its today shows its latest day with data, marked as
such, instead of dashes (a daily T+1 export is the normal way data arrives for many stores).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from opsboard.config.models import Settings
from opsboard.query.engine import MetricsEngine, Period
from opsboard.storage import points
from opsboard.storage.store import Store
from opsboard.timeutil import floor_hour, local_day, local_midnight
from opsboard.views.alerts import AlertRow
from opsboard.views.promotion import clean

#: The metrics whose points say a store has traffic data for a day.
TRAFFIC_DATA = ("uv", "pv", "buyers", "gmv", "spend")
#: The figures of a strip row.
STRIP_METRICS = ("uv", "gmv", "roi")


@dataclass(frozen=True, slots=True)
class ShownDay:
    """The local day a store's figures are of, and the instant to read them at."""

    day: date
    #: The instant the figures are read at: ``at`` for today, the day's last second for
    #: the latest day with data.
    at: datetime
    #: True when the store has no data for its today and ``day`` is its latest with data.
    latest: bool


@dataclass(frozen=True, slots=True)
class StoreRow:
    """One store's figures over its own day, in its own currency."""

    store: str
    currency: str
    uv: float | None
    gmv: float | None
    roi: float | None
    #: How many of the store's alerts are firing.
    firing: int
    #: Visitors per local hour of the day shown (0-23), None for an hour with no data.
    hours: tuple[float | None, ...]
    day: date
    #: True when the store has no data for its today: the figures are of ``day``, its
    #: latest day with data.
    latest: bool


def shown_day(store: Store, engine: MetricsEngine, name: str, at: datetime) -> ShownDay:
    """The store's today, or its latest day with data when it has none for today."""
    tz = engine.tz_for(name)
    today = local_day(at, tz)
    before = int((floor_hour(at) + timedelta(hours=1)).timestamp())
    last = points.last_point_before(store, name, before, TRAFFIC_DATA)
    if last is None:
        return ShownDay(today, at, False)
    day = local_day(datetime.fromtimestamp(last, UTC), tz)
    if day >= today:
        return ShownDay(today, at, False)
    end = local_midnight(day + timedelta(days=1), tz) - timedelta(seconds=1)
    return ShownDay(day, end, True)


def day_period(shown: ShownDay, live: bool) -> Period:
    """The store's day shown: whole when live or past (so day-grain reports count), else
    up to the replayed hour."""
    return Period.own_day(0, shown.at, so_far=not (live or shown.latest))


def store_rows(
    store: Store,
    engine: MetricsEngine,
    settings: Settings,
    names: Sequence[str],
    alerts: Sequence[AlertRow],
    *,
    at: datetime,
    live: bool,
) -> tuple[StoreRow, ...]:
    """One row per store in ``names``, each over its own local day."""
    out: list[StoreRow] = []
    for name in names:
        shown = shown_day(store, engine, name, at)
        period = day_period(shown, live)
        (row,) = engine.query(list(STRIP_METRICS), stores=[name], period=period)
        hourly = engine.by_local_hour(
            ["uv"], stores=[name], period=Period.own_day(0, shown.at, so_far=True)
        )
        out.append(
            StoreRow(
                store=name,
                currency=settings.store(name).currency,
                uv=clean(row["uv"]),
                gmv=clean(row["gmv"]),
                roi=clean(row["roi"]),
                firing=sum(1 for a in alerts if a.store == name and a.state == "firing"),
                hours=tuple(clean(hourly[h]["uv"]) if h in hourly else None for h in range(24)),
                day=shown.day,
                latest=shown.latest,
            )
        )
    return tuple(out)

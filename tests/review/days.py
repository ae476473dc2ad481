"""Constructed store days for the review tests: the answer is known by construction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from opsboard.config.models import Settings
from opsboard.models import MetricPoint
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone
from opsboard.views.sample_world import SAMPLE_NOW, SAMPLE_ZONE

SHOP = "shop"
TZ = zone(SAMPLE_ZONE)
#: The day the tests review: yesterday for the shared frozen clock (2026-06-18 14:30 local).
DAY = SAMPLE_NOW.astimezone(TZ).date() - timedelta(days=1)
HISTORY = [DAY - timedelta(days=7 * k) for k in range(1, 5)]


def day_point(day: date, metric: str, value: float, **scope: str) -> MetricPoint:
    """A day-grain point for ``SHOP``."""
    return MetricPoint(SHOP, local_midnight(day, TZ), "day", metric, value, **scope)


def hour_point(day: date, hour: int, metric: str, value: float, **scope: str) -> MetricPoint:
    """An hour-grain point for ``SHOP`` at ``hour`` local time."""
    ts = local_midnight(day, TZ) + timedelta(hours=hour)
    return MetricPoint(SHOP, ts, "hour", metric, value, **scope)


def traffic(day: date, uv: float, conversion: float, aov: float, **scope: str) -> list[MetricPoint]:
    """Visitors, buyers and GMV for one scope of one day."""
    buyers = uv * conversion
    return [
        day_point(day, "uv", uv, **scope),
        day_point(day, "buyers", buyers, **scope),
        day_point(day, "gmv", buyers * aov, **scope),
    ]


def channel_day(
    day: date, channels: dict[str, float], conversion: float = 0.03
) -> list[MetricPoint]:
    """A store day whose total is the sum of its channels, every channel converting alike."""
    points = traffic(day, sum(channels.values()), conversion, 100.0)
    for channel, uv in channels.items():
        points += traffic(day, uv, conversion, 100.0, channel=channel)
    return points


def write(store: Store, points: Iterable[MetricPoint], source: str = "sycm") -> None:
    """Write points as one ingest of ``source``."""
    store.write_points(list(points), source=source, origin=f"{source}-test")


@dataclass
class Shop:
    """A store database and a runtime with the shared frozen clock and a configurable shop."""

    store: Store
    db_path: Path
    clock: FrozenClock
    config: dict[str, Any] = field(default_factory=dict)
    review: dict[str, Any] = field(default_factory=dict)
    notifiers: list[dict[str, Any]] = field(default_factory=list)
    #: Further stores beside ``SHOP``, as config tables.
    others: list[dict[str, Any]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return Settings.model_validate(
            {
                "stores": [{"name": SHOP, **self.config}, *self.others],
                "review": self.review,
                "notifiers": self.notifiers,
            }
        )

    @property
    def runtime(self) -> Runtime:
        return Runtime(settings=self.settings, db_path=self.db_path, clock=self.clock)

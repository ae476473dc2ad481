"""Fixtures for the alert engine: settings from rule dicts, hourly series, an engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsboard.alerts.engine import AlertEngine
from opsboard.config import Settings
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

#: The frozen "now" of the shared clock fixture: 2026-06-18 14:30 in Shanghai.
NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
#: The start of the hour containing NOW.
HOUR = datetime(2026, 6, 18, 6, 0, tzinfo=UTC)

SettingsFactory = Callable[..., Settings]
EngineFactory = Callable[..., AlertEngine]


def settings_with(
    rules: Iterable[dict[str, Any]] = (),
    *,
    stores: Iterable[dict[str, Any]] = (),
    notifiers: Iterable[dict[str, Any]] = (),
    **alerts: Any,
) -> Settings:
    """Settings holding only the given rules (no built-in ones) and no group wait."""
    body: dict[str, Any] = {"use_defaults": False, "group_wait": 0, "rules": list(rules)}
    body.update(alerts)
    return Settings.model_validate(
        {"alerts": body, "stores": list(stores), "notifiers": list(notifiers)}
    )


def points(
    metric: str,
    values: Iterable[float],
    *,
    start: datetime = HOUR,
    store: str = "shop",
    step: timedelta = timedelta(hours=1),
    grain: str = "hour",
    **scope: str,
) -> list[MetricPoint]:
    """Consecutive points of one series from ``start``."""
    return [
        MetricPoint(store, start + i * step, grain, metric, float(v), **scope)
        for i, v in enumerate(values)
    ]


@pytest.fixture
def make_engine(store: Store, clock: FrozenClock) -> EngineFactory:
    """``make_engine(settings)``: an engine on the test store with the frozen clock."""

    def build(settings: Settings, **kwargs: Any) -> AlertEngine:
        return AlertEngine(store, settings, clock, **kwargs)

    return build

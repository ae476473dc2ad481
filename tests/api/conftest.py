"""Fixtures for the platform API tests: a real simulated platform on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_simulator.runner import Simulator

from opsboard.adapters.api import AdapterContext
from opsboard.adapters.registry import load_adapter, validate_options
from opsboard.collect.collector import Collector
from opsboard.config.models import Settings
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .api_support import SEED, START, simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A fault-free simulated platform whose time stands still at ``START``."""
    running = simulator(start=START, seed=SEED, speed=0).start()
    yield running
    running.stop()


@pytest.fixture
def api_clock() -> FrozenClock:
    """The collector's clock, at the simulated platform's time."""
    return FrozenClock(START)


AdapterFactory = Callable[..., PlatformApiAdapter]


@pytest.fixture
def make_adapter(tmp_path: Path, api_clock: FrozenClock) -> AdapterFactory:
    """``make_adapter(sim, **options)``: a platform API adapter built as the config would."""

    def build(simulator: Simulator, source: str = "platform", **options: Any) -> PlatformApiAdapter:
        values: dict[str, Any] = {
            "base_url": simulator.base_url,
            "token": simulator.token,
            "stores": ["amazon-us"],
            "backfill_days": 1,
            "backoff": 0.01,
            "timeout": 5.0,
            "requests_per_minute": 100_000,
        }
        values.update(options)
        cls = load_adapter("api")
        checked = validate_options(cls, values, f"adapters ({source}).options")
        adapter = cls(checked, AdapterContext(source, Settings(), api_clock, tmp_path))
        assert isinstance(adapter, PlatformApiAdapter)
        return adapter

    return build


@pytest.fixture
def collector_for(api_clock: FrozenClock) -> Callable[[Store, PlatformApiAdapter], Collector]:
    """``collector_for(store, adapter)``: the core's collector over one adapter."""

    def build(store: Store, adapter: PlatformApiAdapter) -> Collector:
        return Collector(store, [(adapter, 60.0)], api_clock)

    return build


def all_points(store: Store) -> dict[tuple[object, ...], float]:
    """Every point in the store, keyed by its scope."""
    rows = store.conn.execute(
        "SELECT s.store, s.grain, p.ts, s.channel, s.campaign, s.sku, s.metric, p.value "
        "FROM points p JOIN series s ON s.id = p.series_id"
    ).fetchall()
    return {tuple(row[:7]): row[7] for row in rows}


@pytest.fixture
def points_of() -> Callable[[Store], dict[tuple[object, ...], float]]:
    """``points_of(store)``: every point in the store, keyed by its scope."""
    return all_points

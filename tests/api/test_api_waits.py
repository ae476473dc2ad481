"""Waits the adapter owes the API (a long Retry-After, across polls, stores and restarts), and
health for every store the source feeds when the API cannot be read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from opsboard_api.adapter import PlatformApiAdapter
from opsboard_simulator.runner import Simulator

from opsboard.collect.collector import Collector
from opsboard.models import HealthState
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .api_support import simulator

CollectorFor = Callable[[Store, PlatformApiAdapter], Collector]
STORES = {"tmall-flagship", "jd-official", "amazon-us"}


def _states(adapter: PlatformApiAdapter) -> dict[str, HealthState]:
    return {h.store: h.state for h in adapter.health()}


async def test_a_long_retry_after_is_honoured_across_polls_and_restarts(
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    api_clock: FrozenClock,
) -> None:
    with simulator(start=api_clock.now(), speed=0, retry_after=600).start() as sim:
        sim.inject("rate_limited", times=100)
        collector = collector_for(store, make_adapter(sim))
        await collector.run_cycle(force=True)
        assert sim.faults.requests == 1
        # A minute later, and after a restart: still within the 600 s, so nothing is sent.
        api_clock.advance(timedelta(seconds=60))
        await collector.run_cycle(force=True)
        await collector.aclose()
        restarted = make_adapter(sim)
        collector = collector_for(store, restarted)
        await collector.run_cycle(force=True)
        assert sim.faults.requests == 1
        health = {h.store: h for h in restarted.health()}
        assert health[""].state is HealthState.RATE_LIMITED
        assert health["amazon-us"].state is HealthState.RATE_LIMITED
        assert "no requests before 2026-11-10 06:40:00 UTC" in health["amazon-us"].reason
        stored = {h.store: h.state for h in store.health()}
        assert stored["amazon-us"] is HealthState.RATE_LIMITED
        # Once the wait is over, the API is read again.
        sim.faults.clear()
        api_clock.advance(timedelta(seconds=541))
        report = await collector.run_cycle(force=True)
        await collector.aclose()
        assert sim.faults.requests > 1
        assert report.points["platform"] > 0
        assert _states(restarted) == {"": HealthState.OK, "amazon-us": HealthState.OK}


async def test_a_wait_asked_for_one_store_stops_the_whole_poll(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, stores=[])
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)  # learns the three stores
    sim.faults.retry_after = 600
    sim.inject("rate_limited", skip=1)  # the listing passes; the first store's read does not
    before = sim.faults.requests
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert sim.faults.requests - before == 2  # no request for the other stores
    assert _states(adapter) == dict.fromkeys({"", *STORES}, HealthState.RATE_LIMITED)


async def test_every_store_of_a_source_fails_when_the_api_is_down(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    # `stores = []`, as in the example config: the stores are the API's.
    adapter = make_adapter(sim, stores=[], max_retries=1)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    assert _states(adapter) == dict.fromkeys({"", *STORES}, HealthState.OK)
    sim.stop()
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert _states(adapter) == dict.fromkeys({"", *STORES}, HealthState.FAILING)
    # A collector restarted while the API is down knows the stores from its bookmarks.
    restarted = make_adapter(sim, stores=[], max_retries=1)
    collector = collector_for(store, restarted)
    await collector.run_cycle(force=True)
    await collector.aclose()
    health = {h.store: h for h in restarted.health()}
    assert {s: h.state for s, h in health.items()} == dict.fromkeys(
        {"", *STORES}, HealthState.FAILING
    )
    assert "cannot reach the API" in health["jd-official"].reason


async def test_a_store_the_api_stops_listing_is_failing(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, stores=[])
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    del sim.simulation.stores["jd-official"]  # the token lost access to the store
    await collector.run_cycle(force=True)
    await collector.aclose()
    health = {h.store: h for h in adapter.health()}
    assert health["jd-official"].state is HealthState.FAILING
    assert "no longer lists store 'jd-official'" in health["jd-official"].reason
    assert health["amazon-us"].state is HealthState.OK

"""Bad budget rows and bad store records: refused one by one with a reason, the rest kept,
the bookmark not past them; served by the simulated platform's ``bad_record`` fault."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_api.listing import read_budgets, read_listing
from opsboard_simulator.faults import corrupt_record
from opsboard_simulator.runner import Simulator

from opsboard.collect.collector import Collector
from opsboard.models import HealthState
from opsboard.storage import Store
from opsboard.timeutil import local_midnight

from .api_support import api_get

CollectorFor = Callable[[Store, PlatformApiAdapter], Collector]
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
#: Pages of amazon-us's first poll at 1000 records a page (47 hours; see test_api_adapter).
TRAFFIC_PAGES, AD_PAGES = -(-47 * 68 // 1000), -(-47 * 13 // 1000)


def _budgets(store: Store) -> dict[tuple[int, str], float]:
    rows = store.conn.execute(
        "SELECT p.ts, s.campaign, p.value FROM points p JOIN series s ON s.id = p.series_id "
        "WHERE s.metric = 'budget'"
    ).fetchall()
    return {(int(ts), str(campaign)): float(value) for ts, campaign, value in rows}


async def test_one_bad_budget_row_is_refused_and_the_others_kept(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = make_adapter(sim, page_size=1000)
    collector = collector_for(store, adapter)
    # The listing and the traffic and ad pages pass; the budgets answer has one bad row.
    sim.inject("bad_record", skip=1 + TRAFFIC_PAGES + AD_PAGES)
    with caplog.at_level(logging.WARNING):
        await collector.run_cycle(force=True)
    refused = [r.getMessage() for r in caplog.records if "budgets: refused" in r.getMessage()]
    assert len(refused) == 1
    found = re.search(r"budget amazon-us:(\d{4}-\d\d-\d\d):([\w-]+): ", refused[0])
    assert found, refused[0]
    bad_day, bad_campaign = date.fromisoformat(found.group(1)), found.group(2)
    # Two days (2026-11-08 and 09 in Los Angeles) of 3 campaigns, less the refused row.
    kept = _budgets(store)
    assert len(kept) == 5
    assert (int(local_midnight(bad_day, LOS_ANGELES).timestamp()), bad_campaign) not in kept
    health = next(h for h in adapter.health() if h.store == "amazon-us")
    assert health.state is HealthState.FAILING
    assert "refused 1 record(s): budget amazon-us:" in health.reason
    # The refused row is on the first day (where the fault strikes is seeded): the bookmark
    # stays on that day rather than moving to today, so that the day is read again.
    assert bad_day == date(2026, 11, 8)
    assert store.bookmarks("platform")["amazon-us:budgets"] == "2026-11-08"
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert len(_budgets(store)) == 6
    assert next(h for h in adapter.health() if h.store == "amazon-us").state is HealthState.OK


async def test_a_bad_store_record_fails_its_store_and_the_others_are_read(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = make_adapter(sim, stores=[])
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.inject("bad_record")  # the listing
    with caplog.at_level(logging.WARNING):
        await collector.run_cycle(force=True)
    assert any("the store listing: refused" in r.getMessage() for r in caplog.records)
    states = {h.store: h for h in adapter.health()}
    failing = [s for s, h in states.items() if s and h.state is HealthState.FAILING]
    assert len(failing) == 1
    assert "refused" in states[failing[0]].reason
    assert states[""].state is HealthState.FAILING
    assert all(h.state is HealthState.OK for s, h in states.items() if s and s not in failing)
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert {h.state for h in adapter.health()} == {HealthState.OK}


def _corrupted(record: dict[str, Any], kinds: int = 40) -> list[dict[str, Any]]:
    """``record`` broken each way the fault can break it."""
    out = []
    for seed in range(kinds):
        broken = dict(record)
        corrupt_record(broken, random.Random(seed))
        out.append(broken)
    return out


def test_every_way_the_fault_breaks_a_budget_row_is_refused(sim: Simulator) -> None:
    rows = api_get(sim, "/v1/stores/amazon-us/budgets", start_day="2026-11-09").json()["data"]
    for broken in _corrupted(rows[0]):
        result = read_budgets(
            [broken, *rows[1:]],
            "amazon-us",
            LOS_ANGELES,
            first=date(2026, 11, 9),
            today=date(2026, 11, 9),
        )
        assert len(result.rejected) == 1, broken
        assert len(result.points) == len(rows) - 1


def test_every_way_the_fault_breaks_a_store_record_is_refused(sim: Simulator) -> None:
    stores = api_get(sim, "/v1/stores").json()["data"]
    for broken in _corrupted(stores[0]):
        listing = read_listing([broken, *stores[1:]])
        assert len(listing.refused) == 1, broken
        assert set(listing.stores) == {s["id"] for s in stores[1:]}

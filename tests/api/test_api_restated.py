"""Restated figures: the platform's own revision travels with the points, the running hour's
growth is not a restatement, and one poll hands over one batch per store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_api.records import RevisedPoints, parse_instant
from opsboard_simulator.runner import Simulator

from opsboard.adapters.api import Batch
from opsboard.collect.collector import Collector
from opsboard.storage import Store

from .api_support import START, read_all

CollectorFor = Callable[[Store, PlatformApiAdapter], Collector]
RUNNING_HOUR = int(START.timestamp()) // 3600 * 3600
TRAFFIC = frozenset(("uv", "pv", "bounces", "buyers", "orders", "gmv", "cart_adds"))


def _record_batches(adapter: PlatformApiAdapter) -> list[list[Batch]]:
    """Every poll's batches, as the collector receives them (one list per poll)."""
    polls: list[list[Batch]] = []
    real = adapter.poll

    async def recording(bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        polls.append([])
        async for batch in real(bookmarks):
            polls[-1].append(batch)
            yield batch

    adapter.poll = recording  # type: ignore[method-assign]
    return polls


def _revised(batches: list[Batch]) -> list[tuple[tuple[Any, ...], int]]:
    found: list[tuple[tuple[Any, ...], int]] = []
    for batch in batches:
        assert isinstance(batch.points, RevisedPoints)
        found.extend(batch.points.with_revisions())
    return found


def _epoch(stamp: str) -> int:
    return int(parse_instant(stamp, "hour").timestamp())


async def test_a_poll_writes_the_running_hour_once_with_revision_zero(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim)  # the default look-back of 3 hours
    polls = _record_batches(adapter)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.advance(timedelta(minutes=20))  # the same hour, later: its figures have grown
    await collector.run_cycle(force=True)
    await collector.aclose()
    second = _revised(polls[1])
    keys = [point[:7] for point, _revision in second]
    # Each figure once per poll: the look-back does not read the running hour again.
    assert len(keys) == len(set(keys))
    running = [(point, revision) for point, revision in second if point[2] == RUNNING_HOUR]
    assert {point[6] for point, _ in running} >= TRAFFIC
    assert {revision for _, revision in running} == {0}
    # Traffic is never restated: every visitor and page-view figure is at revision 0.
    assert {r for p, r in second if p[6] in ("uv", "pv")} == {0}


async def test_a_figure_first_read_after_its_restatement_carries_the_platforms_revision(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    sim.advance(timedelta(hours=14))  # 04:30 on 2026-11-11 in Shanghai: the 10th restated
    adapter = make_adapter(sim, stores=["tmall-flagship"])
    polls = _record_batches(adapter)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    await collector.aclose()
    ads, _ = read_all(sim, "/v1/stores/tmall-flagship/ads", limit=1000)
    platform = {(_epoch(r["hour"]), r["campaign"], r["sku"] or ""): r["revision"] for r in ads}
    carried = {
        (point[2], point[4], point[5]): revision
        for point, revision in _revised(polls[0])
        if point[6] == "spend"
    }
    # Yesterday's restated hours and today's first publications, as the platform says.
    assert carried == {key: platform[key] for key in carried}
    assert set(carried.values()) == {0, 1}
    # Restated before it was ever read: nothing to report as a change.
    health = next(h for h in adapter.health() if h.store == "tmall-flagship")
    assert health.detail["restated"] == 0


async def test_a_restatement_is_reported_when_it_replaces_figures_read_before(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = make_adapter(sim, stores=["tmall-flagship"])
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.advance(timedelta(hours=14))
    with caplog.at_level(logging.INFO, logger="opsboard_api"):
        await collector.run_cycle(force=True)
    await collector.aclose()
    health = next(h for h in adapter.health() if h.store == "tmall-flagship")
    # The 10th's ads: 24 hours of 5 campaigns and their promoted SKUs (26 records an hour).
    assert health.detail["restated"] == 24 * 26
    assert health.detail["last_restated"] == "2026-11-10T20:30:00Z"
    assert any("restated 624 record(s)" in r.getMessage() for r in caplog.records)


async def test_a_steady_poll_is_one_ingest_per_store(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    collector = collector_for(store, make_adapter(sim, stores=["amazon-us", "jd-official"]))
    await collector.run_cycle(force=True)
    before = store.conn.execute("SELECT max(id) FROM ingests").fetchone()[0]
    sim.advance(timedelta(minutes=5))
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    rows = store.conn.execute(
        "SELECT store, status, points FROM ingests WHERE id > ? ORDER BY id", (before,)
    ).fetchall()
    # The since read, the look-back and the budgets of a store commit together.
    assert [(r[0], r[1]) for r in rows] == [("amazon-us", "loaded"), ("jd-official", "loaded")]
    assert sum(r[2] for r in rows) == report.points["platform"]


async def test_the_stored_revision_is_the_platforms(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, stores=["tmall-flagship"])
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.advance(timedelta(minutes=20))
    await collector.run_cycle(force=True)  # the running hour has grown
    sim.advance(timedelta(hours=14))
    await collector.run_cycle(force=True)  # the 10th restated
    await collector.aclose()
    rows = store.conn.execute(
        "SELECT s.metric, p.ts, max(p.revision) FROM points p JOIN series s ON s.id = p.series_id "
        "WHERE s.store = 'tmall-flagship' AND s.grain = 'hour' GROUP BY 1, 2"
    ).fetchall()
    stored = {(metric, ts): revision for metric, ts, revision in rows}
    ads, _ = read_all(sim, "/v1/stores/tmall-flagship/ads", limit=1000)
    restated = {_epoch(r["hour"]) for r in ads if r["revision"]}
    assert restated
    ad_metrics = {"impressions", "clicks", "spend", "ad_orders", "ad_gmv"}
    for (metric, ts), revision in stored.items():
        expected = 1 if metric in ad_metrics and ts in restated else 0
        assert revision == expected, (metric, ts)

"""The platform API adapter, polling a real simulated platform through the core's collector."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from opsboard_api import records
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_api.client import RequestBudget
from opsboard_api.options import PlatformApiOptions
from opsboard_simulator.runner import Simulator

from opsboard.collect.collector import Collector
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.storage.meta import changes_fingerprint
from opsboard.timeutil import FrozenClock, local_midnight

from .api_support import SEED, START, read_all, simulator

#: Points of amazon-us with backfill_days 1 at START (22:30 on 2026-11-09 in Los Angeles):
#: from midnight on 2026-11-08 there, 47 hours (46 ended, the current one) of traffic for
#: the store, 7 channels and 60 SKUs (7 metrics) and of ads for 3 campaigns and their 10
#: promoted SKUs (5 metrics); budgets of 3 campaigns on those 2 days.
HOURS = 47
FULL_DAY = HOURS * 68 * 7 + HOURS * 13 * 5 + 2 * 3
#: Pages of a full read at the default page size (500 records): traffic, ads.
TRAFFIC_PAGES, AD_PAGES = -(-HOURS * 68 // 500), -(-HOURS * 13 // 500)

CollectorFor = Callable[[Store, PlatformApiAdapter], Collector]
PointsOf = Callable[[Store], dict[tuple[object, ...], float]]


def _health(adapter: PlatformApiAdapter, store: str = "amazon-us") -> SourceHealth:
    return next(h for h in adapter.health() if h.store == store)


def _api_figure(sim: Simulator, store: str, dataset: str, record_id: str) -> dict[str, Any]:
    records, _ = read_all(
        sim, f"/v1/stores/{store}/{dataset}", start="2026-11-01T00:00:00Z", limit=1000
    )
    (record,) = [r for r in records if r["id"] == record_id]
    return record


def _point(db: Store, metric: str, ts: int, **scope: str) -> tuple[float, int]:
    row = db.conn.execute(
        "SELECT p.value, p.revision FROM points p JOIN series s ON s.id = p.series_id "
        "WHERE s.store = ? AND s.metric = ? AND p.ts = ? AND s.channel = ? AND s.campaign = ? "
        "AND s.sku = ? AND s.grain = 'hour'",
        (
            scope.get("store", "amazon-us"),
            metric,
            ts,
            scope.get("channel", ""),
            scope.get("campaign", ""),
            scope.get("sku", ""),
        ),
    ).fetchone()
    assert row is not None, f"no {metric} point at {ts} for {scope}"
    return float(row[0]), int(row[1])


async def test_a_cycle_stores_every_figure_with_its_bookmarks(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim)
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert report.failed == {}
    assert report.rejected == {}
    assert report.points["platform"] == FULL_DAY
    marks = store.bookmarks("platform")
    assert marks["amazon-us:traffic"] == "2026-11-10T06:30:00Z"
    assert marks["amazon-us:ads"] == "2026-11-10T06:30:00Z"
    assert marks["amazon-us:budgets"] == "2026-11-09"  # the store's day in Los Angeles
    assert _health(adapter).state is HealthState.OK
    assert _health(adapter, "").state is HealthState.OK
    stored = {h.store: h.state for h in store.health()}
    assert stored == {"": HealthState.OK, "amazon-us": HealthState.OK}
    # The store's visitors are the API's own figure, not the sum of its channels.
    hour = "2026-11-10T03:00:00Z"
    epoch = int(START.timestamp()) // 3600 * 3600 - 3 * 3600
    store_uv = _api_figure(sim, "amazon-us", "traffic", f"amazon-us:{epoch}:store")
    assert store_uv["hour"] == hour
    assert _point(store, "uv", epoch) == (store_uv["metrics"]["uv"], 0)


async def test_bookmarks_carry_over_to_a_new_adapter(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    points_of: PointsOf,
) -> None:
    first = collector_for(store, make_adapter(sim, lookback_hours=0))
    await first.run_cycle(force=True)
    await first.aclose()
    sim.advance(timedelta(hours=2))
    before = sim.faults.requests
    second = collector_for(store, make_adapter(sim, lookback_hours=0))
    report = await second.run_cycle(force=True)
    await second.aclose()
    # Only what changed since the bookmark: the hour that was partial, the next one and the
    # new partial one (and the budgets of the last two days); not the whole day again.
    assert report.points["platform"] == 3 * 68 * 7 + 3 * 13 * 5 + 2 * 3
    assert sim.faults.requests - before == 4  # stores, traffic, ads, budgets
    assert store.bookmarks("platform")["amazon-us:traffic"] == "2026-11-10T08:30:00Z"
    fresh_db = Store.open(store.path.with_name("fresh.db"))  # type: ignore[union-attr]
    fresh = collector_for(fresh_db, make_adapter(sim, lookback_hours=0))
    await fresh.run_cycle(force=True)
    await fresh.aclose()
    one_run = points_of(fresh_db)
    fresh_db.close()
    two_runs = points_of(store)
    assert {k: v for k, v in two_runs.items() if k in one_run} == one_run


async def test_restated_spend_replaces_the_old_figure(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, stores=["tmall-flagship"], lookback_hours=0)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    epoch = int(START.timestamp()) // 3600 * 3600 - 3600  # 13:00 in Shanghai
    scope = {"store": "tmall-flagship", "channel": "display", "campaign": "tm-crowd-prospect"}
    record_id = f"tmall-flagship:{epoch}:cmp:display:tm-crowd-prospect"
    old_spend, revision = _point(store, "spend", epoch, **scope)
    assert revision == 0
    assert old_spend == _api_figure(sim, "tmall-flagship", "ads", record_id)["metrics"]["spend"]
    sim.advance(timedelta(hours=14))  # past 04:00 the next day in Shanghai
    await collector.run_cycle(force=True)
    await collector.aclose()
    restated = _api_figure(sim, "tmall-flagship", "ads", record_id)
    assert restated["revision"] == 1
    new_spend, revision = _point(store, "spend", epoch, **scope)
    assert new_spend == restated["metrics"]["spend"] != old_spend
    assert revision == 1


async def test_look_back_rereads_recent_hours(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    collector = collector_for(store, make_adapter(sim, lookback_hours=2))
    await collector.run_cycle(force=True)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    # Incremental: the partial hour; look-back: the two ended hours before it, not the
    # partial one again.
    assert report.points["platform"] == (1 + 2) * (68 * 7 + 13 * 5) + 3  # budgets: today


async def test_look_back_waits_its_interval(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, lookback_hours=2, lookback_every_minutes=10)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    points = []
    for minutes in (0, 9, 1):  # 14:30, 14:39 and 14:40 in Shanghai: the same hour
        sim.advance(timedelta(minutes=minutes))
        points.append((await collector.run_cycle(force=True)).points["platform"])
    await collector.aclose()
    hour = 68 * 7 + 13 * 5
    # The partial hour on every poll; the two ended hours again only once ten minutes went by.
    assert points == [3 * hour + 3, hour + 3, 3 * hour + 3]


async def test_a_poll_that_finds_nothing_new_writes_nothing_and_wakes_nobody(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    collector = collector_for(store, make_adapter(sim, lookback_hours=2))
    first = await collector.run_cycle(force=True)
    assert first.total_points > 0
    ingests = len(store.ingests(limit=10_000))
    fingerprint = changes_fingerprint(store)
    written = store.conn.total_changes
    # The same figures read again (the clock stands still, so the platform has nothing new).
    again = await collector.run_cycle(force=True)
    await collector.aclose()
    assert again.points["platform"] > 0  # the look-back window was read again...
    assert again.total_points == 0  # ...and changed nothing: no evaluation, no reload
    assert len(store.ingests(limit=10_000)) == ingests
    assert changes_fingerprint(store) == fingerprint
    changes = store.conn.total_changes - written
    assert changes <= 4  # the source's health and bookmarks at most, never a point


@pytest.mark.parametrize("kind", ["server_error", "malformed", "truncated"])
async def test_transient_faults_are_retried(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    points_of: PointsOf,
    kind: str,
) -> None:
    adapter = make_adapter(sim)
    sim.inject(kind, times=2)
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert report.failed == {}
    assert report.rejected == {}
    assert _health(adapter).state is HealthState.OK
    assert sim.faults.served[kind] == 2
    # The listing thrice, then the pages of traffic and of ads, the budgets.
    assert sim.faults.requests == 3 + TRAFFIC_PAGES + AD_PAGES + 1
    assert len(points_of(store)) == FULL_DAY


async def test_gives_up_after_the_retries_and_writes_nothing(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, max_retries=2)
    sim.inject("server_error", times=3)
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert store.point_count() == 0  # no zeros for the hours it could not read
    assert report.points["platform"] == 0
    health = _health(adapter, "")
    assert health.state is HealthState.FAILING
    assert "after 3 attempts" in health.reason
    assert store.bookmarks("platform") == {}


async def test_a_timeout_is_retried(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    # A generous timeout, so that only the hanging answer times out on a loaded machine.
    sim.faults.hang_seconds = 1.5
    adapter = make_adapter(sim, timeout=1.0)
    sim.inject("timeout")
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert report.failed == {}
    assert sim.faults.served["timeout"] == 1
    # The listing twice, then as usual.
    assert sim.faults.requests == 2 + TRAFFIC_PAGES + AD_PAGES + 1
    assert report.points["platform"] == FULL_DAY
    # Read in the end, but only by asking again: the platform is struggling.
    health = _health(adapter)
    assert health.state is HealthState.SLOW
    assert "1 request(s) got no answer" in health.reason


async def test_slow_answers_mark_the_store_slow(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    sim.faults.slow_seconds = 0.3
    adapter = make_adapter(sim, slow_after=0.2)
    collector = collector_for(store, adapter)
    sim.inject("slow", skip=1)  # the traffic read
    await collector.run_cycle(force=True)
    await collector.aclose()
    health = _health(adapter)
    assert health.state is HealthState.SLOW
    assert "slowest answer" in health.reason


async def test_rate_limits_are_honoured(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim)
    sim.inject("rate_limited")
    collector = collector_for(store, adapter)
    started = time.monotonic()
    report = await collector.run_cycle(force=True)
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert report.failed == {}
    assert sim.faults.served["rate_limited"] == 1
    # A platform asking for a longer wait than allowed ends the poll as rate-limited.
    sim.faults.retry_after = 600
    sim.inject("rate_limited")
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert _health(adapter, "").state is HealthState.RATE_LIMITED
    assert "600" in _health(adapter, "").reason


async def test_an_expired_token_is_reported_and_not_retried(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.expire_token()
    before = sim.faults.requests
    await collector.run_cycle(force=True)
    assert sim.faults.requests - before == 1
    health = _health(adapter)
    assert health.state is HealthState.FAILING
    assert "token has expired" in health.reason
    assert health.last_ok is not None
    await collector.run_cycle(force=True)
    assert sim.faults.requests - before == 1  # it waits instead of asking again
    stored = {h.store: h for h in store.health()}
    assert stored["amazon-us"].state is HealthState.FAILING
    assert sim.token not in stored["amazon-us"].reason
    await collector.aclose()


async def test_a_bad_record_is_refused_and_the_bookmark_stops_before_it(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    points_of: PointsOf,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = make_adapter(sim, lookback_hours=0, page_size=200)
    collector = collector_for(store, adapter)
    sim.inject("bad_record", skip=1)  # the store listing passes, the first traffic page not
    with caplog.at_level(logging.WARNING):
        report = await collector.run_cycle(force=True)
    refused = [r for r in caplog.records if "refused record" in r.getMessage()]
    assert len(refused) == 1
    health = _health(adapter)
    assert health.state is HealthState.FAILING
    assert "refused 1 record" in health.reason
    partial = points_of(store)
    # The good records of the page were kept; the bookmark stopped at the refused record,
    # inside the first page (hours 06:00 to 08:00), and the later pages were left for later.
    traffic = [k for k in partial if k[6] == "uv"]
    assert (
        199 * 7
        <= len(
            [
                k
                for k in partial
                if k[6] in ("uv", "pv", "bounces", "buyers", "orders", "gmv", "cart_adds")
            ]
        )
        < 200 * 7
    )
    # The first page: 08:00 to 10:00 UTC on 2026-11-08 (from midnight in Los Angeles).
    assert {k[2] for k in traffic} <= {START.timestamp() - h * 3600 for h in (46.5, 45.5, 44.5)}
    assert store.bookmarks("platform")["amazon-us:traffic"] in {
        "2026-11-08T09:00:00Z",
        "2026-11-08T10:00:00Z",
        "2026-11-08T11:00:00Z",
    }
    assert report.points["platform"] == len(partial)
    await collector.run_cycle(force=True)
    await collector.aclose()
    assert _health(adapter).state is HealthState.OK
    healed = points_of(store)
    assert len(healed) == FULL_DAY
    assert all(healed[k] == v for k, v in partial.items())


async def test_a_fault_rate_run_converges_to_the_fault_free_data(
    make_adapter: Any,
    collector_for: CollectorFor,
    tmp_path: Path,
    points_of: PointsOf,
    api_clock: FrozenClock,
) -> None:
    # The adapter's own defaults (not the quick ones of the other tests), for both runs.
    fields = PlatformApiOptions.model_fields
    options: dict[str, Any] = {
        name: fields[name].default
        for name in ("backfill_days", "backoff", "timeout", "requests_per_minute")
    }
    options["stores"] = ["amazon-us", "jd-official"]
    with simulator(start=START, seed=SEED, speed=0) as clean_sim:
        clean_sim.start()
        reference = Store.open(tmp_path / "reference.db")
        collector = collector_for(reference, make_adapter(clean_sim, **options))
        await collector.run_cycle(force=True)
        await collector.aclose()
        expected = points_of(reference)
        reference.close()
    # Slow answers and hangs shorter than the default timeout, to keep the test quick.
    with simulator(
        start=START, seed=SEED, speed=0, fault_rate=0.3, slow_seconds=0.3, hang_seconds=0.3
    ) as faulty_sim:
        faulty_sim.start()
        faulty = Store.open(tmp_path / "faulty.db")
        adapter = make_adapter(faulty_sim, **options)
        collector = collector_for(faulty, adapter)
        silent_polls = 0
        for _cycle in range(40):
            before = faulty_sim.faults.requests
            report = await collector.run_cycle(force=True)
            # Random faults are transient: no poll is skipped for them (a 15-minute rest
            # after a random "expired token" would leave the dashboard dark).
            silent_polls += faulty_sim.faults.requests == before
            if (
                not report.failed
                and not report.rejected
                and all(h.state is HealthState.OK for h in adapter.health())
            ):
                break
            api_clock.advance(timedelta(minutes=1))  # the next poll, a minute on
        else:
            pytest.fail("40 polls under faults did not converge")
        await collector.aclose()
        assert silent_polls == 0
        assert faulty_sim.faults.total_served > 10
        assert len(faulty_sim.faults.served) >= 5
        got = points_of(faulty)
        faulty.close()
    assert got == expected


async def test_a_backfill_starts_at_midnight_in_the_stores_calendar(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    collector = collector_for(store, make_adapter(sim))
    await collector.run_cycle(force=True)
    await collector.aclose()
    midnight = int(local_midnight(date(2026, 11, 8), ZoneInfo("America/Los_Angeles")).timestamp())
    hours = {
        int(ts)
        for (ts,) in store.conn.execute(
            "SELECT DISTINCT p.ts FROM points p JOIN series s ON s.id = p.series_id "
            "WHERE s.grain = 'hour' AND s.metric = 'spend'"
        )
    }
    assert min(hours) == midnight
    # The first day is whole: all its spend, against its whole budget.
    assert len({h for h in hours if midnight <= h < midnight + 86400}) == 24


async def test_the_request_budget_spreads_requests_over_the_window() -> None:
    budget = RequestBudget(3, window=0.3)
    started = time.monotonic()
    for _ in range(3):
        await budget.acquire()
    assert time.monotonic() - started < 0.2
    await budget.acquire()  # the fourth waits until the first leaves the window
    assert time.monotonic() - started >= 0.29


async def test_a_page_the_database_refuses_ends_the_poll(
    sim: Simulator,
    make_adapter: Any,
    collector_for: CollectorFor,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    adapter = make_adapter(sim)
    real = records.record_points

    def unknown_channel(record: object, *args: Any, **kwargs: Any) -> Any:
        points, updated = real(record, *args, **kwargs)
        # A channel the store does not know, as a platform adding one would send.
        return [(*p[:3], "livestream", *p[4:]) for p in points], updated

    monkeypatch.setattr(records, "record_points", unknown_channel)
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert len(report.rejected["platform"]) == 1
    assert "livestream" in report.rejected["platform"][0]
    assert store.point_count() == 0
    assert store.bookmarks("platform") == {}
    health = _health(adapter)
    assert health.state is HealthState.FAILING
    assert "not stored" in health.reason


async def test_a_store_the_api_does_not_list_is_failing_and_the_others_are_read(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim, stores=["amazon-us", "amazon-uk"])
    collector = collector_for(store, adapter)
    report = await collector.run_cycle(force=True)
    await collector.aclose()
    assert report.points["platform"] == FULL_DAY
    missing = _health(adapter, "amazon-uk")
    assert missing.state is HealthState.FAILING
    assert "lists no store 'amazon-uk'" in missing.reason
    assert _health(adapter).state is HealthState.OK


async def test_the_running_hour_can_be_left_out(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    collector = collector_for(store, make_adapter(sim, include_partial_hour=False))
    await collector.run_cycle(force=True)
    await collector.aclose()
    running_hour = int(START.timestamp()) // 3600 * 3600
    hours = {r[0] for r in store.conn.execute("SELECT DISTINCT ts FROM points")}
    assert running_hour not in hours
    assert running_hour - 3600 in hours
    # The bookmark still moves: the running hour is read again once it has ended.
    assert store.bookmarks("platform")["amazon-us:traffic"] == "2026-11-10T06:30:00Z"


async def test_the_platform_names_its_campaigns(
    sim: Simulator, make_adapter: Any, collector_for: CollectorFor, store: Store
) -> None:
    adapter = make_adapter(sim)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    await collector.aclose()
    ads, _ = read_all(sim, "/v1/stores/amazon-us/ads", start="2026-11-09T00:00:00Z", limit=1000)
    given = {r["campaign"]: r["campaign_name"] for r in ads if r.get("campaign_name")}
    assert given
    assert store.names_of("amazon-us", "campaign", given) == {
        ("amazon-us", key): name for key, name in given.items()
    }
    assert records.record_names({"campaign": "c1", "campaign_name": 7}, "s") == {}

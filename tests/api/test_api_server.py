"""The simulated platform API, read over HTTP on a loopback port."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from opsboard_api.options import PlatformApiOptions
from opsboard_simulator.faults import FAULT_HEADER, RANDOM_FAULT_KINDS, FaultPlan
from opsboard_simulator.runner import Simulator

from .api_support import SEED, START, api_get, read_all, simulator

Json = dict[str, Any]


def test_lists_three_stores_on_loopback(sim: Simulator) -> None:
    assert sim.base_url.startswith("http://127.0.0.1:")
    body = api_get(sim, "/v1/stores").json()
    names = [s["id"] for s in body["data"]]
    assert names == ["tmall-flagship", "jd-official", "amazon-us"]
    assert [s["name"] for s in sim.stores] == names
    assert {s["timezone"] for s in body["data"]} == {"Asia/Shanghai", "America/Los_Angeles"}
    assert sum(s["sku_count"] for s in body["data"]) >= 200
    assert body["server_time"] == "2026-11-10T06:30:00Z"


def test_requests_without_the_token_are_refused(sim: Simulator) -> None:
    answer = httpx.get(sim.base_url + "/v1/stores/amazon-us/traffic")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"
    wrong = httpx.get(sim.base_url + "/v1/stores", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_pages_cover_every_record_once(sim: Simulator) -> None:
    start = "2026-11-09T12:00:00Z"
    small, small_pages = read_all(sim, "/v1/stores/amazon-us/traffic", start=start, limit=97)
    large, large_pages = read_all(sim, "/v1/stores/amazon-us/traffic", start=start, limit=1000)
    assert small_pages > large_pages >= 1
    assert [r["id"] for r in small] == [r["id"] for r in large]
    assert len({r["id"] for r in small}) == len(small)
    # 18 ended hours and the current partial one, each with the store, 7 channels, 60 SKUs.
    assert len(small) == 19 * (1 + 7 + 60)
    updated = [r["updated_at"] for r in small]
    assert updated == sorted(updated)


def test_only_ended_hours_and_the_marked_partial_one_exist(sim: Simulator) -> None:
    records, _ = read_all(sim, "/v1/stores/jd-official/ads", start="2026-11-10T00:00:00Z")
    hours = {r["hour"] for r in records}
    assert max(hours) == "2026-11-10T06:00:00Z"
    assert {r["partial"] for r in records if r["hour"] == "2026-11-10T06:00:00Z"} == {True}
    assert not any(r["partial"] for r in records if r["hour"] != "2026-11-10T06:00:00Z")


def test_since_returns_only_what_changed(sim: Simulator) -> None:
    since = "2026-11-10T04:00:00Z"
    records, _ = read_all(sim, "/v1/stores/amazon-us/ads", since=since)
    assert records
    assert all(r["updated_at"] >= since for r in records)
    assert {r["hour"] for r in records} == {
        "2026-11-10T03:00:00Z",
        "2026-11-10T04:00:00Z",
        "2026-11-10T05:00:00Z",
        "2026-11-10T06:00:00Z",
    }


def test_a_foreign_or_broken_cursor_is_refused(sim: Simulator) -> None:
    first = api_get(sim, "/v1/stores/amazon-us/traffic", limit=10).json()
    other = api_get(sim, "/v1/stores/jd-official/traffic", limit=10, cursor=first["next_cursor"])
    assert other.status_code == 400
    assert other.json()["error"] == "invalid_cursor"
    assert api_get(sim, "/v1/stores/amazon-us/traffic", cursor="garbage!").status_code == 400
    assert api_get(sim, "/v1/stores/nope/traffic").status_code == 404


def test_the_same_seed_gives_the_same_data() -> None:
    bodies = []
    for seed in (SEED, SEED, SEED + 1):
        with simulator(start=START, seed=seed, speed=0).start() as other:
            bodies.append(api_get(other, "/v1/stores/tmall-flagship/traffic", limit=300).content)
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


def _by_scope(records: list[Json], key: str) -> dict[str, list[Json]]:
    grouped: dict[str, list[Json]] = defaultdict(list)
    for record in records:
        grouped[str(record[key])].append(record)
    return grouped


def test_traffic_follows_the_day_and_the_promotion(sim: Simulator) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")

    def hour_of(day: int, hour: int) -> list[Json]:
        start = datetime(2026, 11, day, hour, tzinfo=shanghai).astimezone(UTC)
        window = {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
        return read_all(sim, "/v1/stores/tmall-flagship/traffic", **window)[0]

    def store_uv(records: list[Json]) -> int:
        (total,) = [r for r in records if r["channel"] is None and r["sku"] is None]
        return int(total["metrics"]["uv"])

    # Quiet nights, an evening peak.
    assert store_uv(hour_of(3, 4)) * 5 < store_uv(hour_of(3, 21))
    # The Double 11 warm-up: the eve is busier than the same weekday a week before.
    evening = hour_of(9, 21)
    assert store_uv(evening) > 1.3 * store_uv(hour_of(2, 21))
    # The store's visitors are its own figure, not the sum of its channels.
    channels = sum(r["metrics"]["uv"] for r in evening if r["channel"] is not None)
    assert store_uv(evening) < channels


def test_planted_problems_are_there(sim: Simulator) -> None:
    day_start = "2026-11-08T16:00:00Z"  # 2026-11-09 in Shanghai
    day_end = "2026-11-09T16:00:00Z"
    tmall, _ = read_all(sim, "/v1/stores/tmall-flagship/traffic", start="2026-11-09T00:00:00Z")
    collapsing = [r for r in tmall if r["sku"] == _sku(sim, "tmall-flagship", 2)]
    before = sum(r["metrics"]["uv"] for r in collapsing if r["hour"] < "2026-11-10T02:00:00Z")
    after = sum(r["metrics"]["uv"] for r in collapsing if r["hour"] >= "2026-11-10T02:00:00Z")
    assert after * 10 < before

    jd, _ = read_all(sim, "/v1/stores/jd-official/traffic", start=day_start, end=day_end)
    page = [r["metrics"] for r in jd if r["sku"] == _sku(sim, "jd-official", 4)]
    assert sum(m["bounces"] for m in page) / sum(m["uv"] for m in page) > 0.75

    ads, _ = read_all(sim, "/v1/stores/tmall-flagship/ads", start=day_start, end=day_end)
    campaigns = _by_scope([r for r in ads if r["sku"] is None], "campaign")
    prospect = campaigns["tm-crowd-prospect"]
    roi = sum(r["metrics"]["ad_gmv"] for r in prospect) / sum(
        r["metrics"]["spend"] for r in prospect
    )
    assert roi < 1 / 0.35  # below break-even at a 35% margin
    generic = sorted(campaigns["tm-kw-generic"], key=lambda r: r["hour"])
    budgets = api_get(sim, "/v1/stores/tmall-flagship/budgets", start_day="2026-11-09").json()
    budget = next(b["budget"] for b in budgets["data"] if b["campaign"] == "tm-kw-generic")
    assert sum(r["metrics"]["spend"] for r in generic) == pytest.approx(budget, rel=0.1)
    assert all(r["metrics"]["spend"] == 0 for r in generic[-6:])  # exhausted by the evening


def _sku(sim: Simulator, store: str, index: int) -> str:
    return sim.simulation.stores[store].skus[index]


def test_yesterdays_spend_is_restated_a_few_hours_later(sim: Simulator) -> None:
    window = {"start": "2026-11-10T04:00:00Z", "end": "2026-11-10T06:00:00Z"}
    before, _ = read_all(sim, "/v1/stores/tmall-flagship/ads", **window)
    assert {r["revision"] for r in before} == {0}
    sim.advance(timedelta(hours=12))  # 2026-11-11 02:30 in Shanghai: not restated yet
    assert read_all(sim, "/v1/stores/tmall-flagship/ads", **window)[0] == before
    sim.advance(timedelta(hours=2))  # 04:30: restated
    after, _ = read_all(sim, "/v1/stores/tmall-flagship/ads", **window)
    assert [r["id"] for r in after] == [r["id"] for r in before]
    assert {r["revision"] for r in after} == {1}
    assert {r["updated_at"] for r in after} == {"2026-11-10T20:00:00Z"}
    spend_before = sum(r["metrics"]["spend"] for r in before if r["sku"] is None)
    spend_after = sum(r["metrics"]["spend"] for r in after if r["sku"] is None)
    assert spend_before * 0.9 < spend_after < spend_before
    changed = read_all(sim, "/v1/stores/tmall-flagship/ads", since="2026-11-10T20:00:00Z")[0]
    assert {r["id"] for r in after} <= {r["id"] for r in changed}


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        ("server_error", {500, 502, 503}, "unavailable"),
        ("rate_limited", {429}, "rate_limited"),
        ("expired_token", {401}, "token_expired"),
    ],
)
def test_error_faults(sim: Simulator, fault: str, status: set[int], error: str) -> None:
    answer = api_get(sim, "/v1/stores/amazon-us/traffic", fault=fault)
    assert answer.status_code in status
    assert answer.json()["error"] == error
    if fault == "rate_limited":
        assert answer.headers["Retry-After"] == "1"


def test_broken_body_faults(sim: Simulator) -> None:
    for fault in ("malformed", "truncated"):
        answer = api_get(sim, "/v1/stores/amazon-us/traffic", fault=fault)
        assert answer.status_code == 200
        with pytest.raises(ValueError, match=r"\w"):
            answer.json()


def test_bad_record_fault_breaks_exactly_one_record(sim: Simulator) -> None:
    clean = api_get(sim, "/v1/stores/amazon-us/traffic", limit=50).json()["data"]
    broken = api_get(sim, "/v1/stores/amazon-us/traffic", limit=50, fault="bad_record")
    broken_records = broken.json()["data"]
    differing = [b for a, b in zip(clean, broken_records, strict=True) if a != b]
    assert len(differing) == 1
    metrics = differing[0]["metrics"]
    assert (
        "uv_estimated" in metrics
        or any(isinstance(v, str) for v in metrics.values())
        or any(v == -5 for v in metrics.values())
    )


def test_slow_fault_answers_late(sim: Simulator) -> None:
    sim.faults.slow_seconds = 0.3
    with pytest.raises(httpx.TimeoutException):
        httpx.get(
            sim.base_url + "/v1/stores",
            headers={"Authorization": f"Bearer {sim.token}", FAULT_HEADER: "slow"},
            timeout=0.1,
        )


def test_random_faults_follow_the_seed() -> None:
    seen = []
    for _ in range(2):
        with simulator(
            start=START, seed=SEED, speed=0, fault_rate=0.5, slow_seconds=0, hang_seconds=0
        ) as other:
            other.start()
            with httpx.Client(headers={"Authorization": f"Bearer {other.token}"}) as client:
                codes = [client.get(other.base_url + "/v1/stores").status_code for _ in range(30)]
            seen.append((codes, dict(other.faults.served)))
    assert seen[0] == seen[1]
    assert 5 <= sum(seen[0][1].values()) <= 25
    assert set(seen[0][1]) <= set(RANDOM_FAULT_KINDS)


def test_random_faults_are_transient_and_a_token_expires_only_when_asked() -> None:
    plan = FaultPlan(seed=SEED, rate=1.0)
    kinds = {plan.next_fault(None)[0] for _ in range(2000)}
    # Every transient kind comes up; an expired token does not heal on the next request,
    # so it is never one of them.
    assert kinds == set(RANDOM_FAULT_KINDS)
    assert "expired_token" not in kinds
    assert {"timeout", "slow"} <= kinds
    plan.inject("expired_token")
    assert plan.next_fault(None)[0] == "expired_token"


def test_slow_and_timeout_faults_defaults_reach_the_adapters_limits() -> None:
    # A slow answer is slow for the adapter's defaults but still answered; a timeout is not.
    plan = FaultPlan(seed=SEED)
    options = PlatformApiOptions.model_fields
    slow_after = options["slow_after"].default
    timeout = options["timeout"].default
    assert slow_after < plan.slow_seconds < timeout
    assert plan.hang_seconds > timeout


def test_a_read_describes_one_instant_whatever_the_page_size() -> None:
    # Frozen between two milliseconds: every page of a read must see the same instant.
    start = START + timedelta(seconds=17.9876543)
    with simulator(start=start, seed=SEED, speed=0).start() as other:
        for dataset in ("traffic", "ads"):
            path = f"/v1/stores/tmall-flagship/{dataset}"
            whole, _ = read_all(other, path, start="2026-11-10T06:00:00Z", limit=1000)
            paged, pages = read_all(other, path, start="2026-11-10T06:00:00Z", limit=7)
            assert pages > 3
            assert {r["partial"] for r in whole} == {True}
            assert [(r["id"], r["metrics"]) for r in paged] == [
                (r["id"], r["metrics"]) for r in whole
            ]


def test_counts_are_integers_and_amounts_are_numbers(sim: Simulator) -> None:
    amounts = {"gmv", "spend", "ad_gmv"}
    for dataset in ("traffic", "ads"):
        records, _ = read_all(sim, f"/v1/stores/jd-official/{dataset}", limit=1000)
        assert records
        for record in records:
            for name, value in record["metrics"].items():
                if name in amounts:
                    assert isinstance(value, int | float), (record["id"], name, value)
                else:
                    # The OpenAPI says integer: 1992, not 1992.0.
                    assert isinstance(value, int), (record["id"], name, value)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/stores", {}),
        ("/v1/stores/amazon-us/budgets", {"start_day": "2026-11-01"}),
        ("/v1/stores/amazon-us/campaigns", {}),
    ],
)
def test_bad_record_fault_breaks_a_field_clients_read(
    sim: Simulator, path: str, params: dict[str, str]
) -> None:
    clean = api_get(sim, path, **params).json()["data"]
    broken = api_get(sim, path, fault="bad_record", **params).json()["data"]
    differing = [(a, b) for a, b in zip(clean, broken, strict=True) if a != b]
    assert len(differing) == 1
    before, after = differing[0]
    changed = {key for key in before if before[key] != after.get(key)} | (set(after) - set(before))
    # The id, day, budget or time zone: fields a client needs, not one nobody reads.
    assert changed, after
    assert changed <= {"id", "day", "budget", "daily_budget", "timezone"}, changed

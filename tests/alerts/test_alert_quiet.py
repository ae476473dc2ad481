"""Alerts that are not told: muted by a promotion window, suppressed by a failing source
(and until fresh data after it recovers); and how the told ones group into messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opsboard.alerts import active_alerts
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .conftest import HOUR, EngineFactory, points, settings_with

UV_HIGH = {"name": "uv-high", "kind": "threshold", "metric": "uv", "threshold": 100,
           "window": "1d", "severity": "critical"}  # fmt: skip
PEAK = {"name": "peak", "start": "2026-06-18T15:00", "end": "2026-06-18T23:00",
        "mute": ["uv-high"]}  # fmt: skip


def test_a_muted_alert_already_firing_is_not_repeated_nor_counted(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([UV_HIGH], promotions=[PEAK], repeat_interval="1h"))
    store.write_points(points("uv", [500]))
    result = engine.evaluate()  # 14:30 in Shanghai: before the window
    assert len(engine.collect_notifications()) == 1
    assert engine.exit_code(result) == 2
    for hour in range(1, 5):  # 15:30 ... 18:30: inside the window
        clock.advance(timedelta(hours=1))
        store.write_points(points("uv", [500], start=HOUR + timedelta(hours=hour)))
        result = engine.evaluate()
        assert engine.collect_notifications() == []
        assert engine.exit_code(result) == 0
    [view] = active_alerts(store, now=clock.now())
    assert (view.state, view.muted, view.quiet_reason) == ("firing", True, "muted: promotion peak")
    assert view.to_json()["muted"] is True
    clock.set(datetime(2026, 6, 18, 15, 30, tzinfo=UTC))  # 23:30: the window is over
    result = engine.evaluate()
    assert [m.status for m in engine.collect_notifications()] == ["firing"]  # a repeat is due
    assert engine.exit_code(result) == 2
    assert not active_alerts(store, now=clock.now())[0].muted


def test_a_failing_source_suppresses_repeats_and_the_exit_code(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([UV_HIGH], repeat_interval="1h"))
    with store.batch(source="api", origin="page-1", store="shop") as batch:
        batch.add_points(points("uv", [500]))
    engine.evaluate()
    assert len(engine.collect_notifications()) == 1
    store.set_health(SourceHealth("api", HealthState.FAILING, clock.now(), reason="HTTP 500"))
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        result = engine.evaluate()
        assert engine.collect_notifications() == []
        assert engine.exit_code(result) == 3  # unknown: the data cannot be judged
    [view] = active_alerts(store, now=clock.now())
    assert view.suppressed
    assert view.quiet_reason == "suppressed: source api is failing"


def test_after_recovery_an_alert_waits_for_fresh_data_before_resolving(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{**UV_HIGH, "window": "1h"}]))
    with store.batch(source="api", origin="page-1", store="shop") as batch:
        batch.add_points(points("uv", [500]))
    assert [e.event for e in engine.evaluate().events] == ["firing"]
    store.set_health(SourceHealth("api", HealthState.FAILING, clock.now(), reason="timeout"))
    clock.advance(timedelta(hours=5))  # the window has long moved past the last data
    assert engine.evaluate().events == []
    store.set_health(SourceHealth("api", HealthState.OK, clock.now()))
    assert engine.evaluate().events == []  # recovered, but no fresh data yet: held
    [view] = active_alerts(store, now=clock.now())
    assert (view.state, view.suppressed) == ("firing", True)
    # A restarted engine keeps waiting too.
    restarted = make_engine(settings_with([{**UV_HIGH, "window": "1h"}]))
    assert restarted.evaluate().events == []
    with store.batch(source="api", origin="page-2", store="shop") as batch:
        batch.add_points(points("uv", [40], start=HOUR + timedelta(hours=5)))
    assert [e.event for e in restarted.evaluate().events] == ["resolved"]


def test_fresh_data_from_the_poll_that_recovers_the_source_is_judged_at_once(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{**UV_HIGH, "window": "1h"}]))
    with store.batch(source="api", origin="page-1", store="shop") as batch:
        batch.add_points(points("uv", [500]))
    engine.evaluate()
    store.set_health(SourceHealth("api", HealthState.FAILING, clock.now(), reason="timeout"))
    clock.advance(timedelta(hours=2))
    engine.evaluate()
    # One collector cycle: the poll succeeds, brings the hour's data and the source is ok.
    with store.batch(source="api", origin="page-2", store="shop") as batch:
        batch.add_points(points("uv", [40], start=HOUR + timedelta(hours=2)))
    store.set_health(SourceHealth("api", HealthState.OK, clock.now()))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]


EACH_SKU = {"name": "sku-uv", "kind": "threshold", "metric": "uv", "scope": "each_sku",
            "threshold": 100, "severity": "critical"}  # fmt: skip


def breaking(store: Store, first: int, count: int) -> None:
    """SKUs ``first`` .. ``first + count - 1`` break the each-SKU rule."""
    rows = []
    for n in range(first, first + count):
        rows += points("uv", [500], sku=f"{100000000000 + n}")
    store.write_points(rows)


def test_alerts_coming_due_within_a_group_window_go_out_together(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([EACH_SKU], group_wait="5s", repeat_interval="1h"))
    breaking(store, 0, 30)
    engine.evaluate()
    clock.advance(timedelta(seconds=2))
    breaking(store, 30, 15)
    engine.evaluate()
    assert engine.collect_notifications() == []
    clock.advance(timedelta(seconds=3))  # the window opened by the first alert is over
    [message] = engine.collect_notifications()
    assert message.title == "[FIRING:45] sku-uv · shop"
    # Alerts breaking after the message start a window of their own ...
    clock.advance(timedelta(seconds=10))
    breaking(store, 45, 5)
    engine.evaluate()
    clock.advance(timedelta(seconds=5))
    [later] = engine.collect_notifications()
    assert len(later.alerts) == 5
    # ... and the repeats of the whole group go out together.
    clock.advance(timedelta(minutes=59, seconds=45))
    [repeat] = engine.collect_notifications()
    assert repeat.title == "[FIRING:50] sku-uv · shop"
    assert engine.collect_notifications() == []


def test_resolutions_group_the_same_way(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([EACH_SKU], group_wait="5s"))
    breaking(store, 0, 4)
    engine.evaluate()
    clock.advance(timedelta(seconds=5))
    assert len(engine.collect_notifications()) == 1
    store.write_points(points("uv", [10], sku="100000000000"))
    engine.evaluate()
    clock.advance(timedelta(seconds=2))
    store.write_points(points("uv", [10], sku="100000000001"))
    engine.evaluate()
    assert engine.collect_notifications() == []
    clock.advance(timedelta(seconds=3))
    [message] = engine.collect_notifications()
    assert message.title == "[RESOLVED:2] sku-uv · shop"

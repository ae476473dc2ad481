"""Every rule kind and state transition, on constructed data with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsboard.alerts import active_alerts
from opsboard.config.files import parse_settings
from opsboard.config.models import Settings
from opsboard.config.rules import RuleConfig
from opsboard.errors import ConfigError
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .conftest import HOUR, EngineFactory, points, settings_with

UV_HIGH = {"name": "uv-high", "kind": "threshold", "metric": "uv", "threshold": 100, "clear": 80}


def states(store: Store) -> dict[str, str]:
    """scope -> state of the open alerts."""
    return {a.scope or a.store: a.state for a in active_alerts(store)}


def test_threshold_fires_and_clears_with_hysteresis(
    store: Store, make_engine: EngineFactory
) -> None:
    engine = make_engine(settings_with([UV_HIGH]))
    store.write_points(points("uv", [150]))
    events = engine.evaluate().events
    assert [(e.event, e.rule, e.value) for e in events] == [("firing", "uv-high", 150.0)]
    assert "uv is 150 (> 100)" in events[0].message
    # Between the clear value and the threshold: still firing, no event (no flapping).
    store.write_points(points("uv", [90]))
    assert engine.evaluate().events == []
    assert states(store) == {"shop": "firing"}
    store.write_points(points("uv", [80]))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]
    assert states(store) == {}
    # Between clear and threshold again: a resolved alert does not come back.
    store.write_points(points("uv", [95]))
    assert engine.evaluate().events == []


def test_for_duration_keeps_an_alert_pending(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{**UV_HIGH, "for": "10m"}]))
    store.write_points(points("uv", [150]))
    assert [e.event for e in engine.evaluate().events] == ["pending"]
    clock.advance(timedelta(minutes=9))
    assert engine.evaluate().events == []
    clock.advance(timedelta(minutes=1))
    assert [e.event for e in engine.evaluate().events] == ["firing"]


def test_a_pending_alert_that_stops_breaking_goes_away(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{**UV_HIGH, "for": "10m"}]))
    store.write_points(points("uv", [150]))
    engine.evaluate()
    store.write_points(points("uv", [99]))
    clock.advance(timedelta(minutes=5))
    assert [e.event for e in engine.evaluate().events] == ["inactive"]
    assert store.conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0


def test_each_sku_gives_one_alert_per_breaking_sku_from_one_query(
    store: Store, make_engine: EngineFactory
) -> None:
    rule = {
        "name": "bounce",
        "kind": "threshold",
        "metric": "bounce_rate",
        "scope": "each_sku",
        "threshold": 0.75,
        "min_volume": 200,
    }
    engine = make_engine(settings_with([rule]))
    rows = []
    for sku, uv, bounces in [
        ("100000000001", 400, 360),  # 90%: fires
        ("100000000002", 400, 200),  # 50%: fine
        ("100000000003", 300, 240),  # 80%: fires
        ("100000000004", 50, 50),  # 100% but too few visitors
    ]:
        rows += points("uv", [uv], sku=sku) + points("bounces", [bounces], sku=sku)
    store.write_points(rows)
    calls = []
    original = engine.metrics.query

    def counting(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        calls.append(kwargs.get("by"))
        return original(*args, **kwargs)

    engine.metrics.query = counting  # type: ignore[method-assign]
    events = engine.evaluate().events
    assert calls == ["sku"]
    assert sorted(e.scope for e in events) == ["sku:100000000001", "sku:100000000003"]
    assert all(e.event == "firing" for e in events)


CTR_LOW = {"name": "ctr", "kind": "threshold", "metric": "ctr", "scope": "each_campaign",
           "op": "<", "threshold": 0.06, "clear": 0.065, "window": "1d", "min_volume": 2000,
           "volume_metric": "impressions"}  # fmt: skip


def test_too_little_volume_neither_clears_nor_fires(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([CTR_LOW]))
    # 2026-06-17 10:00 in Shanghai: 10,000 impressions at 1% CTR.
    yesterday = datetime(2026, 6, 17, 2, tzinfo=UTC)
    store.write_points(points("impressions", [10000], start=yesterday, campaign="c1")
                       + points("clicks", [100], start=yesterday, campaign="c1"))  # fmt: skip
    clock.set(datetime(2026, 6, 17, 15, 50, tzinfo=UTC))  # 23:50
    assert [e.event for e in engine.evaluate().events] == ["firing"]
    assert len(engine.collect_notifications()) == 1
    # 00:30 on the new day: 500 impressions so far is too few to judge; nothing changes.
    midnight = datetime(2026, 6, 17, 16, tzinfo=UTC)
    store.write_points(points("impressions", [500], start=midnight, campaign="c1")
                       + points("clicks", [2], start=midnight, campaign="c1"))  # fmt: skip
    clock.set(midnight + timedelta(minutes=30))
    assert engine.evaluate().events == []
    assert states(store) == {"campaign:c1": "firing"}
    assert engine.collect_notifications() == []
    # 03:30: 3,500 impressions at 0.6%: judged again, still firing, nothing re-sent.
    three = midnight + timedelta(hours=3)
    store.write_points(points("impressions", [3000], start=three, campaign="c1")
                       + points("clicks", [20], start=three, campaign="c1"))  # fmt: skip
    clock.set(midnight + timedelta(hours=3, minutes=30))
    assert engine.evaluate().events == []
    assert engine.collect_notifications() == []
    # Enough volume and a healthy CTR: now it resolves.
    store.write_points(points("clicks", [400], start=midnight + timedelta(hours=3), campaign="c1"))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]


def test_too_little_volume_keeps_a_pending_alert_pending(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{**CTR_LOW, "for": "30m"}]))
    store.write_points(
        points("impressions", [3000], campaign="c1") + points("clicks", [30], campaign="c1")
    )
    assert [e.event for e in engine.evaluate().events] == ["pending"]
    # The platform restates the hour with fewer impressions: no verdict, still pending.
    store.write_points(points("impressions", [1000], campaign="c1"))
    clock.advance(timedelta(minutes=40))
    assert engine.evaluate().events == []
    assert states(store) == {"campaign:c1": "pending"}


def test_change_against_last_week(store: Store, make_engine: EngineFactory) -> None:
    rule = {
        "name": "traffic-down",
        "kind": "change",
        "metric": "uv",
        "baseline": "last_week",
        "op": "<",
        "threshold": -0.3,
        "clear": -0.15,
        "window": "2h",
        "min_volume": 300,
    }
    engine = make_engine(settings_with([rule]))
    two_hours_ago = HOUR - timedelta(hours=2)
    store.write_points(
        points("uv", [500, 500], start=two_hours_ago - timedelta(days=7))
        + points("uv", [300, 300], start=two_hours_ago)
    )
    events = engine.evaluate().events
    assert [(e.event, round(e.value or 0, 2)) for e in events] == [("firing", -0.4)]
    assert "-40%" in events[0].message
    # The current partial hour is not compared: a huge figure in it changes nothing.
    store.write_points(points("uv", [10_000]))
    assert engine.evaluate().events == []


def test_change_against_the_trailing_median(store: Store, make_engine: EngineFactory) -> None:
    rule = {
        "name": "cvr",
        "kind": "change",
        "metric": "conversion_rate",
        "baseline": "trailing_median",
        "weeks": 4,
        "op": "<",
        "threshold": -0.2,
        "window": "1h",
    }
    engine = make_engine(settings_with([rule]))
    last_hour = HOUR - timedelta(hours=1)
    rows = []
    for week, buyers in zip(range(1, 5), [50, 40, 60, 45], strict=True):
        at = last_hour - timedelta(days=7 * week)
        rows += points("uv", [1000], start=at) + points("buyers", [buyers], start=at)
    rows += points("uv", [1000], start=last_hour) + points("buyers", [30], start=last_hour)
    store.write_points(rows)
    events = engine.evaluate().events
    # Median of 4.0%, 4.5%, 5.0%, 6.0% is 4.75%; 3% is 37% below it.
    assert [(e.event, round(e.value or 0, 3)) for e in events] == [("firing", -0.368)]


def test_pacing_projects_when_the_budget_runs_out(store: Store, make_engine: EngineFactory) -> None:
    rule = {"name": "pace", "kind": "pacing", "threshold": 1.2, "clear": 1.1}
    settings = settings_with([rule], stores=[{"name": "shop", "daily_budget": 1000}])
    engine = make_engine(settings)
    # 14:30 local: 60.4% of the day gone; 900 spent is a pacing of 1.49.
    store.write_points(points("spend", [900], start=datetime(2026, 6, 17, 16, tzinfo=UTC)))
    events = engine.evaluate().events
    assert [(e.event, round(e.value or 0, 2)) for e in events] == [("firing", 1.49)]
    assert (
        "runs out at 16:06" in events[0].message
    )  # 1000 / (900 per 14.5 h) = 16.1 h after midnight


def test_roi_below_break_even_and_strategic_loss(store: Store, make_engine: EngineFactory) -> None:
    rule = {"name": "roi", "kind": "roi", "scope": "each_campaign", "window": "1d"}
    settings = settings_with(
        [rule],
        stores=[{"name": "shop", "margin": 0.4, "strategic_loss_campaigns": ["launch"]}],
        notifiers=[{"name": "out", "type": "stdout", "min_severity": "info"}],
    )
    engine = make_engine(settings)
    rows = []
    for campaign, spend, ad_gmv in [
        ("brand", 100, 300),
        ("generic", 100, 200),
        ("launch", 100, 50),
    ]:
        rows += points("spend", [spend], campaign=campaign)
        rows += points("ad_gmv", [ad_gmv], campaign=campaign)
    store.write_points(rows)
    events = {e.scope: e.event for e in engine.evaluate().events}
    # Break-even ROI is 2.5: "generic" (2.0) alerts, "launch" (0.5) is a strategic loss.
    assert events == {"campaign:generic": "firing", "campaign:launch": "strategic"}
    views = {a.scope: a for a in active_alerts(store)}
    assert views["campaign:launch"].strategic_loss
    sent = [a["scope"] for m in engine.collect_notifications() for a in m.alerts]
    assert sent == ["campaign:generic"]


def test_source_failing_alerts_and_holds_the_data_alerts_it_feeds(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(
        settings_with([UV_HIGH, {"name": "stale", "kind": "source", "for": "30m"}])
    )
    with store.batch(source="api", origin="page-1", store="shop") as batch:
        batch.add_points(points("uv", [150]))
    since = clock.now() - timedelta(minutes=40)
    store.set_health(SourceHealth("api", HealthState.FAILING, since, reason="HTTP 503"))
    result = engine.evaluate()
    assert [(e.event, e.rule, e.scope) for e in result.events] == [
        ("firing", "stale", "source:api")
    ]
    assert "HTTP 503" in result.events[0].message
    assert result.held_stores == {"shop"}
    assert result.unknown
    # The source recovers: its alert resolves; the data rule speaks again once fresh data
    # from the source has been evaluated, not on what was there before it failed.
    store.set_health(SourceHealth("api", HealthState.OK, clock.now()))
    assert [(e.event, e.rule) for e in engine.evaluate().events] == [("resolved", "stale")]
    with store.batch(source="api", origin="page-2", store="shop") as batch:
        batch.add_points(points("uv", [160]))
    assert [(e.event, e.rule) for e in engine.evaluate().events] == [("firing", "uv-high")]


def test_a_source_only_just_stale_waits_for_its_duration(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([{"name": "stale", "kind": "source", "for": "30m"}]))
    store.set_health(SourceHealth("csv", HealthState.STALE, clock.now() - timedelta(minutes=10)))
    assert [e.event for e in engine.evaluate().events] == ["pending"]
    clock.advance(timedelta(minutes=20))
    assert [e.event for e in engine.evaluate().events] == ["firing"]


def test_file_rejected(store: Store, make_engine: EngineFactory, clock: FrozenClock) -> None:
    engine = make_engine(settings_with([{"name": "bad-file", "kind": "file_rejected"}]))
    store.record_failed_ingest(
        source="csv",
        origin="/drop/a.csv",
        format="",
        store="shop",
        message="line 7, column '花费': not a number",
    )
    store.conn.execute("UPDATE ingests SET finished_at = ?", (clock.now().isoformat(),))
    events = engine.evaluate().events
    assert [(e.event, e.scope) for e in events] == [("firing", "file:/drop/a.csv")]
    assert "line 7" in events[0].message
    clock.advance(timedelta(days=2))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]


def test_promotion_window_mutes_and_overrides(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    promotions = [
        {
            "name": "618-peak",
            "start": "2026-06-18T00:00",
            "end": "2026-06-19T00:00",
            "mute": ["uv-high"],
        },
        {
            "name": "618-warmup",
            "start": "2026-06-17T00:00",
            "end": "2026-06-18T00:00",
            "thresholds": {"uv-high": 1000},
        },
    ]
    engine = make_engine(settings_with([UV_HIGH], promotions=promotions))
    store.write_points(points("uv", [150]))
    assert engine.evaluate().events == []  # muted during the peak (14:30 local)
    clock.set(datetime(2026, 6, 17, 6, 30, tzinfo=UTC))  # the warm-up: threshold 1000
    store.write_points(points("uv", [150], start=datetime(2026, 6, 17, 6, tzinfo=UTC)))
    assert engine.evaluate().events == []
    clock.set(datetime(2026, 6, 19, 6, 30, tzinfo=UTC))  # an ordinary day
    store.write_points(points("uv", [150], start=datetime(2026, 6, 19, 6, tzinfo=UTC)))
    assert [e.event for e in engine.evaluate().events] == ["firing"]


def test_category_and_store_thresholds(store: Store, make_engine: EngineFactory) -> None:
    rule = {
        "name": "bounce",
        "kind": "threshold",
        "metric": "bounce_rate",
        "threshold": 0.75,
        "category_thresholds": {"non_standard": 0.70},
        "store_thresholds": {"b": 0.9},
    }
    stores = [
        {"name": "a", "category": "non_standard"},
        {"name": "b", "category": "non_standard"},
        {"name": "c"},
    ]
    engine = make_engine(settings_with([rule], stores=stores))
    rows = []
    for name in ("a", "b", "c"):
        rows += points("uv", [100], store=name) + points("bounces", [72], store=name)
    store.write_points(rows)
    assert [(e.store, e.threshold) for e in engine.evaluate().events] == [("a", 0.70)]


def test_defaults_are_valid_and_adjustable() -> None:
    from opsboard.config.rules import effective_rules

    settings = Settings.model_validate(
        {
            "alerts": {
                "rules": [
                    {
                        "name": "ad-ctr-low",
                        "kind": "threshold",
                        "metric": "ctr",
                        "op": "<",
                        "threshold": 0.05,
                    }
                ]
            }
        }
    )
    rules = {r.name: r for r in effective_rules(settings.alerts)}
    assert rules["ad-ctr-low"].threshold == 0.05
    assert rules["detail-page-bounce"].threshold_for("x", "non_standard") == 0.70
    assert rules["detail-page-bounce"].threshold_for("x", "standard") == 0.75
    assert {"source-stale", "traffic-down-vs-last-week", "budget-before-peak"} <= set(rules)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "threshold", "metric": "uv"}, "needs `threshold`"),
        ({"kind": "threshold", "metric": "uvv", "threshold": 1}, "unknown metric 'uvv'"),
        ({"kind": "threshold", "metric": "uv", "threshold": 1, "clear": 2}, "healthy side"),
        (
            {"kind": "threshold", "metric": "uv", "threshold": 1, "message": "{nope}"},
            "unknown message field {nope}",
        ),
        ({"kind": "threshold", "metric": "uv", "threshold": 1, "scope": "sku"}, "needs `sku`"),
    ],
)
def test_bad_rules_are_named(rule: dict[str, object], expected: str) -> None:
    body = ", ".join(f"{k} = {v!r}".replace("'", '"') for k, v in rule.items())
    text = f'[alerts]\nrules = [{{ name = "r", {body} }}]\n'
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, "x.toml")
    assert expected in str(caught.value)
    assert "alerts.rules[0] (r)" in str(caught.value)


def test_a_promotion_naming_an_unknown_rule_is_refused() -> None:
    text = (
        '[[alerts.promotions]]\nname = "d11"\nstart = "2026-11-10T20:00"\n'
        'end = "2026-11-12T00:00"\nmute = ["no-such-rule"]\n'
    )
    with pytest.raises(ConfigError, match="no-such-rule"):
        parse_settings(text, "x.toml")
    assert RuleConfig.model_validate({"name": "r", "kind": "roi"}).op == "<"


def test_restated_history_is_reevaluated_but_fresh_hours_reuse_the_rest(
    store: Store, make_engine: EngineFactory
) -> None:
    rule = {"name": "down", "kind": "change", "metric": "uv", "baseline": "last_week",
            "op": "<", "threshold": -0.3, "window": "1h"}  # fmt: skip
    engine = make_engine(settings_with([rule]))
    last_hour = HOUR - timedelta(hours=1)
    store.write_points(
        points("uv", [1000], start=last_hour - timedelta(days=7))
        + points("uv", [500], start=last_hour)
    )
    assert [e.event for e in engine.evaluate().events] == ["firing"]
    calls: list[object] = []
    original = engine.metrics.query

    def counting(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        calls.append(kwargs.get("period"))
        return original(*args, **kwargs)

    engine.metrics.query = counting  # type: ignore[method-assign]
    store.write_points(points("uv", [9999]))  # the current hour: not this rule's window
    assert engine.evaluate().events == []
    assert calls == []
    # The platform restates last week's figure: the rule reads again and the alert clears.
    store.write_points(points("uv", [600], start=last_hour - timedelta(days=7)))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]
    assert len(calls) == 2

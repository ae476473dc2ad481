"""What messages say: templates filled safely, figures that read apart from their
thresholds, and resolutions in words of their own."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from opsboard.config.models import Settings
from opsboard.formatting import precise as figure
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .conftest import EngineFactory, points, settings_with


def with_templates(rules: list[dict[str, Any]], templates: dict[str, str]) -> Settings:
    """Settings whose rules carry ``templates`` (by rule name) as they were loaded, without
    `config check`'s own checks: the engine must cope with any template."""
    settings = settings_with(rules)
    changed = [
        r.model_copy(update={"message": templates[r.name]}) if r.name in templates else r
        for r in settings.alerts.rules
    ]
    return settings.model_copy(update={"alerts": settings.alerts.model_copy(
        update={"rules": changed})})  # fmt: skip


RULES = [
    {"name": "spec", "kind": "threshold", "metric": "uv", "threshold": 100},
    {"name": "broken", "kind": "threshold", "metric": "pv", "threshold": 100},
    {"name": "plain", "kind": "threshold", "metric": "buyers", "threshold": 10},
]


def test_format_specs_work_and_a_broken_template_falls_back_once(
    store: Store, make_engine: EngineFactory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = with_templates(
        RULES, {"spec": "uv {value:.0f} over {threshold:.1f}", "broken": "pv {value:%Y} {x.y}"}
    )
    engine = make_engine(settings)
    store.write_points(points("uv", [150.4]) + points("pv", [900]) + points("buyers", [12]))
    with caplog.at_level(logging.WARNING, logger="opsboard.alerts.messages"):
        events = {e.rule: e.message for e in engine.evaluate().events}
        store.write_points(points("pv", [950]))
        engine.evaluate()
    assert events == {
        "spec": "uv 150 over 100.0",
        "broken": "broken: pv is 900 (> 100) for shop",
        "plain": "plain: buyers is 12 (> 10) for shop",
    }
    warnings = [r.getMessage() for r in caplog.records if "template" in r.getMessage()]
    assert len(warnings) == 1
    assert "rule broken" in warnings[0]


def test_a_value_that_rounds_to_its_threshold_shows_more_digits(
    store: Store, make_engine: EngineFactory
) -> None:
    rule = {"name": "tm-kw-brand", "kind": "threshold", "metric": "ctr", "op": "<",
            "threshold": 0.06, "clear": 0.065}  # fmt: skip
    engine = make_engine(settings_with([rule]))
    store.write_points(points("impressions", [10000]) + points("clicks", [597]))
    [event] = engine.evaluate().events
    assert event.message == "tm-kw-brand: ctr is 5.97% (< 6.0%) for shop"
    assert figure(0.05999, "rate", 0.06) == "5.999%"
    assert figure(0.0612, "rate", 0.06, 0.065) == "6.1%"
    assert figure(-0.2996, "change", -0.3) == "-29.96%"
    assert figure(100.4, "count", 100.0) == "100.4"


def test_a_resolution_says_what_the_figure_is_back_to(
    store: Store, make_engine: EngineFactory
) -> None:
    rule = {"name": "ad-ctr-low", "kind": "threshold", "metric": "ctr", "op": "<",
            "scope": "each_campaign", "threshold": 0.06, "clear": 0.065,
            "message": "campaign {scope} CTR {value} is below the {threshold} target"}  # fmt: skip
    engine = make_engine(settings_with([rule]))
    store.write_points(points("impressions", [10000], campaign="c1")
                       + points("clicks", [20], campaign="c1"))  # fmt: skip
    [fired] = engine.evaluate().events
    assert fired.message == "campaign c1 CTR 0.2% is below the 6.0% target"
    assert len(engine.collect_notifications()) == 1
    store.write_points(points("clicks", [680], campaign="c1"))
    [resolved] = engine.evaluate().events
    assert resolved.event == "resolved"
    assert resolved.message == "ad-ctr-low: ctr back to 6.8% for c1 (clears at 6.5%)"
    [message] = engine.collect_notifications()
    assert message.text == "✔ ad-ctr-low: ctr back to 6.8% for c1 (clears at 6.5%)"


def test_an_alert_closed_for_lack_of_data_says_so(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    rule = {"name": "uv-high", "kind": "threshold", "metric": "uv", "threshold": 100}
    engine = make_engine(settings_with([rule], stores=[{"name": "shop", "timezone": "UTC"}]))
    store.write_points(points("uv", [150]))
    engine.evaluate()
    clock.advance(timedelta(hours=3))
    [event] = engine.evaluate().events
    assert event.message == "uv-high: no data for shop since 2026-06-18 06:30; closed"

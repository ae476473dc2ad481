"""The "plan" rule: a target behind its paced plan fires, in a backtest as live."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.conftest import settings_with
from opsboard.alerts.backtest import backtest
from opsboard.alerts.plan_rule import shortfall
from opsboard.config.models import Settings
from opsboard.config.rules import RuleConfig
from opsboard.config.targets import Target, TargetConfig, parse_period
from opsboard.models import MetricPoint
from opsboard.query.plan_pace import standing
from opsboard.query.plans import TargetStatus
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

SHANGHAI = zone("Asia/Shanghai")


def _month(store: Store, slump_from: date) -> None:
    """Daily GMV of 100k on weekdays, 150k at weekends, 40% less from ``slump_from``."""
    points = []
    day = date(2026, 4, 20)
    while day <= date(2026, 6, 30):
        value = 150_000.0 if day.weekday() >= 5 else 100_000.0
        value *= 0.6 if day >= slump_from else 1.0
        points.append(MetricPoint("shop", local_midnight(day, SHANGHAI), "day", "gmv", value))
        day += timedelta(days=1)
    store.write_points(points)


def _settings(rule: dict[str, Any]) -> Settings:
    base = settings_with([rule], stores=[{"name": "shop"}])
    # A plan the store's usual weeks meet exactly: 29.75 weekday weights of 114,286.
    target = TargetConfig(store="shop", metric="gmv", period="2026-06", value=3_400_000)
    return base.model_copy(update={"targets": [target]})


def test_a_month_that_falls_behind_fires_in_a_backtest(store: Store) -> None:
    _month(store, slump_from=date(2026, 6, 8))
    rule = {"name": "behind-plan", "kind": "plan", "threshold": 0.1, "clear": 0.05}
    replay = backtest(store, _settings(rule), first=date(2026, 6, 1), last=date(2026, 6, 14),
                      tz=SHANGHAI, now=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%d %H:%M}") for e in replay.events]
    # The slump's first day leaves the month 4% behind the plan so far, its second 8%, its
    # third (10 June) 11%: judged as soon as that day is over.
    assert fired == [("firing", "11 00:00")]
    message = replay.events[0].message
    assert "shop is 11% off the paced plan" in message
    assert "June GMV ¥3.40M" in message


def test_a_month_on_plan_stays_quiet(store: Store) -> None:
    _month(store, slump_from=date(2026, 7, 1))
    rule = {"name": "behind-plan", "kind": "plan"}
    replay = backtest(store, _settings(rule), first=date(2026, 6, 1), last=date(2026, 6, 14),
                      tz=SHANGHAI, now=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
    assert replay.events == []


def test_an_ad_budget_left_unspent_is_off_its_plan() -> None:
    def status(metric: str, actual: float) -> TargetStatus:
        target = Target("shop", metric, "", parse_period("2026-06"), 600_000.0, "at_most")
        mark = standing(value=600_000.0, actual=actual, direction="at_most", ratio_target=False,
                        share=0.5, left=15)  # fmt: skip
        return TargetStatus(target, actual, mark, date(2026, 6, 15), 15)

    # Half the month gone, a fifth of the budget spent: 60% under its plan.
    assert shortfall(status("spend", 120_000)) == pytest.approx(0.6)
    assert shortfall(status("spend", 390_000)) == pytest.approx(0.3)  # 30% over
    # A loss allowance used slowly is no problem.
    assert shortfall(status("strategic_loss", 120_000)) == pytest.approx(-0.6)


def test_days_left_holds_a_plan_rule_to_the_last_days_of_the_month(store: Store) -> None:
    """The same slump as above: 11% behind from 10 June, but the rule only speaks with 15
    days left or fewer, so it fires once 15 June is over."""
    _month(store, slump_from=date(2026, 6, 8))
    rule = {"name": "behind-late", "kind": "plan", "threshold": 0.1, "days_left": 15}
    replay = backtest(store, _settings(rule), first=date(2026, 6, 1), last=date(2026, 6, 17),
                      tz=SHANGHAI, now=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%d %H:%M}") for e in replay.events]
    assert fired == [("firing", "16 00:00")]
    assert "off the paced plan, 15 days left" in replay.events[0].message


def _strategic_campaign(store: Store) -> None:
    """Campaign c1 run below break-even on purpose: ¥1,000 spend and ¥1,500 sales a day at
    a 40% margin (break-even ROI 2.5) lose ¥400 a day, all June."""
    points = []
    for day in range(1, 31):
        ts = local_midnight(date(2026, 6, day), SHANGHAI)
        points += [
            MetricPoint("shop", ts, "day", "spend", 1000.0, campaign="c1"),
            MetricPoint("shop", ts, "day", "ad_gmv", 1500.0, campaign="c1"),
        ]
    store.write_points(points)


def _loss_settings(rule: dict[str, Any]) -> Settings:
    base = settings_with(
        [rule],
        stores=[{"name": "shop", "margin": 0.4, "strategic_loss_campaigns": ["c1"]}],
    )
    allowance = TargetConfig(store="shop", metric="strategic_loss", period="2026-06", at_most=6000)
    return base.model_copy(update={"targets": [allowance]})


def test_the_strategic_loss_allowance_used_up_fires_in_a_backtest(store: Store) -> None:
    _strategic_campaign(store)
    rule = {"name": "loss-used-up", "kind": "plan", "metric": "strategic_loss",
            "measure": "used"}  # fmt: skip
    settings = _loss_settings(rule)
    assert settings.alerts.rules[0].op == ">="  # used exactly up is used up
    replay = backtest(store, settings, first=date(2026, 6, 1), last=date(2026, 6, 20),
                      tz=SHANGHAI, now=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%d %H:%M}") for e in replay.events]
    # ¥400 a day reaches the ¥6,000 allowance with 15 June.
    assert fired == [("firing", "16 00:00")]
    message = replay.events[0].message
    assert "shop has used 100% of its allowance" in message
    assert "June strategic loss ¥6,000: 100% used" in message


def test_an_allowance_rule_waits_its_for_duration(store: Store) -> None:
    _strategic_campaign(store)
    rule = {"name": "loss-used-up", "kind": "plan", "metric": "strategic_loss",
            "measure": "used", "threshold": 0.8, "clear": 0.5, "for": "1d"}  # fmt: skip
    replay = backtest(store, _loss_settings(rule), first=date(2026, 6, 1),
                      last=date(2026, 6, 20), tz=SHANGHAI,
                      now=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%d %H:%M}") for e in replay.events]
    # 80% used with 12 June (¥4,800), held for a day before it fires.
    assert fired == [("firing", "14 00:00")]


def test_days_left_and_measure_belong_to_plan_rules() -> None:
    with pytest.raises(ValidationError, match="for a plan rule"):
        RuleConfig.model_validate(
            {"name": "r", "kind": "threshold", "metric": "uv", "threshold": 1, "days_left": 3}
        )
    with pytest.raises(ValidationError, match="for a plan rule"):
        RuleConfig.model_validate({"name": "r", "kind": "roi", "measure": "used"})

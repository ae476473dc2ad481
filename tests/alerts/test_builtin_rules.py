"""The built-in rules that judge a campaign or a SKU against its own recent days: ad CTR
that drops, and a product whose traffic collapses (told headless too)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opsboard.config.builtin_rules import DEFAULT_RULES
from opsboard.config.rules import RuleConfig
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import floor_hour

from .conftest import HOUR, EngineFactory, settings_with

DAY = timedelta(days=1)


def builtin(name: str) -> dict[str, Any]:
    """The built-in rule ``name`` as the config would hold it."""
    [rule] = [r for r in DEFAULT_RULES if r["name"] == name]
    return rule


def history(
    metric: str, today: float, before: float, *, end: datetime = HOUR, days: int = 7, **scope: str
) -> list[MetricPoint]:
    """``metric`` per hour over the four hours up to ``end`` (and the hour after), today at
    ``today`` per hour and on each of the ``days`` days before at ``before``."""
    rows = []
    for back in range(days + 1):
        value = today if back == 0 else before
        for hour in range(-4, 2):
            at = end + hour * timedelta(hours=1) - back * DAY
            rows.append(MetricPoint("shop", at, "hour", metric, float(value), **scope))
    return rows


def ad(
    campaign: str, channel: str, ctr_today: float, ctr_before: float, shown: float
) -> list[MetricPoint]:
    """Impressions and clicks of one campaign: ``shown`` impressions an hour."""
    return history("impressions", shown, shown, campaign=campaign, channel=channel) + history(
        "clicks", shown * ctr_today, shown * ctr_before, campaign=campaign, channel=channel
    )


def test_ctr_rule_judges_each_campaign_against_its_own_days(
    store: Store, make_engine: EngineFactory
) -> None:
    engine = make_engine(settings_with([builtin("ad-ctr-drop")]))
    store.write_points(
        # Display and Amazon Sponsored Products at their usual rates: far under 6%, and fine.
        ad("display-crowd", "display", 0.012, 0.012, 5000)
        + ad("sp-auto", "paid_search", 0.004, 0.0042, 20000)
        # A keyword plan at 5% whose CTR halved (and more) against its week: news.
        + ad("kw-generic", "paid_search", 0.02, 0.05, 4000)
        # The same fall on a handful of impressions says nothing.
        + ad("kw-tiny", "paid_search", 0.02, 0.05, 100)
    )
    engine.evaluate()  # pending for its `for`
    engine.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    store.write_points(ad("kw-generic", "paid_search", 0.02, 0.05, 4000))
    events = engine.evaluate().events
    assert [(e.event, e.scope) for e in events] == [("firing", "campaign:kw-generic")]
    assert "CTR -60% against its 7-day median 5.0% for these hours" in events[0].message


def test_rule_ctr_drop_is_a_change_against_trailing_days() -> None:
    rule = RuleConfig.model_validate(builtin("ad-ctr-drop"))
    assert (rule.kind, rule.baseline, rule.days, rule.scope) == (
        "change",
        "trailing_days",
        7,
        "each_campaign",
    )
    assert rule.channel is None  # every channel, each against its own days


def test_sku_collapse_fires_on_a_real_product_not_on_a_small_one(
    store: Store, make_engine: EngineFactory
) -> None:
    engine = make_engine(settings_with([builtin("sku-traffic-collapse")]))
    store.write_points(
        history("uv", 12, 100, sku="100200300400")  # 300 -> 36 in three hours: -88%
        + history("uv", 2, 20, sku="100200300401")  # 60 -> 6: small, left alone
        + history("uv", 95, 100, sku="100200300402")  # an ordinary day
    )
    events = engine.evaluate().events
    assert [(e.event, e.scope) for e in events] == [("firing", "sku:100200300400")]
    assert "visitors -88% against its 7-day median 300 for these hours" in events[0].message


@pytest.mark.parametrize(
    ("today", "before", "fires"),
    [(30, 100, True), (45, 100, False), (0, 100, True), (0, 30, False)],
)
def test_sku_collapse_limits(
    store: Store, make_engine: EngineFactory, today: float, before: float, fires: bool
) -> None:
    engine = make_engine(settings_with([builtin("sku-traffic-collapse")]))
    store.write_points(history("uv", today, before, sku="100200300400"))
    assert bool(engine.evaluate().events) == fires


def test_a_collapsing_sku_reaches_watch(tmp_path: Path) -> None:
    """With the built-in rules and nothing else configured, `opsboard watch --once` tells
    of a product whose visitors collapsed."""
    db = tmp_path / "ops.db"
    end = floor_hour(datetime.now(UTC))
    with Store.open(db) as data:
        data.write_points(
            history("uv", 10, 120, end=end, sku="100200300400")
            + history("uv", 400, 400, end=end, sku="100200300499")
        )
    config = tmp_path / "opsboard.toml"
    config.write_text('[[stores]]\nname = "shop"\ntimezone = "UTC"\n', encoding="utf-8")
    command = [sys.executable, "-m", "opsboard", "watch", "--once", "--config", str(config)]
    done = subprocess.run(
        [*command, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    told = [(x["event"], x["rule"], x["scope"]) for x in lines]
    assert ("firing", "sku-traffic-collapse", "sku:100200300400") in told, done.stderr
    assert all(x["scope"] != "sku:100200300499" for x in lines)
    assert done.returncode == 1  # a warning


def _sku_day(day_offset: int, sku: str, uv: float, rate: float) -> list[MetricPoint]:
    """A 商品排行 day (day grain, Shanghai midnight) ``day_offset`` days before HOUR's day."""
    midnight = datetime(2026, 6, 17, 16, 0, tzinfo=UTC) - day_offset * DAY  # 06-18 00:00 CST
    return [
        MetricPoint("shop", midnight, "day", "uv", uv, sku=sku),
        MetricPoint("shop", midnight, "day", "detail_bounces", uv * rate, sku=sku),
    ]


def test_detail_bounce_rule_judges_the_export_of_the_day_before(
    store: Store, make_engine: EngineFactory
) -> None:
    # 14:00 in Shanghai: today has no 商品排行 yet, yesterday's was downloaded this morning.
    engine = make_engine(settings_with([builtin("detail-page-bounce")]))
    store.write_points(
        _sku_day(1, "741747883413", 1203, 0.82)  # above 75%: its page needs work
        + _sku_day(1, "681127000001", 800, 0.60)
        + _sku_day(1, "681127000003", 150, 0.90)  # too few visitors to judge
        + _sku_day(3, "681127000002", 900, 0.95)  # three days ago: too old to judge
    )
    events = engine.evaluate().events
    assert [(e.event, e.scope) for e in events] == [("firing", "sku:741747883413")]
    assert "bounce rate 82.0% is above 75.0%" in events[0].message
    # Once today's export arrives, today is judged instead.
    store.write_points(_sku_day(0, "741747883413", 1100, 0.50))
    events = engine.evaluate().events
    assert [(e.event, e.scope) for e in events] == [("resolved", "sku:741747883413")]


def test_latest_day_is_for_a_threshold_over_one_day() -> None:
    rule = RuleConfig.model_validate(builtin("detail-page-bounce"))
    assert rule.latest_day
    with pytest.raises(ValueError, match="latest_day"):
        RuleConfig.model_validate({**builtin("detail-page-bounce"), "window": "7d"})

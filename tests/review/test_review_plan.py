"""The review opens with the day against plan and the month to date; chat says the same."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from opsboard.config.models import Settings, StoreConfig
from opsboard.config.targets import TargetConfig
from opsboard.models import MetricPoint
from opsboard.review import build_review, render
from opsboard.review.delivery import chat_summary
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone

SH = zone("Asia/Shanghai")


@pytest.fixture
def runtime(db_path: Path) -> Runtime:
    """Daily GMV of 100k on weekdays and 150k at weekends to 18 June; a June plan of 3M."""
    points = []
    day = date(2026, 4, 20)
    while day <= date(2026, 6, 18):
        value = 150_000.0 if day.weekday() >= 5 else 100_000.0
        points.append(MetricPoint("s1", local_midnight(day, SH), "day", "gmv", value))
        points.append(MetricPoint("s1", local_midnight(day, SH), "day", "uv", value / 50))
        day += timedelta(days=1)
    with Store.open(db_path) as store:
        store.write_points(points)
    settings = Settings(
        stores=[StoreConfig(name="s1")],
        targets=[TargetConfig(store="s1", metric="gmv", period="2026-06", value=3_000_000)],
    )
    clock = FrozenClock(datetime(2026, 6, 19, 1, tzinfo=UTC))  # 09:00 on 19 June, Shanghai
    return Runtime(settings=settings, db_path=db_path, clock=clock)


def test_the_review_opens_with_the_day_and_the_month_against_plan(runtime: Runtime) -> None:
    with runtime.open_store() as store:
        review = build_review(runtime, store, "s1", date(2026, 6, 18))
    # Thursday weighs 0.875 of 29.75 June weights: 88,235 of the 3M are planned for it.
    assert review.plan == (
        "GMV on the day ¥100k against ¥88.2k planned (+13.3%)",
        "June GMV ¥3.00M: 67% done, 59% of time, ¥83.3k needed per remaining day (ahead)",
    )
    text = render(review, "text")
    assert text.index("Against plan") < text.index("Summary")
    data = json.loads(render(review, "json"))
    assert data["plan_targets"][0]["day_plan"] == pytest.approx(88_235.29)
    assert data["plan_targets"][0]["needed_per_day"] == pytest.approx(83_333.33)
    _title, body = chat_summary(review, top=3)
    assert "Plan: June GMV ¥3.00M: 67% done" in body


def test_no_targets_no_plan_section(runtime: Runtime) -> None:
    plain = Runtime(settings=Settings(), db_path=runtime.db_path, clock=runtime.clock)
    with plain.open_store() as store:
        review = build_review(plain, store, "s1", date(2026, 6, 18))
    assert review.plan == ()
    assert "Against plan" not in render(review, "text")


def test_the_plan_section_is_headed_in_chinese(runtime: Runtime) -> None:
    from opsboard import i18n

    i18n.set_language("zh-CN")
    try:
        with runtime.open_store() as store:
            review = build_review(runtime, store, "s1", date(2026, 6, 18))
        text = render(review, "text")
    finally:
        i18n.set_language("en")
    # The section holds the day and the month to date: not the day alone, and no "vs".
    assert "\n对比计划\n" in text

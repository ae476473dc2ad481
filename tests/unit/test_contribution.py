"""Contribution (贡献), store ROI (全店投产比) and spend share (推广费占比): the figures a
plan is about, on the overview and in the review."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from opsboard import i18n
from opsboard.config.models import Settings, StoreConfig
from opsboard.models import MetricPoint
from opsboard.query.contribution import contribution, contribution_line
from opsboard.query.scope import Period
from opsboard.review import build_review, render
from opsboard.review.delivery import chat_summary
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone

SH = zone("Asia/Shanghai")
JUNE_1_TO_10 = Period(first_day=date(2026, 6, 1), last_day=date(2026, 6, 10))


def _days(db_path: Path, *, refunds: bool) -> None:
    """10 June days of ¥10,000 GMV and ¥2,000 spend, with ¥500 refunds or none."""
    points = []
    for day in range(1, 11):
        ts = local_midnight(date(2026, 6, day), SH)
        points += [
            MetricPoint("s1", ts, "day", "gmv", 10_000.0),
            MetricPoint("s1", ts, "day", "spend", 2_000.0),
        ]
        if refunds:
            points.append(MetricPoint("s1", ts, "day", "refunds", 500.0))
    with Store.open(db_path) as store:
        store.write_points(points)


def _runtime(db_path: Path, margin: float | None) -> Runtime:
    settings = Settings(stores=[StoreConfig(name="s1", margin=margin)])
    clock = FrozenClock(datetime(2026, 6, 11, 1, tzinfo=UTC))  # 09:00 on 11 June, Shanghai
    return Runtime(settings=settings, db_path=db_path, clock=clock)


def test_contribution_is_gmv_times_margin_less_refunds_and_spend(db_path: Path) -> None:
    _days(db_path, refunds=True)
    runtime = _runtime(db_path, 0.4)
    with runtime.open_store() as store:
        found = contribution(runtime.engine(store), runtime.settings, "s1", JUNE_1_TO_10)
    # 100,000 x 40% - 5,000 - 20,000
    assert found.value == pytest.approx(15_000)
    assert found.store_roi == pytest.approx(5.0)
    assert found.spend_share == pytest.approx(0.2)
    assert contribution_line(found, "CNY") == (
        "Contribution ¥15.0k · Store ROI 5.00 · Spend share 20.0%"
    )
    assert contribution_line(found, "CNY", how=True).startswith(
        "Contribution ¥15.0k (GMV ¥100k x 40% - refunds ¥5,000 - ad spend ¥20.0k)"
    )


def test_refunds_missing_from_the_data_count_as_0_and_are_said(db_path: Path) -> None:
    _days(db_path, refunds=False)
    runtime = _runtime(db_path, 0.4)
    with runtime.open_store() as store:
        found = contribution(runtime.engine(store), runtime.settings, "s1", JUNE_1_TO_10)
    assert found.value == pytest.approx(20_000)
    assert "(no refunds data)" in contribution_line(found, "CNY")
    i18n.set_language("zh-CN")
    try:
        line = contribution_line(found, "CNY")
    finally:
        i18n.set_language("en")
    assert line.startswith("贡献 ¥2万（无退款数据） · ")
    assert "全店投产比 5.00" in line
    assert "推广费占比 20.0%" in line


def test_without_a_margin_no_contribution_is_made_up(db_path: Path) -> None:
    _days(db_path, refunds=True)
    runtime = _runtime(db_path, None)
    with runtime.open_store() as store:
        found = contribution(runtime.engine(store), runtime.settings, "s1", JUNE_1_TO_10)
    assert found.value is None
    line = contribution_line(found, "CNY")
    assert line.startswith("Contribution unknown (no margin in the config)")
    assert "Store ROI 5.00" in line  # what needs no margin is still shown


def test_the_review_gives_the_day_and_the_month_to_date(db_path: Path) -> None:
    _days(db_path, refunds=True)
    runtime = _runtime(db_path, 0.4)
    with runtime.open_store() as store:
        review = build_review(runtime, store, "s1", date(2026, 6, 10))
    assert review.contribution == (
        "On the day: Contribution ¥1,500 (GMV ¥10.0k x 40% - refunds ¥500 - ad spend "
        "¥2,000) · Store ROI 5.00 · Spend share 20.0%",
        "June to date: Contribution ¥15.0k (GMV ¥100k x 40% - refunds ¥5,000 - ad spend "
        "¥20.0k) · Store ROI 5.00 · Spend share 20.0%",
    )
    text = render(review, "text")
    assert text.index("Contribution\n") < text.index("Summary")
    assert json.loads(render(review, "json"))["contribution"] == list(review.contribution)
    assert "On the day: Contribution ¥1,500" in chat_summary(review, top=3)[1]


def test_a_contribution_target_without_a_margin_says_so(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from opsboard.cli.main import main

    _days(db_path, refunds=True)
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "s1"\n\n[[targets]]\nstore = "s1"\nmetric = "contribution"\n'
        'period = "2026-06"\nvalue = 60000\n',
        encoding="utf-8",
    )
    code = main(["targets", "--date", "2026-06-10", "--format", "json",
                 "--db", str(db_path), "--config", str(config)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    (row,) = json.loads(out)
    assert row["actual"] is None  # never a figure made up without the margin
    assert "s1: contribution and strategic loss need the store's margin" in err

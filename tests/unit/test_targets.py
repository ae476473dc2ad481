"""Targets: `[[targets]]` in the config, the plan sheet, and `opsboard targets`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from opsboard.cli.main import main
from opsboard.config.models import Settings
from opsboard.config.targets import TargetConfig, parse_period, plan_targets
from opsboard.errors import RejectedInput
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

SH = zone("Asia/Shanghai")
COLUMNS = {"store": "店铺", "metric": "指标", "period": "周期", "value": "目标值"}


def test_periods() -> None:
    assert parse_period("2026-06").days == 30
    q3 = parse_period("2026-q3")
    assert (q3.first, q3.last, q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026-Q3")
    days = parse_period("2026-06-01 .. 2026-06-18")
    assert (days.days, days.label) == (18, "2026-06-01..2026-06-18")
    assert parse_period("2026-06-21").days == 1
    for bad in ("June", "2026-13", "2026-06-18..2026-06-01", "2026-Q5"):
        with pytest.raises(ValueError, match="period"):
            parse_period(bad)


def test_config_targets_and_their_errors() -> None:
    settings = Settings.model_validate(
        {
            "targets": [
                {"store": "s1", "metric": "gmv", "period": "2026-06", "value": 3e6},
                {"store": "s1", "metric": "spend", "period": "2026-06", "value": 6e5},
                {
                    "store": "s1",
                    "metric": "ctr",
                    "scope": "sku:123",
                    "period": "2026-06-21",
                    "at_least": 0.06,
                },
            ]
        }
    )
    resolved = [t.resolve() for t in settings.targets]
    assert [t.direction for t in resolved] == ["at_least", "at_most", "at_least"]
    bad: list[tuple[dict[str, object], str]] = [
        ({"metric": "sales"}, "unknown metric 'sales'"),
        ({"period": "June"}, "not understood"),
        ({"scope": "shelf:1"}, "scope 'shelf:1'"),
        ({"at_most": 5.0}, "exactly one of value, at_least or at_most"),
        ({"metric": "strategic_loss", "period": "2026-Q3"}, "per month"),
    ]
    for change, message in bad:
        spec = {"store": "s1", "metric": "gmv", "period": "2026-06", "value": 1.0, **change}
        with pytest.raises(ValidationError, match=message):
            TargetConfig.model_validate(spec)
    with pytest.raises(ValidationError, match="two goals on shared days"):
        Settings.model_validate(
            {
                "targets": [
                    {"store": "s1", "metric": "gmv", "period": "2026-06", "value": 1},
                    {
                        "store": "s1",
                        "metric": "gmv",
                        "period": "2026-06-10..2026-07-10",
                        "value": 2,
                    },
                ]
            }
        )


def test_plan_rows_read_chinese_names_and_numbers() -> None:
    rows = [
        (2, {"store": "s1", "metric": "支付金额", "period": "2026-06", "value": "300万"}),
        (3, {"store": "s1", "metric": "spend", "period": "2026-06", "value": "¥600,000"}),
    ]
    found = plan_targets(rows, COLUMNS, origin="plan.csv")
    assert [(t.metric, t.value, t.direction) for t in found] == [
        ("gmv", 3_000_000, "at_least"),
        ("spend", 600_000, "at_most"),
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"store": "nope"}, "店铺", "unknown store 'nope'"),
        ({"metric": "sales"}, "指标", "unknown metric"),
        ({"period": "六月"}, "周期", "not understood"),
        ({"value": "lots"}, "目标值", "'lots' is not a number"),
        ({"period": "2026-06-15..2026-06-20"}, "周期", "overlaps"),
    ],
)
def test_a_broken_plan_row_is_refused_with_its_cell(
    cells: dict[str, str], column: str, message: str
) -> None:
    good = {"store": "s1", "metric": "gmv", "period": "2026-06", "value": "1"}
    rows = [(2, good), (3, {**good, **cells})]
    with pytest.raises(RejectedInput, match=message) as caught:
        plan_targets(rows, COLUMNS, origin="plan.csv", known_stores={"s1"})
    assert (caught.value.line, caught.value.column) == (3, column)


# -- `opsboard targets` end to end -----------------------------------------------------------


@pytest.fixture
def june(db_path: Path) -> Path:
    """Daily GMV: 100k on weekdays, 150k at weekends, 20 April to 18 June 2026."""
    points = []
    day = date(2026, 4, 20)
    while day <= date(2026, 6, 18):
        value = 150_000.0 if day.weekday() >= 5 else 100_000.0
        points.append(MetricPoint("s1", local_midnight(day, SH), "day", "gmv", value))
        day += timedelta(days=1)
    with Store.open(db_path) as store:
        store.write_points(points)
    return db_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_sheet_loads_and_targets_pace_by_the_weekday_pattern(
    june: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "opsboard.toml"
    config.write_text('[[stores]]\nname = "s1"\n', encoding="utf-8")
    plan = tmp_path / "plan.csv"
    plan.write_text("店铺,指标,周期,目标值\ns1,gmv,2026-06,3000000\n", encoding="utf-8")
    common = ("--db", str(june), "--config", str(config))
    code, out, err = _run(capsys, "ingest", str(plan), *common)
    assert code == 0, err
    assert "plan_sheet for s1: 1 rows" in out
    assert "1 targets kept" in out
    code, out, err = _run(
        capsys, "targets", "--store", "s1", "--date", "2026-06-18", "--format", "json", *common
    )
    assert code == 0, err
    assert json.loads(out) == [
        {
            "store": "s1",
            "metric": "gmv",
            "scope": "",
            "period": "2026-06",
            "target": 3_000_000,
            "actual": 2_000_000,
            "done_share": 0.6667,
            "time_share": round(17.5 / 29.75, 4),
            "needed_per_day": round(1_000_000 / 12, 2),
            "status": "ahead",
            "trend": None,
        }
    ]
    code, out, _err = _run(capsys, "targets", "--date", "2026-06-18", *common)
    assert code == 0
    for shown in ("¥3.00M", "¥2.00M", "ahead", "¥83.3k"):
        assert shown in out


def test_a_broken_plan_sheet_is_refused_whole(
    june: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "store,metric,period,value\ns1,gmv,2026-06,3000000\ns1,uv,2026-06,lots\n",
        encoding="utf-8",
    )
    code, _out, err = _run(capsys, "ingest", str(plan), "--db", str(june))
    assert code == 1
    assert "line 3, column 'value': 'lots' is not a number" in err
    with Store.open(june) as store:
        assert store.targets() == []


def test_the_strategic_loss_allowance_counts_spend_less_contribution(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Campaign c1 is run below break-even on purpose: margin 40% makes break-even ROI 2.5,
    so a day of ¥1,000 spend and ¥1,500 sales loses ¥400; c2 is not counted."""
    points = []
    for day in range(1, 11):
        ts = local_midnight(date(2026, 6, day), SH)
        for campaign in ("c1", "c2"):
            points += [
                MetricPoint("s1", ts, "day", "spend", 1000.0, channel="", campaign=campaign),
                MetricPoint("s1", ts, "day", "ad_gmv", 1500.0, channel="", campaign=campaign),
            ]
    with Store.open(db_path) as store:
        store.write_points(points)
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "s1"\nmargin = 0.4\nstrategic_loss_campaigns = ["c1"]\n\n'
        '[[targets]]\nstore = "s1"\nmetric = "strategic_loss"\nperiod = "2026-06"\n'
        "at_most = 6000\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys, "targets", "--date", "2026-06-10", "--format", "json",
        "--db", str(db_path), "--config", str(config),
    )  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["actual"] == pytest.approx(4000)
    assert row["needed_per_day"] == pytest.approx(100)  # ¥2,000 left over 20 days
    assert row["status"] == "ahead"  # losing faster than a third of the month allows


def test_store_roi_spend_share_and_contribution_are_targetable(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """10 days of ¥10,000 GMV, ¥500 refunds and ¥2,000 spend at a 40% margin: contribution
    ¥1,500 a day, store ROI 5, spend share 20%."""
    points = []
    for day in range(1, 11):
        ts = local_midnight(date(2026, 6, day), SH)
        for metric, value in (("gmv", 10_000.0), ("refunds", 500.0), ("spend", 2_000.0)):
            points.append(MetricPoint("s1", ts, "day", metric, value))
    with Store.open(db_path) as store:
        store.write_points(points)
    config = tmp_path / "opsboard.toml"
    config.write_text('[[stores]]\nname = "s1"\nmargin = 0.4\n', encoding="utf-8")
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "店铺,指标,周期,目标值\ns1,贡献,2026-06,60000\ns1,全店投产比,2026-06,4\n"
        "s1,推广费占比,2026-06,0.25\n",
        encoding="utf-8",
    )
    common = ("--db", str(db_path), "--config", str(config))
    assert _run(capsys, "ingest", str(plan), *common)[0] == 0
    code, out, err = _run(capsys, "targets", "--date", "2026-06-10", "--format", "json", *common)
    assert code == 0, err
    rows = {row["metric"]: row for row in json.loads(out)}
    assert rows["contribution"]["actual"] == pytest.approx(15_000)
    assert rows["contribution"]["needed_per_day"] == pytest.approx(45_000 / 20)
    assert rows["store_roi"]["actual"] == pytest.approx(5.0)
    assert rows["store_roi"]["status"] == "ahead"
    assert rows["spend_share"]["actual"] == pytest.approx(0.2)
    assert rows["spend_share"]["status"] == "ahead"  # 20% against a ceiling of 25%


def test_a_ratio_target_shows_its_trend_over_the_last_days(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CTR 5% on 1-7 June, 6% on 8-10 June: 5.3% to date against a 6% goal, up over the
    last three days (6% against the 5% of 5-7 June)."""
    points = []
    for day in range(1, 11):
        ts = local_midnight(date(2026, 6, day), SH)
        clicks = 600.0 if day >= 8 else 500.0
        points += [
            MetricPoint("s1", ts, "day", "impressions", 10_000.0),
            MetricPoint("s1", ts, "day", "clicks", clicks),
        ]
    with Store.open(db_path) as store:
        store.write_points(points)
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "s1"\n\n[[targets]]\nstore = "s1"\nmetric = "ctr"\n'
        'period = "2026-06"\nat_least = 0.06\n',
        encoding="utf-8",
    )
    common = ("--db", str(db_path), "--config", str(config))
    code, out, err = _run(capsys, "targets", "--date", "2026-06-10", "--format", "json", *common)
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["actual"] == pytest.approx(0.053)
    assert row["needed_per_day"] is None
    assert row["trend"] == {
        "recent": 0.06,
        "before": 0.05,
        "direction": "up",
        "days": "2026-06-08..2026-06-10",
    }
    code, out, _err = _run(capsys, "targets", "--date", "2026-06-10", *common)
    assert "↑ 6.00%" in out

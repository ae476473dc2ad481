"""Promotion windows weigh a plan's days as the store's past windows say (DESIGN.md 4.6)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from opsboard.cli.main import main
from opsboard.config.rules import PromotionWindow
from opsboard.config.targets import parse_period
from opsboard.models import MetricPoint
from opsboard.query.plan_promotions import coverage, promotion_factors, uplift
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

SH = zone("Asia/Shanghai")


def _window(name: str, start: str, end: str) -> PromotionWindow:
    return PromotionWindow(name=name, start=start, end=end)


def _flat(first: date, last: date, peaks: dict[date, float]) -> dict[date, float]:
    days = (last - first).days + 1
    out = {first + timedelta(days=i): 100.0 for i in range(days)}
    out.update(peaks)
    return out


def test_coverage_counts_the_hours_of_a_day_a_window_holds() -> None:
    evening = _window("d11", "2026-11-10T20:00", "2026-11-12T00:00")
    assert coverage(evening, date(2026, 11, 10)) == pytest.approx(4 / 24)
    assert coverage(evening, date(2026, 11, 11)) == 1.0
    assert coverage(evening, date(2026, 11, 12)) == 0.0


def test_the_uplift_is_what_past_windows_brought_over_their_usual_days() -> None:
    history = _flat(date(2026, 3, 1), date(2026, 6, 30), {date(2026, 4, 1): 300.0})
    windows = [_window("spring", "2026-04-01T00:00", "2026-04-02T00:00")]

    def daily(first: date, last: date) -> dict[date, float]:
        return {d: v for d, v in history.items() if first <= d <= last}

    assert uplift(windows, date(2026, 6, 1), daily) == pytest.approx(3.0)
    # A window not over yet teaches nothing.
    assert uplift(windows, date(2026, 4, 1), daily) is None
    # Half a day covered that brought 200 instead of 100: twice the day for the half.
    half = [_window("spring", "2026-04-01T12:00", "2026-04-02T00:00")]
    history[date(2026, 4, 1)] = 200.0
    assert uplift(half, date(2026, 6, 1), daily) == pytest.approx(3.0)
    # June with 618 from noon on the 17th to the end of the 18th.
    june = [*half, _window("618", "2026-06-17T12:00", "2026-06-19T00:00")]
    factors = promotion_factors(parse_period("2026-06"), june, date(2026, 6, 10), daily)
    assert factors is not None
    assert factors[15:19] == [1.0, pytest.approx(2.0), pytest.approx(3.0), 1.0]
    # No window in the period: no factors.
    assert promotion_factors(parse_period("2026-05"), june, date(2026, 6, 10), daily) is None


def test_targets_pace_a_promotion_day_by_the_stores_past_windows(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """¥100k a day from March, ¥300k on the 1 April promotion: 18 June's 618 window weighs
    three days, so the 17 days to 17 June are 17 of 32 June weights, not 17 of 30."""
    points = []
    day = date(2026, 3, 1)
    while day <= date(2026, 6, 17):
        value = 300_000.0 if day == date(2026, 4, 1) else 100_000.0
        points.append(MetricPoint("s1", local_midnight(day, SH), "day", "gmv", value))
        day += timedelta(days=1)
    with Store.open(db_path) as store:
        store.write_points(points)
    plain = '[[stores]]\nname = "s1"\n\n[[targets]]\nstore = "s1"\nmetric = "gmv"\n'
    plain += 'period = "2026-06"\nvalue = 3000000\n'
    windows = (
        '\n[[alerts.promotions]]\nname = "spring"\nstart = "2026-04-01T00:00"\n'
        'end = "2026-04-02T00:00"\n\n[[alerts.promotions]]\nname = "618"\n'
        'start = "2026-06-18T00:00"\nend = "2026-06-19T00:00"\n'
    )
    rows = {}
    for name, text in (("plain", plain), ("promoted", plain + windows)):
        config = tmp_path / f"{name}.toml"
        config.write_text(text, encoding="utf-8")
        code = main(["targets", "--date", "2026-06-17", "--format", "json",
                     "--db", str(db_path), "--config", str(config)])  # fmt: skip
        out, err = capsys.readouterr()
        assert code == 0, err
        (rows[name],) = json.loads(out)
    assert rows["plain"]["time_share"] == pytest.approx(17 / 30, abs=1e-4)
    assert rows["promoted"]["time_share"] == pytest.approx(17 / 32, abs=1e-4)
    assert rows["promoted"]["needed_per_day"] == pytest.approx(100_000)
    assert rows["plain"]["status"] == "on track"
    assert rows["promoted"]["status"] == "ahead"  # the plan leaves the peak for the 18th

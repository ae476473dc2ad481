"""The periods rules read: baselines on the local clock across DST, and a replay that sees
only what was known at each replayed instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from opsboard.alerts.backtest import backtest
from opsboard.alerts.periods import rule_periods
from opsboard.config.rules import RuleConfig
from opsboard.storage import Store
from opsboard.timeutil import zone

from .conftest import points, settings_with

SHANGHAI = zone("Asia/Shanghai")


def test_same_hours_last_week_are_the_same_hours_on_the_clock_across_dst() -> None:
    rule = RuleConfig.model_validate({"name": "down", "kind": "change", "metric": "uv",
                                      "baseline": "last_week", "threshold": -0.3, "op": "<",
                                      "window": "2h"})  # fmt: skip
    la = zone("America/Los_Angeles")
    # Monday 2026-11-02 10:30 PST; a week earlier the clocks showed PDT.
    current, last_week = rule_periods(rule, datetime(2026, 11, 2, 18, 30, tzinfo=UTC), la)
    assert current.start is not None
    assert last_week.start is not None
    assert last_week.end is not None
    assert f"{current.start.astimezone(la):%m-%d %H:%M %Z}" == "11-02 08:00 PST"
    assert f"{last_week.start.astimezone(la):%m-%d %H:%M %Z}" == "10-26 08:00 PDT"
    assert f"{last_week.end.astimezone(la):%H:%M %Z}" == "10:00 PDT"
    assert last_week.start == datetime(2026, 10, 26, 15, tzinfo=UTC)


def test_a_replay_never_reads_later_in_the_day(store: Store) -> None:
    rule = {"name": "uv-day", "kind": "threshold", "metric": "uv", "threshold": 100,
            "window": "1d"}  # fmt: skip
    settings = settings_with([rule], stores=[{"name": "shop"}])
    # 2026-06-10 in Shanghai: 50 visitors at 10:00, 100 more at 20:00.
    morning, evening = datetime(2026, 6, 10, 2, tzinfo=UTC), datetime(2026, 6, 10, 12, tzinfo=UTC)
    store.write_points(points("uv", [50], start=morning) + points("uv", [100], start=evening))
    replay = backtest(store, settings, first=date(2026, 6, 10), last=date(2026, 6, 10),
                      tz=SHANGHAI, now=datetime(2026, 6, 20, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%d %H:%M}") for e in replay.events]
    assert fired == [("firing", "10 21:00")]  # once the 20:00 hour is over, not at 01:00
    assert replay.hours == 24


def test_a_replay_counts_a_days_own_figure_only_once_the_day_is_over(store: Store) -> None:
    rule = {"name": "pace", "kind": "pacing", "threshold": 1.2}
    settings = settings_with([rule], stores=[{"name": "shop", "daily_budget": 1000}])
    day = datetime(2026, 6, 9, 16, tzinfo=UTC)  # 2026-06-10 00:00 in Shanghai
    # The day's report: 1,000 spent in all. Hourly: 100 an hour from 00:00 to 09:00.
    store.write_points(points("spend", [1000], start=day, grain="day")
                       + points("spend", [100] * 10, start=day))  # fmt: skip
    replay = backtest(store, settings, first=date(2026, 6, 10), last=date(2026, 6, 10),
                      tz=SHANGHAI, now=datetime(2026, 6, 20, tzinfo=UTC))  # fmt: skip
    fired = [(e.event, f"{e.at.astimezone(SHANGHAI):%H:%M}") for e in replay.events]
    # 01:00: 100 spent of 1,000 by 1/24 of the day is 2.4x the pace; the whole day's 1,000
    # (the day-grain figure) is not known before the day is over.
    assert fired[0] == ("firing", "01:00")
    assert "spend 100.00 of budget 1,000.00" in replay.events[0].message


def test_a_replay_stops_at_the_current_hour(store: Store) -> None:
    rule = {"name": "uv-high", "kind": "threshold", "metric": "uv", "threshold": 100}
    settings = settings_with([rule], stores=[{"name": "shop"}])
    start = datetime(2026, 6, 9, 16, tzinfo=UTC)
    store.write_points(points("uv", [500] * 24, start=start))
    now = start + timedelta(hours=5, minutes=20)
    replay = backtest(store, settings, first=date(2026, 6, 10), last=date(2026, 6, 10),
                      tz=SHANGHAI, now=now)  # fmt: skip
    assert replay.hours == 5
    assert all(e.at <= now for e in replay.events)

"""All stores across time zones: every panel adds up each store's own local day.

Three stores in Shanghai, London and Los Angeles at a frozen clock where Los Angeles is
still on the day before; every all-stores figure must equal the sum of what each store's
own Overview shows, and money is summed only in one currency.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from opsboard.config.models import Settings, StoreConfig
from opsboard.formatting import figure
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock, local_day, local_midnight, zone
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.overview import OverviewScreen
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.promotion import PromotionTable
from opsboard.tui.widgets.store_strip import StoreStrip
from opsboard.tui.widgets.traffic import TrafficFigures
from opsboard.views.overview import Overview
from opsboard.views.sample_world import SAMPLE_NOW, seed

#: 14:30 in Shanghai and 07:30 in London on June 18; 23:30 on June 17 in Los Angeles.
ZONES = {
    "tmall-flagship": ("Asia/Shanghai", "CNY"),
    "uk-shop": ("Europe/London", "GBP"),
    "amazon-us": ("America/Los_Angeles", "USD"),
}
RATES = {"USD": 7.1, "GBP": 9.0}


def three_zones(**extra: object) -> Settings:
    """Settings of the three stores, with any extra top-level keys."""
    stores = [
        StoreConfig(name=name, timezone=tz, currency=currency, margin=0.4)
        for name, (tz, currency) in ZONES.items()
    ]
    return Settings.model_validate({"stores": [s.model_dump() for s in stores], **extra})


@pytest.fixture(scope="module")
def three_zone_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight days of each store's hourly data up to the frozen clock, once per module."""
    path = tmp_path_factory.mktemp("zones") / "template.db"
    with Store.open(path) as store:
        seed(store, settings=three_zones())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _runtime(template: Path, tmp_path: Path, settings: Settings) -> Runtime:
    db_path = tmp_path / "opsboard.db"
    shutil.copy(template, db_path)
    return Runtime(settings=settings, db_path=db_path, clock=FrozenClock(SAMPLE_NOW))


def _app(runtime: Runtime) -> OpsboardApp:
    return make_app(runtime, store=None, collect="never", live_refresh=False, blink=False)


def test_the_clock_puts_the_stores_on_different_days() -> None:
    days = {name: local_day(SAMPLE_NOW, zone(tz)) for name, (tz, _c) in ZONES.items()}
    assert days["tmall-flagship"] == days["uk-shop"] != days["amazon-us"]


async def _overviews(app: OpsboardApp, pilot: Pilot[Any]) -> tuple[Overview, dict[str, Overview]]:
    """The all-stores Overview on screen, then each store's, switching stores with ``s``."""
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, OverviewScreen)
    every = screen.shown
    assert every is not None
    assert every.store is None
    own: dict[str, Overview] = {}
    for _ in ZONES:
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        shown = app.screen.shown
        assert isinstance(shown, Overview)
        assert shown.store is not None
        own[shown.store] = shown
    assert set(own) == set(ZONES)
    return every, own


def _sum(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _figure(view: Overview, metric: str, side: str) -> float | None:
    value = getattr(next(f for f in view.figures if f.metric == metric), side)
    assert value is None or isinstance(value, float)
    return value


def _check_sums(every: Overview, own: dict[str, Overview]) -> None:
    stores = list(own.values())
    for metric in ("uv", "pv", "buyers"):
        for side in ("today", "yesterday", "last_week"):
            expected = _sum([_figure(v, metric, side) for v in stores])
            assert _figure(every, metric, side) == pytest.approx(expected), (metric, side)
        today = _sum([_figure(v, metric, "today") for v in stores])
        yesterday = _sum([_figure(v, metric, "yesterday") for v in stores])
        assert today is not None
        assert yesterday
        assert _figure(every, metric, "vs_yesterday") == pytest.approx(today / yesterday - 1)
    # The chart: each local hour is the sum of that hour of every store's own day.
    for line in ("today", "yesterday", "last_week"):
        for hour in range(24):
            parts = [getattr(v.hourly, line)[hour] for v in stores]
            assert getattr(every.hourly, line)[hour] == pytest.approx(_sum(parts)), (line, hour)
    # The channels.
    channels = {c.channel for v in stores for c in v.channels}
    for channel in channels:
        parts = [next((c.uv for c in v.channels if c.channel == channel), None) for v in stores]
        shown = next(c.uv for c in every.channels if c.channel == channel)
        assert shown == pytest.approx(_sum(parts)), channel
    # The strip: each store's own today.
    assert {row.store: row.uv for row in every.stores_strip} == pytest.approx(
        {name: _figure(v, "uv", "today") for name, v in own.items()}
    )
    # The promotion rows are each store's own.
    assert {(r.store, r.campaign, r.spend) for r in every.promotion} == {
        (r.store, r.campaign, r.spend) for v in stores for r in v.promotion
    }


async def test_all_stores_visitors_are_the_sum_of_each_stores_own_day(
    three_zone_template: Path, tmp_path: Path
) -> None:
    app = _app(_runtime(three_zone_template, tmp_path, three_zones()))
    async with app.run_test(size=(120, 40)) as pilot:
        every, own = await _overviews(app, pilot)
        _check_sums(every, own)
        # What the panel writes is that sum.
        await pilot.press("s")  # back to all stores
        await settle(pilot)
        traffic = app.screen.query_one(TrafficFigures)
        assert str(traffic.get_cell("uv", "today")) == figure("uv", _figure(every, "uv", "today"))
    # Los Angeles is on June 17: the first store's day for all would have read its 18th,
    # which has no data yet.
    la = own["amazon-us"]
    assert la.hourly.today[23] is not None
    assert _figure(la, "uv", "today")


async def test_a_replayed_hour_is_each_stores_own_hour(
    three_zone_template: Path, tmp_path: Path
) -> None:
    app = _app(_runtime(three_zone_template, tmp_path, three_zones()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("left_square_bracket")
            await settle(pilot)
        assert app.at is not None
        assert app.at < SAMPLE_NOW - timedelta(hours=2)
        every, own = await _overviews(app, pilot)
        assert every.at == app.at
        _check_sums(every, own)


async def test_money_of_different_currencies_is_never_summed_unlabelled(
    three_zone_template: Path, tmp_path: Path
) -> None:
    app = _app(_runtime(three_zone_template, tmp_path, three_zones()))
    async with app.run_test(size=(120, 40)) as pilot:
        every, own = await _overviews(app, pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert _figure(every, "gmv", "today") is None
        assert str(screen.query_one(TrafficFigures).get_cell("gmv", "today")) == "-"
        assert "mixed currencies" in str(screen.query_one("#traffic-panel").border_subtitle)
        # Each store's money in its own currency: the strip and the promotion table.
        strip = screen.query_one(StoreStrip)
        lines = [str(s.render()) for s in strip.query(".strip-figures")]
        assert any("¥" in line for line in lines)
        assert any("£" in line for line in lines)
        assert any("$" in line for line in lines)
        assert {r.store: r.currency for r in every.promotion} == {
            name: currency for name, (_tz, currency) in ZONES.items()
        }
        table = screen.query_one(PromotionTable)
        spend = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert {text[0] for text in spend if text} == {"¥", "£", "$"}
    assert {r.store: r.gmv for r in every.stores_strip} == pytest.approx(
        {name: _figure(v, "gmv", "today") for name, v in own.items()}
    )


async def test_a_reporting_currency_sums_money_converted(
    three_zone_template: Path, tmp_path: Path
) -> None:
    settings = three_zones(reporting_currency="CNY", rates=RATES)
    app = _app(_runtime(three_zone_template, tmp_path, settings))
    async with app.run_test(size=(120, 40)) as pilot:
        every, own = await _overviews(app, pilot)
        await pilot.press("s")
        await settle(pilot)
        cell = str(app.screen.query_one(TrafficFigures).get_cell("gmv", "today"))
        subtitle = str(app.screen.query_one("#traffic-panel").border_subtitle)
    rate = {"tmall-flagship": 1.0, "uk-shop": RATES["GBP"], "amazon-us": RATES["USD"]}
    for side in ("today", "yesterday"):
        expected = sum((_figure(v, "gmv", side) or 0.0) * rate[n] for n, v in own.items())
        assert _figure(every, "gmv", side) == pytest.approx(expected)
    assert every.converted
    assert every.currency == "CNY"
    assert cell.startswith("≈¥")
    assert "converted to CNY" in subtitle


async def test_a_store_without_data_today_shows_its_latest_day(
    three_zone_template: Path, tmp_path: Path
) -> None:
    """A store whose data arrives as a daily export (T+1): yesterday is its latest day."""
    settings = three_zones()
    runtime = _runtime(three_zone_template, tmp_path, settings)
    tz = zone("Asia/Shanghai")
    today = local_day(SAMPLE_NOW, tz)
    rows = [
        ("jd-daily", "day", int(local_midnight(today - timedelta(days=back), tz).timestamp()),
         "", "", "", metric, value)
        for back in (1, 2, 8)
        for metric, value in (("uv", 5000.0 + back), ("buyers", 150.0), ("gmv", 18000.0))
    ]  # fmt: skip
    with runtime.open_store() as store, store.batch(source="t", origin="daily") as tx:
        tx.add_raw(rows)
    app = make_app(runtime, store="jd-daily", collect="never", live_refresh=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        shown = screen.shown
        assert shown is not None
        title = str(screen.query_one("#traffic-panel").border_title)
        uv = str(screen.query_one(TrafficFigures).get_cell("uv", "today"))
    app = _app(runtime)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        every = app.screen.shown
        strip = [str(s.render()) for s in app.screen.query(".strip-figures")]
    assert shown.latest_day == today - timedelta(days=1)
    assert "latest: Jun 17" in title
    assert uv == "5,001"
    assert _figure(shown, "uv", "vs_yesterday") == pytest.approx(5001 / 5002 - 1)
    assert isinstance(every, Overview)
    row = next(r for r in every.stores_strip if r.store == "jd-daily")
    assert row.latest
    assert (row.day, row.uv) == (today - timedelta(days=1), 5001)
    assert any("jd-daily" in line and "latest: Jun 17" in line for line in strip)
    # Not added to the other stores' today.
    assert _figure(every, "uv", "today") == pytest.approx(
        _sum([r.uv for r in every.stores_strip if not r.latest])
    )

"""Data completeness: a missing source or missing hours is reported, never read as a collapse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from opsboard.models import HealthState, MetricPoint, SourceHealth
from opsboard.review import build_review, render
from opsboard.timeutil import day_bounds, local_midnight, zone

from .days import DAY, HISTORY, SHOP, TZ, Shop, channel_day, day_point, hour_point, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


def hourly_traffic(shop: Shop, day: date, hours: range) -> None:
    points = []
    for hour in hours:
        points += [
            hour_point(day, hour, "uv", 400),
            hour_point(day, hour, "buyers", 12),
            hour_point(day, hour, "gmv", 1200),
        ]
    write(shop.store, points, source="live-api")


def test_a_source_that_delivered_nothing_is_missing_data_not_a_collapse(shop: Shop) -> None:
    for day in [*HISTORY, DAY]:
        if day != DAY:
            write(shop.store, channel_day(day, NORMAL), source="sycm")
            write(shop.store, [day_point(day, "gmv", 900, sku="681127000001")], source="sycm")
        write(
            shop.store,
            [day_point(day, "spend", 500), day_point(day, "ad_gmv", 2000)],
            source="ads",
        )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    health = review.completeness
    assert not health.complete
    [note] = health.notes
    assert (note.source, note.kind) == ("sycm", "missing")
    assert {"uv", "buyers", "gmv"} <= set(health.missing_metrics)
    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.status == "missing"
    assert gmv.vs_last_week is None
    spend = review.figure("spend")
    assert spend is not None
    assert spend.status == "ok"
    assert review.bridge is None
    assert "conversion_down" not in {d.code for d in review.diagnoses}
    summary = " ".join(review.summary)
    assert "Data missing: sycm delivered nothing" in summary
    assert "not a collapse" in summary
    assert "down" not in summary
    assert review.channels == ()
    assert review.products == {}
    assert "moves in GMV by SKU: its data is incomplete on one of the two days" in (
        review.cannot_tell
    )


def test_missing_hours_are_a_gap_not_a_fall(shop: Shop) -> None:
    for day in HISTORY:
        hourly_traffic(shop, day, range(24))
    hourly_traffic(shop, DAY, range(14))  # the file for 14:00-23:59 never came

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [note] = review.completeness.notes
    assert note.kind == "gap"
    assert note.source == "live-api"
    assert "10 of 24 hours missing: 14:00-24:00" in note.detail
    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.status == "partial"
    assert gmv.vs_last_week is None
    assert review.bridge is None
    assert review.diagnoses == ()
    assert any("Data incomplete" in line for line in review.summary)


def test_day_grain_data_covers_hourly_gaps(shop: Shop) -> None:
    for day in HISTORY:
        hourly_traffic(shop, day, range(24))
    hourly_traffic(shop, DAY, range(14))
    write(shop.store, channel_day(DAY, NORMAL), source="sycm")

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.partial_metrics == ()
    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.status == "ok"
    assert gmv.value == 30_000


def test_rejected_files_and_unhealthy_sources_are_listed(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    shop.store.record_failed_ingest(
        source="drop",
        origin="/drop/traffic.csv",
        format="sycm_traffic",
        store=SHOP,
        message="line 7, column '访客数': not a number",
    )
    shop.store.set_health(
        SourceHealth(
            source="live-api",
            state=HealthState.FAILING,
            since=datetime(2026, 6, 17, 8, 0, tzinfo=UTC),
            store=SHOP,
            reason="HTTP 500",
        )
    )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    kinds = {(n.source, n.kind): n.detail for n in review.completeness.notes}
    assert "line 7" in kinds[("drop", "rejected")]
    assert kinds[("drop", "rejected")].startswith("traffic.csv: ")
    assert kinds[("live-api", "health")] == "failing since 2026-06-17 16:00: HTTP 500"


def test_a_refused_file_is_told_once_and_not_once_it_loaded(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))

    def refuse(origin: str) -> None:
        shop.store.record_failed_ingest(
            source="drop", origin=origin, format="sycm_traffic", store=SHOP,
            message=f"line 25: {origin.rsplit('/', 1)[-1]}: the last line is cut off",
        )  # fmt: skip

    # Cut off twice, then downloaded again whole under the same name: made good.
    refuse("/tmp/demo/drop/BusinessReport.csv")
    refuse("/tmp/demo/drop/BusinessReport.csv")
    shop.store.write_points(
        [hour_point(DAY, 3, "uv", 10.0)], source="drop", origin="/tmp/demo/drop/BusinessReport.csv"
    )
    # Refused twice and never made good: told once.
    refuse("/tmp/demo/drop/traffic.csv")
    refuse("/tmp/demo/drop/traffic.csv")

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    rejected = [n.detail for n in review.completeness.notes if n.kind == "rejected"]
    assert rejected == ["traffic.csv: line 25: the last line is cut off"]


def test_a_gap_last_week_is_not_read_as_growth(shop: Shop) -> None:
    for day in HISTORY[1:]:
        hourly_traffic(shop, day, range(24))
    hourly_traffic(shop, HISTORY[0], range(12))  # last week lost its afternoon
    hourly_traffic(shop, DAY, range(24))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.complete
    [note] = review.completeness.baseline_notes
    assert "12 hours missing: 12:00-24:00" in note.detail
    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.vs_last_week is None
    assert gmv.vs_median == 0.0
    assert review.bridge is None
    assert any("Last week is incomplete" in line for line in review.summary)


def test_a_source_replaced_by_another_is_not_missing(shop: Shop) -> None:
    write(shop.store, channel_day(HISTORY[0], NORMAL), source="old-export")
    write(shop.store, channel_day(DAY, NORMAL), source="new-export")

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.complete


def test_a_source_that_delivered_only_part_of_its_data(shop: Shop) -> None:
    for day in (HISTORY[0], DAY):
        write(shop.store, channel_day(day, NORMAL), source="sycm")
    write(shop.store, [day_point(HISTORY[0], "gmv", 500, sku="681127000001")], source="sycm")

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [note] = review.completeness.notes
    assert note.kind == "missing"
    assert note.detail == "delivered less than on the same weekday last week"
    assert note.metrics == ("gmv by SKU",)
    assert review.completeness.missing_metrics == ()  # the store's GMV is still whole


def test_hours_that_arrived_late_are_reported_but_the_day_is_complete(shop: Shop) -> None:
    hourly_traffic(shop, DAY, range(24))  # loaded now: a backfill, not a late delivery
    start = int(local_midnight(DAY, TZ).timestamp())
    on_time = datetime(2026, 6, 17, 11, 5, tzinfo=UTC).isoformat()  # 19:05 local
    loaded = datetime(2026, 6, 17, 13, 30, tzinfo=UTC).isoformat()  # 21:30 local
    for finished, first_hour, last_hour in ((on_time, 18, 18), (loaded, 14, 17)):
        shop.store.conn.execute(
            "INSERT INTO ingests (source, origin, store, status, started_at, finished_at, "
            "period_start, period_end) VALUES ('live-api', 'poll', ?, 'loaded', ?, ?, ?, ?)",
            (SHOP, finished, finished, start + first_hour * 3600, start + last_hour * 3600),
        )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.complete
    [note] = review.completeness.late_notes
    assert note.source == "live-api"
    assert note.detail == "4 hours arrived late (14:00-18:00), up to 6.5 h after the hour"
    assert "Arrived late: live-api: 4 hours arrived late" in " ".join(review.summary)


def test_a_backfill_at_start_is_not_reported_late(shop: Shop) -> None:
    hourly_traffic(shop, DAY, range(24))
    start = int(local_midnight(DAY, TZ).timestamp())
    # The collector started at 21:30 and read the whole day at once: nothing was delivered
    # while those hours were missing, so the source was not late.
    loaded = datetime(2026, 6, 17, 13, 30, tzinfo=UTC).isoformat()
    shop.store.conn.execute(
        "INSERT INTO ingests (source, origin, store, status, started_at, finished_at, "
        "period_start, period_end) VALUES ('live-api', 'poll', ?, 'loaded', ?, ?, ?, ?)",
        (SHOP, loaded, loaded, start, start + 20 * 3600),
    )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.late_notes == ()


NEW_YORK = zone("America/New_York")


def new_york_hours(shop: Shop, day: date) -> None:
    """Every hour of a New York calendar day (23 or 25 of them across a clock change)."""
    start, end = day_bounds(day, NEW_YORK)
    points = []
    ts = start
    while ts < end:
        points += [
            MetricPoint(SHOP, ts, "hour", "uv", 100),
            MetricPoint(SHOP, ts, "hour", "buyers", 3),
            MetricPoint(SHOP, ts, "hour", "gmv", 300),
        ]
        ts += timedelta(hours=1)
    write(shop.store, points, source="live-api")


@pytest.mark.parametrize(
    ("day", "hours_last_week"),
    [(date(2026, 3, 15), 23), (date(2025, 11, 9), 25)],  # after spring forward, fall back
)
def test_a_clock_change_last_week_is_no_gap(shop: Shop, day: date, hours_last_week: int) -> None:
    shop.config = {"timezone": "America/New_York", "currency": "USD"}
    for k in range(5):
        new_york_hours(shop, day - timedelta(days=7 * k))

    review = build_review(shop.runtime, shop.store, SHOP, day)

    assert review.completeness.complete
    assert review.completeness.baseline_notes == ()
    assert review.completeness.baseline_partial_metrics == ()
    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.last_week == 300 * hours_last_week
    assert gmv.vs_last_week == pytest.approx(24 / hours_last_week - 1)
    assert review.bridge is not None


def test_a_source_failing_after_the_day_does_not_touch_it(shop: Shop) -> None:
    for day in (HISTORY[0], DAY):
        write(shop.store, channel_day(day, NORMAL))
    shop.store.set_health(
        SourceHealth(
            source="platform-api",
            state=HealthState.FAILING,
            since=datetime(2026, 6, 18, 6, 0, tzinfo=UTC),  # 14:00 today, after DAY ended
            store=SHOP,
            reason="HTTP 500",
        )
    )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.complete
    assert review.completeness.notes == ()
    [later] = review.completeness.later_notes
    assert later.detail.startswith("failing since 2026-06-18 14:00: HTTP 500 (after the day")
    assert not any("platform-api" in line for line in review.summary)
    assert "every source delivered the whole day" in render(review, "text")


def test_hours_delivered_late_through_the_store_are_reported(shop: Shop) -> None:
    """Three real ingests of one source; the afternoon came hours after it ended, while the
    source kept delivering the hours after it."""
    early = [p for h in range(14) for p in hourly_points(DAY, h)]
    evening = [p for h in range(18, 24) for p in hourly_points(DAY, h)]
    afternoon = [p for h in range(14, 18) for p in hourly_points(DAY, h)]
    for name, points, at in (
        ("early", early, datetime(2026, 6, 17, 6, 5, tzinfo=UTC)),  # 14:05 local
        ("evening", evening, datetime(2026, 6, 17, 16, 5, tzinfo=UTC)),  # 00:05 the next day
        ("afternoon", afternoon, datetime(2026, 6, 17, 19, 0, tzinfo=UTC)),  # 03:00 next day
    ):
        with shop.store.batch(source="live-api", origin=name) as batch:
            batch.add_points(points)
        # The store stamps the wall clock; the test sets when each ingest finished.
        shop.store.conn.execute(
            "UPDATE ingests SET finished_at = ? WHERE id = ?", (at.isoformat(), batch.ingest_id)
        )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.completeness.complete
    [note] = review.completeness.late_notes
    assert note.source == "live-api"
    assert note.detail == "4 hours arrived late (14:00-18:00), up to 12.0 h after the hour"
    assert "live-api: late: 4 hours arrived late (14:00-18:00)" in render(review, "text")


def hourly_points(day: date, hour: int) -> list[MetricPoint]:
    return [
        hour_point(day, hour, "uv", 400),
        hour_point(day, hour, "buyers", 12),
        hour_point(day, hour, "gmv", 1200),
    ]

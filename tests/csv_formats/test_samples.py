"""Every shared sample export gives exactly the figures of its README, through the real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from csv_formats.support import load, one, read, total
from opsboard.errors import RejectedInput
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.storage import Store

Sample = Callable[[str], Path]


def by_day(engine: MetricsEngine, metric: str) -> dict[str, Any]:
    """``metric`` per local day, as the engine answers it."""
    return {row["day"]: row[metric] for row in engine.query([metric], by="day")}


def test_sycm_store_daily_gbk(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("sycm_store_traffic_daily_gbk.csv"))
    assert (parsed.format, parsed.rows, parsed.skipped) == ("sycm_store_daily", 30, 3)
    assert parsed.period == (date(2026, 6, 1), date(2026, 6, 30))
    load(store, parsed)
    row = one(engine, "uv", "pv", "buyers", "order_buyers", "gmv", "conversion_rate")
    assert row["uv"] == 105010
    assert row["pv"] == 279745
    assert row["buyers"] == 3421
    assert row["order_buyers"] == 3806
    assert row["gmv"] == pytest.approx(364369.69, abs=1e-6)
    assert row["conversion_rate"] == pytest.approx(3421 / 105010)
    assert round(3421 / 105010, 4) == 0.0326
    day = engine.query(
        ["uv", "pv", "buyers", "gmv", "bounces", "aov", "conversion_rate"],
        period=Period(first_day=date(2026, 6, 18), last_day=date(2026, 6, 18)),
    )[0]
    assert (day["uv"], day["pv"], day["buyers"]) == (9397, 28421, 337)
    assert day["gmv"] == pytest.approx(40723.99)
    assert day["bounces"] == round(0.7052 * 9397)  # 跳失率 70.52% x 访客数
    assert round(day["aov"], 2) == 120.84
    assert round(day["conversion_rate"], 4) == 0.0359


def test_sycm_dash_cells_are_missing_not_zero(
    store: Store, engine: MetricsEngine, sample: Sample
) -> None:
    load(store, read(sample("sycm_store_traffic_daily_gbk.csv")))
    new_visitors = by_day(engine, "new_uv")
    assert "2026-06-23" not in new_visitors  # '-' is no point, never 0
    assert len(new_visitors) == 29
    assert 0 not in new_visitors.values()


def test_wxt_item_report_gb18030(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("wxt_item_report_gb18030.csv"))
    assert (parsed.format, parsed.rows, parsed.skipped) == ("wxt_item_report", 98, 0)
    assert parsed.period == (date(2026, 6, 12), date(2026, 6, 18))
    load(store, parsed)
    row = one(engine, "spend", "ad_gmv", "impressions", "clicks", "ad_orders", "roi")
    assert row["spend"] == pytest.approx(60698.64)
    assert row["ad_gmv"] == pytest.approx(256082.38)
    assert (row["impressions"], row["clicks"], row["ad_orders"]) == (1157418, 42329, 1249)
    assert row["roi"] == pytest.approx(256082.38 / 60698.64)
    assert round(row["roi"], 2) == 4.22
    june_18 = engine.query(
        ["spend"], period=Period(first_day=date(2026, 6, 18), last_day=date(2026, 6, 18))
    )
    assert june_18[0]["spend"] == pytest.approx(9954.43)
    channels = {r["channel"]: round(r["spend"], 2) for r in total(engine, "spend", by="channel")}
    assert channels == {"display": 18551.74, "paid_search": 24955.13, "campaign": 17191.77}
    assert len(total(engine, "spend", by="sku")) == 8
    assert len(total(engine, "spend", by="campaign")) == 14


def test_wxt_nan_ratio_cells_make_no_points(sample: Sample) -> None:
    parsed = read(sample("wxt_item_report_gb18030.csv"))
    points = list(parsed.points)
    # ten base metrics per row (impressions, clicks, spend, ad_gmv, ad_orders, the two
    # pre-sale columns, carts, item favourites, shop favourites), none from a nan ratio cell
    assert len(points) == 98 * 10
    assert all(p[7] == p[7] for p in points)  # no NaN value


def test_jd_jzt_daily(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("jd_jzt_promotion_daily_utf8.csv"))
    assert (parsed.format, parsed.rows) == ("jd_jzt_daily", 86)
    assert parsed.period == (date(2026, 8, 1), date(2026, 8, 14))
    load(store, parsed)
    # 总订单金额 / 总订单行 count orders as 京准通 does (placed, not paid): ad_order_gmv and
    # ad_order_lines, never ad_gmv / ad_orders (docs/metrics.md)
    metrics = ["spend", "ad_order_gmv", "ad_order_lines", "impressions", "clicks", "order_roi"]
    row = one(engine, *metrics)
    assert row["spend"] == pytest.approx(17350.19)
    assert row["ad_order_gmv"] == pytest.approx(168082.88)
    assert (row["ad_order_lines"], row["impressions"], row["clicks"]) == (274, 397053, 9539)
    assert round(row["order_roi"], 2) == 9.69
    paid = one(engine, "ad_gmv", "roi")
    assert (paid["ad_gmv"], paid["roi"]) == (None, None)  # no paid ad sales in this report
    unattributed = engine.query(["spend", "ad_order_gmv"], filters=Filters(sku="(none)"))[0]
    assert unattributed["spend"] == pytest.approx(9.60)  # the two '-' SKU rows, kept
    assert unattributed["ad_order_gmv"] == 0  # '-' order amounts count as 0 on this platform


def test_amazon_business_report_needs_a_day(sample: Sample) -> None:
    with pytest.raises(RejectedInput) as caught:
        read(sample("amazon_business_report_child.csv"))
    assert "no date column" in caught.value.message
    assert "--date" in (caught.value.hint or "")


def test_amazon_business_report_child(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("amazon_business_report_child.csv"), day=date(2026, 6, 18))
    assert (parsed.format, parsed.rows) == ("amazon_business_report_child", 40)
    assert parsed.period == (date(2026, 6, 18), date(2026, 6, 18))
    load(store, parsed)
    row = one(engine, "sessions", "pv", "units", "gmv", "orders", "unit_session_rate")
    assert row["sessions"] == 12844  # not 12844 + 221 B2B sessions
    assert row["pv"] == 17663
    assert row["units"] == 1118
    assert row["gmv"] == pytest.approx(40491.50)  # not + 237.40 B2B sales
    assert row["orders"] == 1105
    assert round(row["unit_session_rate"], 4) == 0.0870
    skus = {r["sku"]: r["sessions"] for r in total(engine, "sessions", by="sku")}
    assert len(skus) == 40
    assert skus["B00B8KKTWD"] == 0  # a real zero stays a zero


def test_shopify_sessions_over_time(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("shopify_sessions_over_time.csv"))
    assert (parsed.format, parsed.rows) == ("shopify_sessions_over_time", 30)
    assert parsed.period == (date(2026, 6, 1), date(2026, 6, 30))
    load(store, parsed)
    row = one(engine, "sessions", "uv", "cart_sessions", "checkouts", "converted_sessions")
    assert (row["sessions"], row["uv"]) == (38023, 32078)
    assert (row["cart_sessions"], row["checkouts"], row["converted_sessions"]) == (2728, 1292, 584)
    rate = one(engine, "session_conversion")["session_conversion"]
    assert round(rate, 4) == 0.0154
    assert by_day(engine, "sessions")["2026-06-01"] == 1052


def test_google_ads_campaign(store: Store, engine: MetricsEngine, sample: Sample) -> None:
    parsed = read(sample("google_ads_campaign.csv"))
    assert (parsed.format, parsed.rows, parsed.skipped) == ("google_ads_campaign", 110, 4)
    assert parsed.period == (date(2026, 6, 1), date(2026, 6, 30))
    load(store, parsed)
    row = one(engine, "spend", "impressions", "clicks", "conversions", "ad_gmv")
    assert row["spend"] == pytest.approx(7428.91)  # the Total rows (22286.73) are skipped
    assert (row["impressions"], row["clicks"]) == (1015883, 11197)
    assert row["conversions"] == pytest.approx(378.02)
    assert row["ad_gmv"] == pytest.approx(13422.27)
    remarketing = engine.query(
        ["spend"], by="day", filters=Filters(campaign="Display - Remarketing")
    )
    assert max(r["day"] for r in remarketing) <= "2026-06-20"  # no 0-filled days after


def test_broken_samples(sample: Sample) -> None:
    with pytest.raises(RejectedInput, match="empty file"):
        read(sample("broken_empty.csv"))
    with pytest.raises(RejectedInput) as caught:
        read(sample("broken_truncated_amazon_business_report.csv"), day=date(2026, 6, 18))
    assert caught.value.line == 25
    assert "cut off" in caught.value.message

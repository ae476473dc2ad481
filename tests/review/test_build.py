"""The review of constructed days: the driver of a GMV change, products, no-history stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsboard.errors import UsageError
from opsboard.review import build_review

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, traffic, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


def test_a_channel_traffic_fall_is_named_and_not_blamed_on_conversion(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, {"paid_search": 2000.0, "organic_search": 6000.0}))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.vs_last_week == pytest.approx(-0.2)
    assert gmv.median == pytest.approx(30_000.0)
    assert review.bridge is not None
    effects = {e.factor: e.amount for e in review.bridge.effects}
    assert sum(effects.values()) == pytest.approx(review.bridge.total)
    assert effects["traffic"] == pytest.approx(-6_000.0)
    assert effects["conversion"] == pytest.approx(0.0, abs=1e-6)
    assert effects["aov"] == pytest.approx(0.0, abs=1e-6)
    assert review.channels[0].key == "paid_search"
    assert review.channels[0].delta == pytest.approx(-2000.0)
    assert review.channels[0].share == pytest.approx(1.0)
    assert "conversion_down" not in {d.code for d in review.diagnoses}
    summary = " ".join(review.summary)
    assert "Mostly traffic" in summary
    assert "paid_search lost 2,000" in summary


def test_a_conversion_fall_with_flat_traffic_is_diagnosed(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, NORMAL, conversion=0.02))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.bridge is not None
    lead = max(review.bridge.effects, key=lambda e: abs(e.amount))
    assert lead.factor == "conversion"
    [finding] = [d for d in review.diagnoses if d.code == "conversion_down"]
    assert "price" in finding.remedy
    assert "stock" in finding.remedy


def test_products_explaining_the_change_are_ranked(shop: Shop) -> None:
    for day in [*HISTORY, DAY]:
        write(shop.store, traffic(day, 10_000, 0.03, 100.0))
    for day in HISTORY:
        write(shop.store, traffic(day, 1000, 0.05, 100.0, sku="681127000001"))
        write(shop.store, traffic(day, 1000, 0.05, 100.0, sku="681127000002"))
    write(shop.store, traffic(DAY, 400, 0.05, 100.0, sku="681127000001"))
    write(shop.store, traffic(DAY, 1200, 0.05, 100.0, sku="681127000002"))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [loser] = review.products["gmv_losers"]
    assert loser.key == "681127000001"
    assert loser.delta == pytest.approx(-3_000.0)
    assert loser.share == pytest.approx(1.0)
    [gainer] = review.products["uv_gainers"]
    assert gainer.key == "681127000002"
    assert gainer.delta == pytest.approx(200.0)


def test_a_new_store_without_history_reports_what_it_can(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.value == pytest.approx(30_000.0)
    assert gmv.vs_last_week is None
    assert gmv.median is None
    assert review.bridge is None
    assert any("no data for the same weekday" in line for line in review.cannot_tell)
    assert any("no ad data" in line for line in review.cannot_tell)


def test_a_day_without_data_says_so(shop: Shop) -> None:
    write(shop.store, channel_day(DAY - timedelta(days=1), NORMAL))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert all(m.value is None for m in review.headline)
    assert not review.day_has_data
    assert "No data for 2026-06-17; the latest data is for 2026-06-16." in review.summary
    assert any("there is no data for that day" in line for line in review.cannot_tell)
    assert review.diagnoses == ()


def test_a_configured_store_without_any_data(shop: Shop) -> None:
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert any("no data at all" in line for line in review.cannot_tell)


def test_unknown_store_and_future_day_are_usage_errors(shop: Shop) -> None:
    with pytest.raises(UsageError, match="unknown store 'nope'"):
        build_review(shop.runtime, shop.store, "nope", DAY)
    with pytest.raises(UsageError, match="in the future"):
        build_review(shop.runtime, shop.store, SHOP, DAY.replace(day=25))


def test_ratios_are_ratios_of_sums(shop: Shop) -> None:
    # Two SKUs only, no store total: conversion is 30 buyers / 1,100 visitors, not the
    # mean of 1% and 50%.
    write(shop.store, [day_point(DAY, "uv", 1000, sku="a"), day_point(DAY, "buyers", 10, sku="a")])
    write(shop.store, [day_point(DAY, "uv", 100, sku="b"), day_point(DAY, "buyers", 50, sku="b")])
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    conversion = review.figure("conversion_rate")
    assert conversion is not None
    assert conversion.value == pytest.approx(60 / 1100)


def test_a_day_not_over_is_not_compared_with_whole_days(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    today = DAY + timedelta(days=1)  # 14:30 on the frozen clock
    write(shop.store, channel_day(today, {"paid_search": 2000.0, "organic_search": 3000.0}))

    review = build_review(shop.runtime, shop.store, SHOP, today)

    gmv = review.figure("gmv")
    assert gmv is not None
    assert gmv.status == "partial"
    assert gmv.vs_last_week is None
    assert review.bridge is None
    assert any("is not over" in line for line in review.cannot_tell)

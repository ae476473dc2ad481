"""The review of constructed days: the driver of a GMV change, products, no-history stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsboard.errors import UsageError
from opsboard.review import build_review, render, yesterdays_reviews
from opsboard.review.lines import completeness_lines

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, hour_point, traffic, write

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
    assert "Visitors by channel: paid_search lost 2,000." in summary


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
    assert gmv.status == "so_far"
    assert gmv.vs_last_week is None
    assert review.bridge is None
    assert any("is not over" in line for line in review.cannot_tell)


def test_channel_shares_are_shares_of_losses_and_of_gains(shop: Shop) -> None:
    before = {"organic_search": 9639.0, "content": 2477.0, "direct": 3433.0, "other": 996.0}
    after = {"organic_search": 9397.0, "content": 2550.0, "direct": 3499.0, "other": 986.0}
    write(shop.store, channel_day(HISTORY[0], before))
    write(shop.store, channel_day(DAY, after))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    shares = {m.key: m.share for m in review.channels}
    assert shares["organic_search"] == pytest.approx(242 / 252)
    assert shares["other"] == pytest.approx(10 / 252)
    assert shares["content"] == pytest.approx(73 / 139)
    assert shares["direct"] == pytest.approx(66 / 139)
    assert (
        "Visitors by channel: organic_search lost 242 (96% of all channel losses), content "
        "gained 73 (53% of all channel gains)." in review.summary
    )
    text = render(review, "text")
    assert "organic_search 9,639 -> 9,397 (-242, 96% of all channel losses)" in text
    assert "content 2,477 -> 2,550 (+73, 53% of all channel gains)" in text
    assert "-18%" not in text
    assert "235%" not in text


def test_headline_figures_missing_from_the_data_are_explained(shop: Shop) -> None:
    for day in [HISTORY[0], DAY]:
        write(
            shop.store,
            [
                day_point(day, "uv", 5000),
                day_point(day, "spend", 300),
                day_point(day, "ad_gmv", 900),
            ],
        )

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.figure("gmv") is not None
    assert (
        "Conversion, Paying buyers, GMV, AOV: the day's data has no paying buyers or GMV; no "
        "source reported them for the day" in review.cannot_tell
    )
    assert "What this review cannot tell" in render(review, "text")


def test_a_day_without_data_is_not_a_store_without_ads(shop: Shop) -> None:
    for day in HISTORY[1:]:  # nothing last week either: no source is "missing"
        write(shop.store, channel_day(day, NORMAL))
        write(shop.store, [day_point(day, "spend", 900, campaign="c1")], source="ads")

    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert not any("no ad data" in line for line in review.cannot_tell)
    assert any("there is no data for that day" in line for line in review.cannot_tell)

    write(shop.store, channel_day(DAY, NORMAL))
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert (
        "ad performance: no ad data for 2026-06-17, though the store has ads on other days"
        in review.cannot_tell
    )


def test_the_median_says_how_many_weeks_it_covers(shop: Shop) -> None:
    write(shop.store, channel_day(HISTORY[0], NORMAL))
    write(shop.store, channel_day(DAY, NORMAL))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.median_weeks == 1
    assert (
        "a steady baseline: the median covers only 1 of the 4 weeks before (it is that one "
        "day's figure)" in review.cannot_tell
    )
    text = render(review, "text")
    assert "1-wk median" in text
    assert "the median of the same weekday over the 4 weeks before" not in text
    assert "4-week median" not in " ".join(review.summary)

    for day in HISTORY[1:]:
        write(shop.store, channel_day(day, NORMAL))
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert review.median_weeks == 4
    assert not any("steady baseline" in line for line in review.cannot_tell)
    assert "4-wk median" in render(review, "text")


def test_a_day_not_over_gets_no_whole_day_diagnoses_and_no_all_clear(shop: Shop) -> None:
    today = DAY + timedelta(days=1)  # 14:30 on the frozen clock
    for day in [*HISTORY, today]:
        write(
            shop.store,
            [hour_point(day, h, "uv", 400) for h in range(14)]
            + [hour_point(day, h, "buyers", 12) for h in range(14)],
        )
    write(
        shop.store,
        [
            day_point(today, "clicks", 80, sku="681127000009"),
            day_point(today, "spend", 240, sku="681127000009"),
            day_point(today, "ad_orders", 0, sku="681127000009"),
        ],
        source="ads",
    )

    review = build_review(shop.runtime, shop.store, SHOP, today)

    assert "clicks_no_orders" not in {d.code for d in review.diagnoses}
    assert any(
        "spend without orders" in n and "the day is not over" in n for n in review.not_assessed
    )
    assert not review.completeness.complete
    lines = completeness_lines(review)
    assert lines[0].startswith("the day is not over (data so far through 13:00-14:00)")
    assert not any("whole day" in line for line in lines)
    assert "No rule of thumb was broken." not in review.summary
    assert review.summary[0] == (
        "Thursday 2026-06-18 is not over: figures so far, not compared with whole days."
    )


def test_each_store_is_reviewed_for_its_own_yesterday(shop: Shop) -> None:
    shop.others = [{"name": "amazon-us", "timezone": "America/Los_Angeles"}]
    write(shop.store, channel_day(DAY, NORMAL))
    at = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai, 23:30 the day before in LA

    reviews = yesterdays_reviews(shop.runtime, shop.store, at=at)

    assert [(r.store, r.day.isoformat()) for r in reviews] == [
        (SHOP, "2026-06-17"),
        ("amazon-us", "2026-06-16"),
    ]
    assert not any(r.unfinished for r in reviews)

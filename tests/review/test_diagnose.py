"""Diagnoses from operator practice, each on a day built to break (or keep) one rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsboard.points import OTHER_TERMS, FinePoint, span_grain
from opsboard.review import build_review, render
from opsboard.review.model import Diagnosis, Review
from opsboard.timeutil import local_midnight

from .days import DAY, HISTORY, SHOP, TZ, Shop, channel_day, day_point, hour_point, traffic, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


def codes(review: Review) -> dict[str, list[Diagnosis]]:
    found: dict[str, list[Diagnosis]] = {}
    for diagnosis in review.diagnoses:
        found.setdefault(diagnosis.code, []).append(diagnosis)
    return found


def bounce_day(shop: Shop, jumped: float) -> None:
    for day in [*HISTORY, DAY]:
        write(shop.store, channel_day(day, NORMAL))
        for sku, rate in (("681127000001", 0.50), ("681127000002", 0.60)):
            if day == DAY and sku == "681127000001":
                rate = jumped
            write(
                shop.store,
                [
                    day_point(day, "uv", 400, sku=sku),
                    day_point(day, "bounces", 400 * rate, sku=sku),
                ],
            )


def test_a_sku_whose_bounce_jumped_is_named_with_the_detail_page(shop: Shop) -> None:
    bounce_day(shop, jumped=0.85)

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = codes(review)["detail_page_bounce"]
    assert finding.subject == "SKU 681127000001"
    assert "detail page" in finding.remedy
    assert any("85.00%" in e for e in finding.evidence)
    assert any("last week 50.00%" in e for e in finding.evidence)


def test_non_standard_categories_have_a_lower_bounce_limit(shop: Shop) -> None:
    bounce_day(shop, jumped=0.72)
    assert "detail_page_bounce" not in codes(build_review(shop.runtime, shop.store, SHOP, DAY))

    shop.config = {"category": "non_standard"}
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["detail_page_bounce"]
    assert finding.title == "Detail-page bounce above 70%"


def ads_day(shop: Shop, *, spend: float, ad_gmv: float, campaign: str = "c-search") -> None:
    for day in [*HISTORY, DAY]:
        write(shop.store, channel_day(day, NORMAL))
        write(
            shop.store,
            [
                day_point(day, "spend", spend, campaign=campaign),
                day_point(day, "ad_gmv", ad_gmv, campaign=campaign),
            ],
            source="ads",
        )


def test_roi_below_break_even_is_a_problem(shop: Shop) -> None:
    shop.config = {"margin": 0.4}  # break-even ROI 2.5
    ads_day(shop, spend=1000, ad_gmv=1500)

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = codes(review)["roi_below_break_even"]
    assert finding.subject == "campaign c-search"
    assert "bids" in finding.remedy
    assert "keywords" in finding.remedy
    assert "crowd" in finding.remedy
    assert finding in review.problems


def test_a_strategic_loss_is_shown_not_flagged(shop: Shop) -> None:
    shop.config = {"margin": 0.4, "strategic_loss_campaigns": ["c-search"]}
    ads_day(shop, spend=1000, ad_gmv=1500)

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    found = codes(review)
    assert "roi_below_break_even" not in found
    [note] = found["strategic_loss"]
    assert note.severity == "info"
    assert note not in review.problems
    assert any("Strategic loss" in line for line in review.summary)


def test_roi_above_break_even_and_unknown_margin(shop: Shop) -> None:
    ads_day(shop, spend=1000, ad_gmv=3000)
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert any("no margin configured" in line for line in review.cannot_tell)

    shop.config = {"margin": 0.4}
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert "roi_below_break_even" not in codes(review)


def spend_hours(shop: Shop, per_hour: list[float], budget: float) -> None:
    shop.config = {"daily_budget": budget}
    for day in [*HISTORY, DAY]:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, [hour_point(DAY, h, "spend", v) for h, v in enumerate(per_hour)], "ads")


def test_a_budget_exhausted_before_the_evening_peak(shop: Shop) -> None:
    spend_hours(shop, [200.0] * 12 + [0.0] * 12, budget=2400)

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = codes(review)["budget_exhausted"]
    assert finding.subject == "store"
    assert "spend stopped at 12:00 with 2,400.00 of the 2,400.00 budget spent (100%)" in (
        finding.evidence
    )
    assert "schedule" in finding.remedy
    assert "budget" in finding.remedy
    assert review.hourly_spend[-1].cumulative == pytest.approx(2400)


def test_a_budget_that_lasts_the_day_is_fine(shop: Shop) -> None:
    spend_hours(shop, [100.0] * 24, budget=2400)
    assert "budget_exhausted" not in codes(build_review(shop.runtime, shop.store, SHOP, DAY))


def test_a_campaign_budget_from_the_config(shop: Shop) -> None:
    shop.config = {"budgets": {"c-display": 500}}
    write(shop.store, channel_day(DAY, NORMAL))
    write(
        shop.store,
        [
            hour_point(DAY, h, "spend", 100.0 if h < 5 else 0.0, campaign="c-display")
            for h in range(24)
        ],
        "ads",
    )
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["budget_exhausted"]
    assert finding.subject == "campaign c-display"
    assert any(e.startswith("spend stopped at 05:00") for e in finding.evidence)


def test_spend_on_a_sku_with_clicks_and_no_orders(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    for sku, orders in (("681127000009", 0.0), ("681127000001", 6.0)):
        write(
            shop.store,
            [
                day_point(DAY, "clicks", 80, sku=sku),
                day_point(DAY, "spend", 240, sku=sku),
                day_point(DAY, "ad_orders", orders, sku=sku),
                day_point(DAY, "impressions", 1000, sku=sku),
            ],
            "ads",
        )
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["clicks_no_orders"]
    assert finding.subject == "SKU 681127000009"
    assert "negative keywords" in finding.remedy
    assert "pause" in finding.remedy


def test_a_main_image_ctr_below_target(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    for sku, clicks in (("681127000003", 300.0), ("681127000004", 900.0)):
        write(
            shop.store,
            [
                day_point(DAY, "impressions", 10_000, sku=sku),
                day_point(DAY, "clicks", clicks, sku=sku),
            ],
            "ads",
        )
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["low_ctr"]
    assert finding.subject == "SKU 681127000003"
    assert finding.title == "Main-image CTR below 6%"
    assert "main image" in finding.remedy


def _campaign_ctr(shop: Shop, campaign: str, channel: str, clicks: float) -> None:
    write(
        shop.store,
        [
            day_point(DAY, "impressions", 20_000, campaign=campaign, channel=channel),
            day_point(DAY, "clicks", clicks, campaign=campaign, channel=channel),
        ],
        "ads",
    )


def test_only_search_campaigns_are_held_to_the_ctr_target(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    _campaign_ctr(shop, "crowd-prospect", "display", 240.0)  # 1.2%: normal for display
    _campaign_ctr(shop, "tbk-cps", "affiliate", 300.0)
    _campaign_ctr(shop, "kw-generic", "paid_search", 500.0)  # 2.5% on a search ad
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["low_ctr"]
    assert finding.subject == "campaign kw-generic"


def test_an_amazon_store_is_not_held_to_a_taobao_ctr_target(shop: Shop) -> None:
    shop.config = {"platform": "amazon"}
    write(shop.store, channel_day(DAY, NORMAL))
    _campaign_ctr(shop, "sp-auto", "paid_search", 80.0)  # 0.4%: normal on Amazon
    assert "low_ctr" not in codes(build_review(shop.runtime, shop.store, SHOP, DAY))


def test_a_steady_day_breaks_no_rule(shop: Shop) -> None:
    for day in [*HISTORY, DAY]:
        write(shop.store, traffic(day, 10_000, 0.03, 100.0))
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    assert review.diagnoses == ()
    assert "No rule of thumb was broken." in review.summary


def test_one_problem_on_several_items_is_one_diagnosis(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    for sku, bounced in (("681127000001", 360.0), ("681127000002", 320.0)):
        write(
            shop.store,
            [day_point(DAY, "uv", 400, sku=sku), day_point(DAY, "bounces", bounced, sku=sku)],
        )

    [finding] = build_review(shop.runtime, shop.store, SHOP, DAY).diagnoses

    assert finding.subject == "2 SKUs: 681127000001, 681127000002"
    assert finding.evidence[0].startswith("SKU 681127000001: bounce rate 90.00%")
    assert finding.evidence[1].startswith("SKU 681127000002: bounce rate 80.00%")


def test_store_bounce_when_no_item_has_a_bounce_rate(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    write(shop.store, [day_point(DAY, "bounces", 8000), day_point(DAY, "gmv", 10, sku="x")])
    [finding] = build_review(shop.runtime, shop.store, SHOP, DAY).diagnoses
    assert (finding.code, finding.subject) == ("detail_page_bounce", "store")
    assert finding.evidence[0] == "bounce rate 80.00% on 10,000 visitors"


def test_a_budget_raised_at_noon_is_not_exhausted(shop: Shop) -> None:
    spend_hours(shop, [200.0] * 24, budget=2400)
    assert "budget_exhausted" not in codes(build_review(shop.runtime, shop.store, SHOP, DAY))


def restated_campaign_day(shop: Shop, per_hour: list[float]) -> Review:
    """A campaign with a 4,000 budget in the data and the given hourly spend, beside a
    brand campaign that spends all day."""
    for day in [*HISTORY, DAY]:
        write(shop.store, channel_day(day, NORMAL))
    write(
        shop.store,
        [hour_point(DAY, h, "spend", v, campaign="kw-generic") for h, v in enumerate(per_hour)]
        + [hour_point(DAY, h, "spend", 50.0, campaign="kw-brand") for h in range(24)]
        + [
            day_point(DAY, "budget", 4000, campaign="kw-generic"),
            day_point(DAY, "budget", 2000, campaign="kw-brand"),
        ],
        "ads",
    )
    return build_review(shop.runtime, shop.store, SHOP, DAY)


def test_spend_that_stopped_near_the_budget_is_exhausted_after_restatement(shop: Shop) -> None:
    # 3,757 of 4,000 by 18:00 (the platform refunded invalid clicks), then nothing.
    review = restated_campaign_day(shop, [3757 / 18] * 18 + [0.0] * 6)

    [finding] = codes(review)["budget_exhausted"]
    assert finding.subject == "campaign kw-generic"
    assert "spend stopped at 18:00 with 3,757.00 of the 4,000.00 budget spent (94%)" in (
        finding.evidence
    )
    assert "0.00 spent from 18:00 to midnight, through the evening peak (20:00-24:00)" in (
        finding.evidence
    )
    assert "dayparting" in finding.remedy


def test_spend_that_fell_to_a_trickle_counts_as_stopped(shop: Shop) -> None:
    review = restated_campaign_day(shop, [3700 / 16] * 16 + [5.0] * 8)
    [finding] = codes(review)["budget_exhausted"]
    assert any(e.startswith("spend stopped at 16:00") for e in finding.evidence)


def test_a_plan_that_ends_early_far_below_its_budget_is_not_exhausted(shop: Shop) -> None:
    review = restated_campaign_day(shop, [3000 / 18] * 18 + [0.0] * 6)  # 75% of the budget
    assert "budget_exhausted" not in codes(review)


def test_incomplete_data_is_not_an_all_clear(shop: Shop) -> None:
    figures = (("uv", 400), ("buyers", 12), ("bounces", 100))
    for day in HISTORY:
        write(shop.store, [hour_point(day, h, m, v) for h in range(24) for m, v in figures])
    write(shop.store, [hour_point(DAY, h, m, v) for h in range(18) for m, v in figures])

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert review.diagnoses == ()
    assert "No rule of thumb was broken." not in review.summary
    assert "diagnoses not assessed: detail-page bounce (data incomplete for bounces, uv)" in (
        review.cannot_tell
    )
    assert "diagnoses not assessed: conversion drop (data incomplete for buyers, uv)" in (
        review.cannot_tell
    )
    text = render(review, "text")
    assert "no rule of thumb was broken" not in text
    assert "none: diagnoses not assessed: detail-page bounce (data incomplete" in text


def ctr_and_loss_day(shop: Shop) -> None:
    """A day with low CTR on SKUs and campaigns and one campaign below break-even."""
    # An Amazon-like day: low CTR everywhere (SKU and campaign rows are the same ad
    # impressions), one campaign losing money below break-even.
    shop.config = {"margin": 0.4}  # break-even ROI 2.5
    write(shop.store, traffic(DAY, 9000, 0.10, 36.0))  # GMV 32,400
    rows = []
    for campaign, spend, sales, shown, clicks in (
        ("sd-retarget", 600.0, 600.0, 133_000, 390),
        ("sp-auto", 350.0, 1600.0, 112_000, 420),
    ):
        for sku in ("B01", "B02"):
            rows += [
                day_point(DAY, "impressions", shown / 2, campaign=campaign, sku=sku),
                day_point(DAY, "clicks", clicks / 2, campaign=campaign, sku=sku),
                day_point(DAY, "spend", spend / 2, campaign=campaign, sku=sku),
                day_point(DAY, "ad_gmv", sales / 2, campaign=campaign, sku=sku),
                day_point(DAY, "ad_orders", sales / 72, campaign=campaign, sku=sku),
            ]
    write(shop.store, rows, "ads")


def test_money_at_stake_ranks_a_real_loss_above_a_ctr_gap(shop: Shop) -> None:
    ctr_and_loss_day(shop)

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    found = codes(review)
    [ctr] = found["low_ctr"]  # items and campaigns: one finding, counted once
    assert ctr.title == "Main-image and ad CTR below 6%"
    [loss] = found["roi_below_break_even"]
    assert loss.impact == pytest.approx(600 - 600 / 2.5)
    assert [d.code for d in review.problems] == ["roi_below_break_even", "low_ctr"]
    gmv = 9000 * 0.10 * 36.0
    assert all(0 <= d.impact <= gmv for d in review.diagnoses)
    assert 0 < ctr.impact < loss.impact
    assert "about 360.00 CNY at stake: spend its sales' margin did not pay back" in loss.evidence


def _terms(shop: Shop, first: date, days: int, rows: list[tuple[str, float, float, float]]) -> None:
    """Search-term figures of campaign c-search over ``days`` days from ``first`` (a span
    when more than one day), as a term report gives them."""
    grain = "day" if days == 1 else span_grain(days)
    ts = int(local_midnight(first, TZ).timestamp())
    with shop.store.batch(source="ads", origin="ads-test") as batch:
        batch.add_fine(
            FinePoint(SHOP, grain, ts, "paid_search", "c-search", "", metric, value, term=term)
            for term, spend, clicks, orders in rows
            for metric, value in (("spend", spend), ("clicks", clicks), ("ad_orders", orders))
        )


def test_search_terms_with_spend_and_no_orders_are_listed_by_spend(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    _terms(
        shop,
        DAY,
        1,
        [
            ("cheap blender", 40.0, 12.0, 0.0),
            ("blender", 90.0, 30.0, 4.0),  # sells
            ("free blender", 75.5, 20.0, 0.0),
            ("blender manual", 3.0, 1.0, 0.0),  # too few clicks to say anything
            (OTHER_TERMS, 500.0, 100.0, 0.0),  # the unlisted rest is no term to negate
        ],
    )
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["terms_no_orders"]
    assert finding.subject == f"2 search terms, spend 115.50 ({DAY})"
    assert finding.evidence[:2] == (
        "“free blender”: spend 75.50, 20 clicks, no orders",
        "“cheap blender”: spend 40.00, 12 clicks, no orders",
    )
    assert finding.evidence[2] == "about 115.50 CNY at stake: spend on search terms with no orders"
    assert "negative keywords" in finding.remedy


def test_a_month_of_search_terms_counts_per_day_of_the_month(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    first = DAY - timedelta(days=29)
    _terms(shop, first, 30, [("free blender", 300.0, 60.0, 0.0)])
    [finding] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["terms_no_orders"]
    window = DAY - timedelta(days=30)
    assert finding.subject == f"1 search term, spend 300.00 ({window} .. {DAY})"
    # On the day's scale: a 31-day window's spend counts a 31st of it.
    assert finding.impact == pytest.approx(300.0 / 31)


def test_the_ctr_remedy_reads_as_chinese_sentences(shop: Shop) -> None:
    from opsboard import i18n

    ctr_and_loss_day(shop)
    i18n.set_language("zh-CN")
    try:
        [ctr] = codes(build_review(shop.runtime, shop.store, SHOP, DAY))["low_ctr"]
    finally:
        i18n.set_language("en")
    assert "。" in ctr.remedy
    assert "。 " not in ctr.remedy
    assert "；" in ctr.subject

"""The review names plans and products as the platform does, beside their ids."""

from __future__ import annotations

from opsboard.review import build_review, render

from .days import DAY, SHOP, Shop, channel_day, day_point, hour_point, write
from .test_diagnose import NORMAL, ads_day, bounce_day


def test_the_review_names_the_plan_below_break_even(shop: Shop) -> None:
    shop.config = {"margin": 0.4}  # break-even ROI 2.5
    ads_day(shop, spend=1000, ad_gmv=1500)
    with shop.store.batch(source="ads", origin="test", store=SHOP) as batch:
        batch.add_names({(SHOP, "campaign", "c-search"): "春季新品推广"})

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = [d for d in review.diagnoses if d.code == "roi_below_break_even"]
    assert finding.subject == "campaign 春季新品推广 (c-search)"
    for fmt in ("text", "markdown", "html"):
        assert "春季新品推广 (c-search)" in render(review, fmt), fmt


def test_the_review_names_products(shop: Shop) -> None:
    bounce_day(shop, jumped=0.9)
    write(shop.store, [day_point(DAY, "gmv", 100, sku="681127000001")])
    with shop.store.batch(source="sycm", origin="test", store=SHOP) as batch:
        batch.add_names({(SHOP, "sku", "681127000001"): "示例绞肉机 家用电动"})

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = [d for d in review.diagnoses if d.code == "detail_page_bounce"]
    assert finding.subject == "SKU 示例绞肉机 家用电动 (681127000001)"
    assert "示例绞肉机 家用电动 (681127000001)" in render(review, "text")


def test_a_plan_whose_budget_ran_out_is_named(shop: Shop) -> None:
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
    with shop.store.batch(source="ads", origin="test", store=SHOP) as batch:
        batch.add_names({(SHOP, "campaign", "c-display"): "人群推广_老客召回"})

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    [finding] = [d for d in review.diagnoses if d.code == "budget_exhausted"]
    assert finding.subject == "campaign 人群推广_老客召回 (c-display)"

"""The metrics the Chinese exports carry, each under a name of one definition (docs/metrics.md):
favourites and cart adds as people and as pieces, their 万相台 costs, pre-sale ad GMV, new
and returning buyers, 商品详情页跳出率 as its own metric (and the built-in detail-page rule
reading it per SKU), orders apart from sub-orders, refunds apart from refund requests, and
the 京准通 order amounts apart from paid ad sales. Checked through ``opsboard ingest`` and
``opsboard query --format json``, on files in each real layout."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from csv_formats.support import FORMATS, csv_text, load, read
from csv_formats.test_real_quirks import answer
from opsboard.alerts.engine import AlertEngine
from opsboard.config.builtin_rules import DEFAULT_RULES
from opsboard.config.models import Settings
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
#: 生意参谋 商品排行 as an operator re-saves it from Excel: GBK, 4 description rows, 38 columns.
ITEM_RANK = FORMATS / "【生意参谋平台】商品_全部_2026-06-17_2026-06-17.csv"
#: 生意参谋 自助取数 (store by day) with both order counts and both refund amounts.
STORE_DAILY = FORMATS / "生意参谋_自助取数_店铺_2026-06-17_2026-06-18.csv"
JUNE_17 = ("--from", "2026-06-17", "--to", "2026-06-17")


def by_sku(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Query rows keyed by their SKU."""
    return {row.pop("sku"): row for row in rows}


def test_every_new_metric_is_a_base_or_derived_metric_of_one_definition() -> None:
    for name in ("sub_orders", "refund_requests", "favorite_buyers", "shop_follows",
                 "cart_buyers", "cart_units", "new_buyers", "returning_buyers",
                 "detail_bounces", "presale_ad_gmv", "presale_ad_orders", "ad_order_gmv",
                 "ad_order_lines", "ad_order_count"):  # fmt: skip
        assert name in BASE_METRICS, name
    assert (DERIVED_METRICS["detail_bounce_rate"].numerator, "uv") == ("detail_bounces", "uv")
    assert DERIVED_METRICS["cart_cost"].denominator == "cart_adds"
    assert DERIVED_METRICS["favorite_cost"].denominator == "favorites"
    assert DERIVED_METRICS["order_roi"].numerator == "ad_order_gmv"


def test_item_rank_detail_page_bounce_people_and_pieces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert read(ITEM_RANK).format == "sycm_item_rank"
    metrics = ["uv", "detail_bounces", "detail_bounce_rate", "bounce_rate", "favorite_buyers",
               "cart_buyers", "cart_units", "new_buyers", "returning_buyers",
               "refunds"]  # fmt: skip
    skus = by_sku(answer(capsys, tmp_path / "o.db", [ITEM_RANK], metrics, "--by", "sku", *JUNE_17))
    first = skus["741747883413"]
    # 82.00% x 1,203 visitors = 986.46: 986 item-page bounces, the rate a ratio of sums again
    assert (first["uv"], first["detail_bounces"]) == (1203, 986)
    assert first["detail_bounce_rate"] == pytest.approx(986 / 1203, abs=1e-5)
    assert first["bounce_rate"] is None  # 商品详情页跳出率 is never 跳失率
    assert (first["favorite_buyers"], first["cart_buyers"], first["cart_units"]) == (30, 55, 72)
    assert (first["new_buyers"], first["returning_buyers"], first["refunds"]) == (29, 12, 120.5)
    assert skus["681127000002"]["detail_bounce_rate"] == pytest.approx(0.72)
    assert skus["681127000002"]["new_buyers"] is None  # '-' is no figure, not 0


def test_store_daily_keeps_each_definition_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics = ["orders", "sub_orders", "refunds", "refund_requests", "new_buyers",
               "returning_buyers", "favorite_buyers", "cart_buyers", "cart_units"]  # fmt: skip
    rows = answer(capsys, tmp_path / "o.db", [STORE_DAILY], metrics, "--by", "day",
                  "--from", "2026-06-17", "--to", "2026-06-18")  # fmt: skip
    assert rows == [
        {"day": "2026-06-17", "orders": 110, "sub_orders": 133, "refunds": 310,
         "refund_requests": 1205.5, "new_buyers": 71, "returning_buyers": 32,
         "favorite_buyers": 88, "cart_buyers": 160, "cart_units": 214},
        {"day": "2026-06-18", "orders": 350, "sub_orders": 402, "refunds": None,
         "refund_requests": 3980, "new_buyers": 240, "returning_buyers": 97,
         "favorite_buyers": 260, "cart_buyers": 512, "cart_units": 690},
    ]  # fmt: skip


def test_the_store_sample_has_sub_orders_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLES / "sycm_store_traffic_daily_gbk.csv"
    rows = answer(capsys, tmp_path / "o.db", [sample], ["uv", "orders", "sub_orders"],
                  "--from", "2026-06-01", "--to", "2026-06-30")  # fmt: skip
    assert rows[0]["uv"] == 105010  # the README's figure, unchanged
    assert rows[0]["orders"] is None  # 支付子订单数 is not a count of orders
    assert rows[0]["sub_orders"] > 0


def test_wxt_item_report_favourites_carts_and_their_costs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLES / "wxt_item_report_gb18030.csv"
    metrics = ["spend", "cart_adds", "favorites", "shop_follows", "cart_cost",
               "favorite_cost", "presale_ad_gmv", "ad_gmv", "roi"]  # fmt: skip
    [row] = answer(capsys, tmp_path / "o.db", [sample], metrics,
                   "--from", "2026-06-12", "--to", "2026-06-18")  # fmt: skip
    assert (row["cart_adds"], row["favorites"], row["shop_follows"]) == (4888, 724, 32)
    # 加购成本 = 花费 / 总购物车数 and 宝贝收藏成本 = 花费 / 收藏宝贝数, as ratios of sums
    assert row["cart_cost"] == pytest.approx(60698.64 / 4888, abs=0.01)
    assert row["favorite_cost"] == pytest.approx(60698.64 / 724, abs=0.01)
    assert row["presale_ad_gmv"] == 0  # no pre-sale in the sample week: 0, not missing
    assert (row["ad_gmv"], round(row["roi"], 2)) == (pytest.approx(256082.38), 4.22)


def test_wxt_plan_report_pre_sale_is_kept_apart(tmp_path: Path, store: Store) -> None:
    header = ["日期", "场景ID", "场景名字", "计划ID", "计划名字", "展现量", "点击量", "花费",
              "总预售成交金额", "总预售成交笔数", "总成交金额", "总成交笔数", "总购物车数",
              "收藏宝贝数", "收藏店铺数"]  # fmt: skip
    path = tmp_path / "计划报表_20261111_090000.csv"
    path.write_bytes(csv_text([
        header,
        ["2026-11-10", "24114", "关键词推广", "77012000056", "双11预售", "20000", "800",
         "1200.00", "5600.00", "14", "2400.00", "8", "150", "60", "5"],
    ]).encode("gb18030"))  # fmt: skip
    parsed = read(path)
    assert parsed.format == "wxt_plan_report"
    load(store, parsed)
    values = {p[6]: p[7] for p in read(path).points}
    assert values["presale_ad_gmv"] == 5600.0  # deposits and balances of pre-sale orders
    assert values["presale_ad_orders"] == 14
    assert values["ad_gmv"] == 2400.0  # 总成交金额 never includes them


def test_jd_jzt_order_amounts_are_not_paid_ad_sales(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLES / "jd_jzt_promotion_daily_utf8.csv"
    metrics = ["spend", "ad_order_gmv", "ad_order_lines", "order_roi", "ad_gmv", "roi"]
    [row] = answer(capsys, tmp_path / "o.db", [sample], metrics,
                   "--from", "2026-08-01", "--to", "2026-08-14")  # fmt: skip
    assert row["ad_order_gmv"] == pytest.approx(168082.88)  # the README's sum of 总订单金额
    assert row["ad_order_lines"] == 274
    assert round(row["order_roi"], 2) == 9.69
    assert (row["ad_gmv"], row["roi"]) == (None, None)  # not like for like with Tmall's ROI


def test_pdd_star_shop_item_favourites_and_shop_follows() -> None:
    values = {p[6]: p[7] for p in read(FORMATS / "拼多多_明星店铺_数据汇总.csv").points}
    assert (values["favorites"], values["shop_follows"]) == (5, 3)


def detail_page_rule() -> dict[str, Any]:
    """The built-in detail-page bounce rule, as shipped."""
    return next(dict(r) for r in DEFAULT_RULES if r["name"] == "detail-page-bounce")


@pytest.mark.parametrize(
    ("category", "firing"),
    [
        ("standard", ["sku:741747883413"]),  # 82% > 75%
        ("non_standard", ["sku:681127000002", "sku:741747883413"]),  # 72% > 70% as well
    ],
)
def test_the_detail_page_rule_fires_per_sku_from_the_item_rank(
    store: Store, category: str, firing: list[str]
) -> None:
    load(store, read(ITEM_RANK, store="tmall"))
    rule = detail_page_rule()
    assert rule["metric"] == "detail_bounce_rate"
    settings = Settings.model_validate(
        {
            "alerts": {"use_defaults": False, "group_wait": 0, "rules": [rule]},
            "stores": [{"name": "tmall", "category": category}],
        }
    )
    # the rule's window is the local day: judged at 22:00 on the export's day
    clock = FrozenClock(datetime(2026, 6, 17, 14, 0, tzinfo=UTC))
    events = AlertEngine(store, settings, clock).evaluate().events
    # 681127000003 bounces 90% with 150 visitors: under the rule's 200, never judged
    assert sorted(e.scope for e in events if e.event == "firing") == firing
    assert all(e.rule == "detail-page-bounce" for e in events)


def test_taobaoke_carts_and_favourites_are_counts(tmp_path: Path) -> None:
    header = ["日期", "数据内容", "点击量(即进店量)", "付款金额(元)", "付款笔数",
              "付款支出费用(元)", "添加购物车量", "收藏宝贝量"]  # fmt: skip
    rows = [header, ["2026-06-17", "店铺整体", "1,000", "12,000.00", "120", "1,200.00", "85", "31"]]
    path = tmp_path / "淘宝联盟_推广概览_分天.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    values = {p[6]: p[7] for p in read(path).points}
    assert (values["cart_adds"], values["favorites"]) == (85, 31)

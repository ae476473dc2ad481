"""Every other format in FORMATS.md, from hand-made files with figures checked by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csv_formats.support import FORMATS, csv_text, load, one, read, total, xlsx_bytes
from opsboard.errors import RejectedInput
from opsboard.query.engine import MetricsEngine
from opsboard.storage import Store

JUNE_18 = date(2026, 6, 18)


def sums(path: Path, **options: object) -> dict[str, float]:
    """The sum of each metric's points in the file at ``path``."""
    out: dict[str, float] = {}
    for point in read(path, **options).points:  # type: ignore[arg-type]
        out[point[6]] = round(out.get(point[6], 0.0) + point[7], 2)
    return out


def test_sycm_item_rank_xlsx_with_description_rows(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    rows: list[list[str | int | float | None]] = [
        ["【生意参谋平台】商品排行"],
        ["统计时间：2026-06-18 ~ 2026-06-18"],
        ["终端：所有终端"],
        [None],
        ["统计日期", "商品ID", "商品名称", "商品访客数", "商品浏览量", "商品详情页跳出率",
         "商品收藏人数", "商品加购人数", "下单买家数", "支付买家数", "支付件数", "支付金额",
         "成功退款金额"],
        ["2026-06-18", 741747883413, "示例绞肉机", 1203, 2881, 0.6, 30, 55, 48, 41, 43,
         5652.0, 120.5],
        ["2026-06-18", "681127000001", "示例保温杯", 88, 120, "-", 1, 2, "-", "-", "-", "-",
         "-"],
    ]  # fmt: skip
    path = tmp_path / "【生意参谋平台】商品_全部_2026-06-18_2026-06-18.xls"
    path.write_bytes(xlsx_bytes(rows, sheet="【生意参谋平台】1"))
    parsed = read(path)
    assert (parsed.format, parsed.rows, parsed.skipped) == ("sycm_item_rank", 2, 4)
    load(store, parsed)
    skus = {r["sku"]: r for r in total(engine, "uv", "gmv", "buyers", by="sku")}
    assert set(skus) == {"741747883413", "681127000001"}  # twelve-digit ids stay text
    assert skus["741747883413"]["gmv"] == 5652.0
    assert skus["681127000001"]["buyers"] is None  # '-' is missing, not 0
    assert one(engine, "uv")["uv"] == 1291


def test_sycm_traffic_source_dates_from_the_file_name(store: Store, engine: MetricsEngine) -> None:
    parsed = read(FORMATS / "【生意参谋平台】无线店铺流量来源-2026-06-18_2026-06-18.csv")
    assert parsed.format == "sycm_traffic_source"
    assert parsed.period == (JUNE_18, JUNE_18)
    assert (parsed.rows, parsed.skipped) == (9, 5)
    load(store, parsed)
    channels = {r["channel"]: r["uv"] for r in total(engine, "uv", by="channel")}
    # 淘内免费's sources are search and the feed: apart. 自主访问's 汇总 row (800) is the
    # direct channel's own figure, its listed source 购物车 (500) lies below it.
    assert channels == {
        "organic_search": 3000,
        "recommendation": 2000,
        "paid_search": 1200,
        "direct": 800,
        "other": 80,
    }
    sources = {r["source"]: r["uv"] for r in total(engine, "uv", by="source")}
    assert sources == {"手淘搜索": 3000, "手淘推荐": 2000, "万相台无界": 1200, "购物车": 500}
    assert one(engine, "uv")["uv"] == 3000 + 2000 + 1200 + 800 + 80
    favorites = {
        r["channel"]: r["favorite_buyers"] for r in total(engine, "favorite_buyers", by="channel")
    }
    assert favorites  # 商品收藏人数 is people: favorite_buyers
    assert "direct" not in favorites  # its 商品收藏人数 is "-": no point, not 0


def test_sycm_traffic_source_dates_from_its_title_rows(tmp_path: Path) -> None:
    # Renamed on download: the day is still in its 统计时间 title row.
    path = tmp_path / "traffic.csv"
    path.write_bytes(
        (FORMATS / "【生意参谋平台】无线店铺流量来源-2026-06-18_2026-06-18.csv").read_bytes()
    )
    parsed = read(path)
    assert parsed.format == "sycm_traffic_source"
    assert parsed.period == (JUNE_18, JUNE_18)


def test_sycm_traffic_source_over_several_days_is_a_span(tmp_path: Path) -> None:
    source = FORMATS / "【生意参谋平台】无线店铺流量来源-2026-06-18_2026-06-18.csv"
    path = tmp_path / "【生意参谋平台】无线店铺流量来源-2026-06-01_2026-06-30.csv"
    path.write_bytes(source.read_bytes())
    june = (date(2026, 6, 1), date(2026, 6, 30))
    parsed = read(path)
    assert (parsed.period, parsed.spans) == (None, [june])
    assert {p[1] for p in list(parsed.points)} == {"span:30"}
    # --date never puts a span on one day: the file's own range wins, or it is an error.
    within = read(path, day=JUNE_18)
    assert (within.period, within.spans) == (None, [june])
    assert any("--date 2026-06-18 was not used" in n for n in within.notices)
    with pytest.raises(RejectedInput, match="--date 2026-07-05 is not in it"):
        read(path, day=date(2026, 7, 5))


def test_wxt_plan_report(store: Store, engine: MetricsEngine) -> None:
    parsed = read(FORMATS / "计划报表_20260619_110309.csv")
    assert (parsed.format, parsed.rows) == ("wxt_plan_report", 4)
    load(store, parsed)
    row = one(engine, "spend", "ad_gmv", "roi")
    assert row["spend"] == pytest.approx(3736.00)
    assert row["roi"] == pytest.approx(11038.49 / 3736.00)
    campaigns = {r["campaign"] for r in total(engine, "spend", by="campaign")}
    assert campaigns == {"77012000056", "77012000337", "77012000999"}


def test_ztc_legacy_needs_a_day_and_reads_yuan_signs(store: Store, engine: MetricsEngine) -> None:
    path = FORMATS / "直通车_推广计划报表.csv"
    with pytest.raises(RejectedInput, match="no date column"):
        read(path)
    parsed = read(path, day=JUNE_18)
    assert parsed.format == "ztc_legacy"
    load(store, parsed)
    plans = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert plans == {"日常计划": pytest.approx(1300.00), "大促计划": 0}  # '-' means 0 here


def test_ylmf_display_report() -> None:
    assert sums(FORMATS / "引力魔方_计划报表.csv") == {
        "impressions": 240000,
        "clicks": 2600,
        "spend": 5000.0,
        "ad_gmv": 14000.0,
        "ad_orders": 67,
    }
    channels = {p[3] for p in read(FORMATS / "引力魔方_计划报表.csv").points}
    assert channels == {"display"}


def test_taobaoke_overview_conversion_above_100_percent() -> None:
    parsed = read(FORMATS / "淘宝联盟_推广概览_分天.csv")
    assert parsed.format == "taobaoke_overview"
    points = list(parsed.points)
    assert {p[3:6] for p in points} == {("affiliate", "", "")}  # 店铺整体 is the store
    assert sums(FORMATS / "淘宝联盟_推广概览_分天.csv")["spend"] == 2500.0


JD_SKU_HEADER = ["时间", "SKU", "SKU名称", "商品浏览量", "商品访客数", "加购客户数", "下单客户数",
                 "成交客户数", "成交单量", "成交金额", "成交商品件数"]  # fmt: skip


def test_jd_sz_sku_xlsx_skips_the_total_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        list(JD_SKU_HEADER),
        ["2026-06-18", "100017569947", "净水器", 500, 300, 20, 10, 8, 8, 3200.0, 9],
        ["2026-06-18", "100058657964", "切肉机", 200, 150, 5, 3, 2, 2, 1600.0, 2],
        ["2026-06-18", "合计", "合计", 700, 450, 25, 13, 10, 10, 4800.0, 11],
    ]
    path = tmp_path / "12345_商品明细_离线_不包括对比时间_分天下载_2026-06-18_2026-06-18.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    parsed = read(path)
    assert (parsed.format, parsed.rows, parsed.skipped) == ("jd_sz_sku", 2, 1)
    assert sums(path) == {
        "pv": 700, "uv": 450, "cart_buyers": 25, "order_buyers": 13, "buyers": 10,
        "orders": 10, "gmv": 4800.0, "units": 11,
    }  # fmt: skip


def test_jd_sz_spu_and_mixed_grains(tmp_path: Path) -> None:
    spu: list[list[object]] = [
        ["时间", "SPU", "SPU名称", "商品访客数", "成交金额"],
        ["2026-06-18", "10001", "净水器系列", 300, 3200.0],
    ]
    path = tmp_path / "spu.xlsx"
    path.write_bytes(xlsx_bytes(spu))
    assert read(path).format == "jd_sz_spu"
    both: list[list[object]] = [
        ["时间", "SKU", "SKU名称", "SPU", "SPU名称", "商品访客数", "成交金额"],
        ["2026-06-18", "100017569947", "净水器", "10001", "净水器系列", 300, 3200.0],
    ]
    path.write_bytes(xlsx_bytes(both))
    with pytest.raises(RejectedInput, match="both SKU and SPU") as caught:
        read(path)
    assert caught.value.line == 1


def test_jd_sz_shop_bounces_from_the_rate(tmp_path: Path) -> None:
    rows = [
        ["日期", "访客数", "浏览量", "跳失率", "下单客户数", "成交客户数", "成交单量", "成交金额"],
        ["20260617", "1,000", "3,000", "40.00%", "30", "25", "26", "2,500.00"],
        ["20260618", "2,000", "5,000", "35.55%", "50", "40", "41", "4,000.00"],
    ]
    path = tmp_path / "交易概况.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path)
    assert parsed.format == "jd_sz_shop"
    assert parsed.period == (date(2026, 6, 17), JUNE_18)
    assert sums(path)["bounces"] == 400 + 711  # 35.55% x 2000 = 711


def test_pdd_goods_promotion_xlsx(tmp_path: Path) -> None:
    rows: list[list[str | int | float | None]] = [
        ["日期", "商品ID", "商品名称", "推广场景", "推广名称", "出价方式", "成交花费(元)",
         "交易额(元)", "实际投产比", "总花费(元)", "净交易额占比", "成交笔数", "曝光量", "点击量"],
        ["2026-06-18", "600123456789", "示例保温杯", "全站推广", "全站_保温杯", "目标投产比：3.95",
         171.93, 660.0, 3.84, 180.0, "87.02%", 5, 12000, 300],
        ["2026-06-18", "600123456790", "示例菜板", "搜索推广", "搜索_菜板", "手动出价",
         50.0, "-", "-", 55.5, "-", 0, 3000, 60],
    ]  # fmt: skip
    path = tmp_path / "推广商品报表.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    parsed = read(path)
    assert parsed.format == "pdd_goods_promotion"
    points = {(p[3], p[5], p[6]): p[7] for p in parsed.points}
    assert points[("campaign", "600123456789", "spend")] == 180.0  # 总花费, for pacing
    assert points[("paid_search", "600123456790", "spend")] == 55.5
    assert ("paid_search", "600123456790", "ad_gmv") not in points


def test_pdd_star_shop() -> None:
    parsed = read(FORMATS / "拼多多_明星店铺_数据汇总.csv")
    assert parsed.format == "pdd_star_shop"
    assert sums(FORMATS / "拼多多_明星店铺_数据汇总.csv")["spend"] == 245.46


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("BusinessReport-older-layout.csv", {"sessions": 1500, "units": 70, "gmv": 1750.0}),
        ("业务报告_2026-06-18.csv", {"sessions": 1500, "units": 69, "gmv": 1725.0}),
    ],
)
def test_amazon_business_report_other_layouts(name: str, expected: dict[str, float]) -> None:
    parsed = read(FORMATS / name, day=JUNE_18)
    assert parsed.format == "amazon_business_report_child"
    found = sums(FORMATS / name, day=JUNE_18)
    assert {k: found[k] for k in expected} == expected  # B2B columns never added


def test_amazon_chinese_report_takes_the_day_from_its_name() -> None:
    assert read(FORMATS / "业务报告_2026-06-18.csv").period == (JUNE_18, JUNE_18)


def test_amazon_sp_reports(store: Store, engine: MetricsEngine) -> None:
    term = read(FORMATS / "sp_search_term.csv")
    assert term.format == "amazon_sp_search_term"
    assert term.period == (date(2026, 6, 17), JUNE_18)
    load(store, term)
    campaigns = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert campaigns == {"SP - Tumblers - Auto": 33.0, "SP - Tumblers - Exact": 20.0}
    campaign = read(FORMATS / "sp_campaign.csv")
    assert campaign.format == "amazon_sp_campaign"
    assert sums(FORMATS / "sp_campaign.csv")["budget"] == 100.0
    product = read(FORMATS / "sp_advertised_product.csv")
    assert product.format == "amazon_sp_advertised_product"
    points = {(p[4], p[5], p[6]): p[7] for p in product.points}
    assert points[("SP - Tumblers - Auto", "B0CHILD001", "spend")] == 16.0  # two ad groups
    assert ("SP - Tumblers - Auto", "B0CHILD002", "ad_gmv") not in points


def test_amazon_sp_rows_over_several_days_are_spans(tmp_path: Path) -> None:
    text = (FORMATS / "sp_campaign.csv").read_text(encoding="utf-8")
    path = tmp_path / "sp_campaign_summary.csv"
    path.write_text(text.replace("06/18/2026,06/18/2026", "06/01/2026,06/30/2026"), "utf-8")
    parsed = read(path)
    # Each row keeps its own days: the day row stays a day, the range row is a span.
    assert parsed.period == (date(2026, 6, 17), date(2026, 6, 17))
    assert parsed.spans == [(date(2026, 6, 1), date(2026, 6, 30))]
    assert {p[1] for p in list(parsed.points)} == {"day", "span:30"}
    path.write_text(text.replace("06/18/2026,06/18/2026", "06/18/2026,06/01/2026"), "utf-8")
    with pytest.raises(RejectedInput, match="does not follow its start") as caught:
        read(path)
    assert (caught.value.line, caught.value.column) == (3, "End Date")


def test_amazon_ads_console_report(tmp_path: Path) -> None:
    parsed = read(FORMATS / "amazon_ads_console_report.csv")
    assert parsed.format == "amazon_ads_console"
    assert parsed.period == (date(2026, 7, 6), date(2026, 7, 6))
    scopes = {p[4:6] for p in parsed.points}
    # Keyed by the campaign's name, as the Sponsored Products reports are, not its id.
    assert scopes == {("SP Tumblers", "B0CHILD001"), ("SP Tumblers", "B0CHILD002")}
    text = (FORMATS / "amazon_ads_console_report.csv").read_text(encoding="utf-8")
    path = tmp_path / "console.csv"
    path.write_text(text.replace("Jul 06, 2026 - Jul 06", "Jul 06, 2026 - Jul 29"), "utf-8")
    ranged = read(path)
    assert (ranged.period, ranged.spans) == (None, [(date(2026, 7, 6), date(2026, 7, 29))])
    assert {p[1] for p in list(ranged.points)} == {"span:24"}


def test_shopify_percent_string_variant() -> None:
    parsed = read(FORMATS / "shopify_sessions_percent.csv")
    assert parsed.format == "shopify_sessions_over_time"
    assert sums(FORMATS / "shopify_sessions_percent.csv")["converted_sessions"] == 42


def test_google_week_segment_is_refused(tmp_path: Path) -> None:
    rows = [
        ["Campaign report"],
        ["June 1, 2026 - June 30, 2026"],
        ["Week", "Campaign", "Campaign type", "Impr.", "Clicks", "Cost"],
        ["2026-06-01", "Brand", "Search", "1,000", "50", "40.00"],
    ]
    path = tmp_path / "weekly.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(RejectedInput, match="segmented by week or month") as caught:
        read(path)
    assert (caught.value.line, caught.value.column) == (3, "Week")
    assert "Day" in (caught.value.hint or "")


def test_google_report_without_day_uses_a_single_day_title(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    rows = [
        ["Campaign report"],
        ["June 18, 2026 - June 18, 2026"],
        ["Campaign", "Campaign type", "Impr.", "Clicks", "Cost"],
        ["Brand", "Search", "1,000", "50", "40.00"],
        ["Total: Account", "--", "1,000", "50", "40.00"],
    ]
    path = tmp_path / "one_day.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path)
    assert parsed.period == (JUNE_18, JUNE_18)
    # The Total: Account row is now stored too, as the store's level: the answer is 40.
    load(store, parsed)
    assert one(engine, "spend")["spend"] == 40.0
    assert total(engine, "spend", by="campaign") == [{"campaign": "Brand", "spend": 40.0}]
    rows[1] = ["June 1, 2026 - June 30, 2026"]
    path.write_text(csv_text(rows), encoding="utf-8")
    ranged = read(path)
    assert (ranged.period, ranged.spans) == (None, [(date(2026, 6, 1), date(2026, 6, 30))])
    assert {p[1] for p in list(ranged.points)} == {"span:30"}


def test_amazon_business_report_by_date(tmp_path: Path) -> None:
    rows = [
        ["Date", "Ordered Product Sales", "Ordered Product Sales - B2B", "Units Ordered",
         "Units Ordered - B2B", "Total Order Items", "Sessions - Total", "Page Views - Total"],
        ["06/17/2026", "$1,200.00", "$20.00", "40", "1", "38", "1,000", "1,500"],
        ["06/18/2026", "$800.50", "$0.00", "25", "0", "25", "900", "1,300"],
    ]  # fmt: skip
    path = tmp_path / "BusinessReport-by-date.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path)
    assert parsed.format == "amazon_business_report_by_date"
    assert parsed.period == (date(2026, 6, 17), JUNE_18)
    assert sums(path) == {"gmv": 2000.5, "units": 65, "orders": 63, "sessions": 1900, "pv": 2800}


def test_store_column_names_the_store_when_none_is_given(tmp_path: Path) -> None:
    rows = [
        ["卖家昵称", "统计日期", "访客数", "支付买家数", "支付金额"],
        ["示例旗舰店", "2026-06-18", "1,000", "30", "3,000.00"],
        ["示例专营店", "2026-06-18", "500", "10", "900.00"],
    ]
    path = tmp_path / "自助取数.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path, store=None)
    assert parsed.store == ""  # several stores
    assert {(p[0], p[6]): p[7] for p in parsed.points}[("示例专营店", "uv")] == 500
    with pytest.raises(RejectedInput, match="several stores") as caught:
        read(path, store="tmall-flagship")  # one given store cannot take both
    assert caught.value.column == "卖家昵称"
    assert "'示例旗舰店' on line 2, '示例专营店' on line 3" in caught.value.message
    assert "leave out --store" in (caught.value.hint or "")
    single = tmp_path / "one.csv"
    single.write_text(csv_text(rows[:2]), encoding="utf-8")
    named = read(single, store="tmall-flagship")  # a given store wins over one nickname
    assert {p[0] for p in named.points} == {"tmall-flagship"}


SP_TARGETING = [
    ["Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
     "Retailer", "Country", "Targeting", "Match Type", "Impressions",
     "Top-of-search Impression Share", "Clicks", "Click-Thru Rate (CTR)",
     "Cost Per Click (CPC)", "Spend", "7 Day Total Sales ",
     "Total Advertising Cost of Sales (ACOS) ", "Total Return on Advertising Spend (ROAS)",
     "7 Day Total Orders (#)"],
    ["07/06/2026", "07/06/2026", "No Portfolio", "USD", "SP - Tumblers - Exact", "AG1", "Amazon",
     "US", "cast net", "EXACT", "1,200", "12.50%", "30", "2.50%", "$0.50", "$15.00", "$45.00",
     "33.33%", "3.00", "2"],
    ["07/06/2026", "07/06/2026", "No Portfolio", "USD", "SP - Tumblers - Exact", "AG1", "Amazon",
     "US", "tumbler", "PHRASE", "800", "< 5%", "10", "1.25%", "$0.60", "$6.00", "$0.00", "",
     "0.00", "0"],
    ["07/06/2026", "07/06/2026", "No Portfolio", "USD", "SP - Tumblers - Auto", "AG2", "Amazon",
     "US", "close-match", "-", "500", "", "5", "1.00%", "$0.40", "$2.00", "$20.00", "10.00%",
     "10.00", "1"],
]  # fmt: skip


def test_amazon_sp_targeting_report(tmp_path: Path, store: Store, engine: MetricsEngine) -> None:
    path = tmp_path / "Sponsored_Products_Targeting_report.csv"
    path.write_text(csv_text(SP_TARGETING), encoding="utf-8")
    parsed = read(path)
    assert parsed.format == "amazon_sp_targeting"
    assert parsed.period == (date(2026, 7, 6), date(2026, 7, 6))
    load(store, parsed)
    campaigns = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert campaigns == {"SP - Tumblers - Exact": 21.0, "SP - Tumblers - Auto": 2.0}
    assert one(engine, "ad_orders", "impressions") == {"ad_orders": 3, "impressions": 2500}
    # Each target is a keyword below its campaign.
    keywords = {r["keyword"]: r["spend"] for r in total(engine, "spend", by="keyword")}
    assert keywords == {"cast net": 15.0, "tumbler": 6.0, "close-match": 2.0}


def _search_terms_of_the_targets(tmp_path: Path) -> Path:
    """A search term report of the targeting report's campaigns and day: the Exact
    campaign's terms add up to less than its targets (a term Amazon does not list)."""
    header = [*SP_TARGETING[0][:9], "Match Type", "Customer Search Term", *SP_TARGETING[0][10:]]
    rows = [header]
    for row, term, spend in ((SP_TARGETING[1], "cast net 8ft", "$12.00"),
                             (SP_TARGETING[2], "tumbler 20oz", "$6.00")):  # fmt: skip
        rows.append([*row[:10], term, *row[10:15], spend, *row[16:]])
    path = tmp_path / "Sponsored_Products_Search_term_report.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("targets_first", [True, False])
def test_keywords_and_search_terms_of_a_campaign_are_never_added(
    tmp_path: Path, store: Store, engine: MetricsEngine, targets_first: bool
) -> None:
    targets = tmp_path / "Sponsored_Products_Targeting_report.csv"
    targets.write_text(csv_text(SP_TARGETING), encoding="utf-8")
    terms = _search_terms_of_the_targets(tmp_path)
    assert read(terms).format == "amazon_sp_search_term"
    for path in (targets, terms) if targets_first else (terms, targets):
        load(store, read(path))
    # The keywords come first (the coarser scope is the same): the campaign's terms stand
    # in for its keywords only where it has none, never beside them.
    assert one(engine, "spend") == {"spend": 23.0}
    campaigns = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert campaigns == {"SP - Tumblers - Exact": 21.0, "SP - Tumblers - Auto": 2.0}
    terms_spend = {r["term"]: r["spend"] for r in total(engine, "spend", by="term")}
    assert terms_spend == {"cast net 8ft": 12.0, "tumbler 20oz": 6.0}


def test_amazon_campaigns_share_one_key_across_reports(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    # The console report (with ids) and an SP campaign report (names only) of one campaign.
    load(store, read(FORMATS / "amazon_ads_console_report.csv"))
    text = (FORMATS / "sp_campaign.csv").read_text(encoding="utf-8").splitlines()
    row = text[1].replace("06/17/2026,06/17/2026", "07/06/2026,07/06/2026")
    path = tmp_path / "sp_campaign.csv"
    path.write_text("\n".join([text[0], row.replace("SP - Tumblers - Auto", "SP Tumblers")]) + "\n")
    load(store, read(path))
    campaigns = {r["campaign"]: r["clicks"] for r in total(engine, "clicks", by="campaign")}
    assert campaigns == {"SP Tumblers": 40}  # one campaign, not its id beside its name


SHOPIFY_LANDING = [
    ["Landing page path", "Landing page type", "Sessions", "Sessions with cart additions",
     "Sessions that reached checkout", "Sessions that completed checkout", "Conversion rate"],
    ["/", "Homepage", "500", "40", "20", "10", "0.02"],
    ["/products/a", "Product", "300", "30", "10", "5", "0.0166"],
    ["/collections/all", "Collection", "200", "9", "3", "1", "0.005"],
]  # fmt: skip


def test_shopify_sessions_by_landing_page(tmp_path: Path) -> None:
    path = tmp_path / "landing_pages.csv"
    path.write_text(csv_text(SHOPIFY_LANDING), encoding="utf-8")
    with pytest.raises(RejectedInput, match="no date column") as caught:
        read(path)
    assert "--date" in (caught.value.hint or "")
    parsed = read(path, day=JUNE_18)
    assert parsed.format == "shopify_sessions_by_landing_page"
    assert sums(path, day=JUNE_18) == {
        "sessions": 1000, "cart_sessions": 79, "checkouts": 33, "converted_sessions": 16,
    }  # fmt: skip
    named = tmp_path / "landing_pages_2026-06-18.csv"
    named.write_bytes(path.read_bytes())
    assert read(named).period == (JUNE_18, JUNE_18)


def test_shopify_sessions_converted_percent_variant(tmp_path: Path) -> None:
    path = tmp_path / "conversion.csv"
    rows = [["Day", "Sessions", "Sessions converted (%)"], ["2026-06-01", "1052", "1.9%"],
            ["2026-06-02", "1252", "2.0%"]]  # fmt: skip
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path)
    assert parsed.format == "shopify_sessions_over_time"
    assert sums(path) == {"sessions": 2304, "converted_sessions": 20 + 25}  # 1.9% x 1052


SELF_HELP: list[list[object]] = [
    ["自助取数"],
    ["统计时间：2026-06-18 ~ 2026-06-18"],
    [None],
    ["示例家用大容量绞肉机 商品ID：741747883413"],
    ["统计日期", "访客数", "浏览量", "跳失率", "支付买家数", "支付金额(元)"],
    ["2026-06-18", 120, 300, "40.00%", 3, "360.00"],
]


def test_sycm_self_help_for_one_product_is_loaded_per_product(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    shop = tmp_path / "自助取数_店铺.xls"
    shop.write_bytes(xlsx_bytes([*SELF_HELP[:3], *SELF_HELP[4:5], ["2026-06-18", 9397, 28421,
                                 "70.52%", 337, "40,723.99"]], sheet="自助取数"))  # fmt: skip
    load(store, read(shop))
    product = tmp_path / "自助取数_商品.xls"
    product.write_bytes(xlsx_bytes(SELF_HELP, sheet="自助取数"))
    parsed = read(product)
    assert parsed.format == "sycm_product_daily"
    assert {p[5] for p in parsed.points} == {"741747883413"}
    load(store, parsed)
    assert one(engine, "uv", "gmv") == {"uv": 9397, "gmv": 40723.99}  # the store's own
    skus = {r["sku"]: r["uv"] for r in total(engine, "uv", by="sku")}
    assert skus == {"741747883413": 120}


def test_sycm_self_help_for_a_product_without_its_id_is_refused(tmp_path: Path) -> None:
    rows = [*SELF_HELP]
    rows[3] = ["商品名称：示例家用大容量绞肉机"]
    path = tmp_path / "自助取数_商品.xls"
    path.write_bytes(xlsx_bytes(rows, sheet="自助取数"))
    with pytest.raises(RejectedInput, match="for one product") as caught:
        read(path)
    assert caught.value.line == 4
    assert "商品排行" in (caught.value.hint or "")

"""Levels decided per day and scope: totals beside their breakdowns, rows without a finer
breakdown kept, two reports of one store added where they are parts, never where they are
two grains of the same figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csv_formats.support import FORMATS, csv_text, load, one, read, total, xlsx_bytes
from opsboard.errors import RejectedInput
from opsboard.query.engine import MetricsEngine, Period
from opsboard.storage import Store

JUNE_17 = date(2026, 6, 17)
JUNE_18 = date(2026, 6, 18)


def day(engine: MetricsEngine, metric: str, when: date) -> float | None:
    """``metric`` of the store on one day, as the engine answers it."""
    rows = engine.query([metric], period=Period(first_day=when, last_day=when))
    value = rows[0][metric] if rows else None
    return None if value is None else round(float(value), 2)


def test_taobaoke_days_without_a_breakdown_are_kept(store: Store, engine: MetricsEngine) -> None:
    # 06-17: 店铺整体 and its 营销计划 / 通用计划 rows; 06-18: 店铺整体 only.
    parsed = read(FORMATS / "淘宝联盟_推广概览_分天_按计划.csv")
    assert parsed.period == (JUNE_17, JUNE_18)
    assert not any("skipped" in n for n in parsed.notices)
    load(store, parsed)
    assert day(engine, "spend", JUNE_17) == 65.00  # the platform's own store figure
    assert day(engine, "spend", JUNE_18) == 27.00  # was lost when 06-17 had plans
    assert one(engine, "spend")["spend"] == pytest.approx(92.00)
    plans = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert plans == {"营销计划": 43.00, "通用计划": 22.00}


PDD_HEADER = ["日期", "商品ID", "商品名称", "推广场景", "推广名称", "总花费(元)", "成交花费(元)",
              "交易额(元)", "成交笔数", "曝光量", "点击量"]  # fmt: skip
PDD_ROWS = [
    ["2026-06-18", "468123456789", "商品A", "搜索推广", "计划1", "180.50", "171.93", "660.00", "4",
     "10000", "300"],
    ["2026-06-18", "468123456790", "商品B", "全站推广", "-", "100.00", "100.00", "300.00", "2",
     "5000", "100"],
]  # fmt: skip


def test_pdd_row_without_a_plan_is_kept(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    path = tmp_path / "推广商品报表.csv"
    path.write_text(csv_text([PDD_HEADER, *PDD_ROWS]), encoding="utf-8")
    parsed = read(path)
    assert parsed.notices == []
    load(store, parsed)
    assert one(engine, "spend")["spend"] == pytest.approx(280.50)
    plans = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert plans == {"计划1": 180.50, "(none)": 100.00}  # no plan named, not a total


def test_pdd_star_shop_is_its_own_part_of_spend(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    goods = tmp_path / "推广商品报表.csv"
    goods.write_text(csv_text([PDD_HEADER, *PDD_ROWS]), encoding="utf-8")
    star = tmp_path / "明星店铺.csv"
    star.write_text(
        csv_text(
            [
                ["日期", "花费(元)", "交易额(元)", "投入产出比", "成交笔数", "曝光量", "点击量"],
                ["2026-06-18", "145.46", "1549.40", "10.65", "12", "10000", "250"],
            ]
        ),
        encoding="utf-8",
    )
    load(store, read(star))
    load(store, read(goods))
    assert day(engine, "spend", JUNE_18) == round(145.46 + 280.50, 2)
    plans = {r["campaign"]: r["spend"] for r in total(engine, "spend", by="campaign")}
    assert plans["明星店铺"] == pytest.approx(145.46)


def _jd(tmp_path: Path, name: str, grain: str, rows: list[list[object]]) -> Path:
    header = ["时间", grain, f"{grain}名称", "商品访客数", "成交金额", "成交客户数"]
    path = tmp_path / name
    path.write_bytes(xlsx_bytes([header, *rows]))
    return path


def test_jd_sku_and_spu_downloads_are_never_added(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    sku = _jd(tmp_path, "sku.xlsx", "SKU", [
        ["2026-06-18", "100017569947", "净水器 白", 300, 3200.0, 8],
        ["2026-06-18", "100017569948", "净水器 黑", 100, 1600.0, 2],
    ])  # fmt: skip
    spu = _jd(
        tmp_path, "spu.xlsx", "SPU", [["2026-06-18", "100017569947", "净水器", 380, 4800.0, 10]]
    )
    load(store, read(sku))
    parsed = read(spu)
    assert {p[5] for p in parsed.points} == {"SPU-100017569947"}  # never taken for a SKU id
    with pytest.raises(
        RejectedInput, match="already holds 京东商智 商品明细 \\(per SKU\\)"
    ) as caught:
        load(store, parsed)
    assert "2026-06-18 .. 2026-06-18" in caught.value.message
    assert "count every product twice" in caught.value.message
    assert "load the 京东商智 商品明细 (per SKU) download" in (caught.value.hint or "")
    assert one(engine, "uv")["uv"] == 400  # the SKU figures alone
    other_day = _jd(
        tmp_path, "spu2.xlsx", "SPU", [["2026-06-19", "100017569947", "净水器", 90, 0.0, 0]]
    )
    assert load(store, read(other_day)) == 3  # another day: no SKU figures to double


def test_jd_sku_download_is_refused_after_the_spu_one(tmp_path: Path, store: Store) -> None:
    load(
        store, read(_jd(tmp_path, "spu.xlsx", "SPU", [["2026-06-18", "1", "净水器", 380, 1.0, 1]]))
    )
    sku = read(_jd(tmp_path, "sku.xlsx", "SKU", [["2026-06-18", "2", "净水器 白", 300, 1.0, 1]]))
    with pytest.raises(RejectedInput, match="per SPU"):
        load(store, sku)
    assert store.point_count() == 3


def test_old_traffic_source_layout_adds_up_its_details(store: Store, engine: MetricsEngine) -> None:
    parsed = read(FORMATS / "【生意参谋平台】无线店铺流量来源-2017-11-12_2017-11-12.csv")
    assert parsed.format == "sycm_traffic_source"
    assert parsed.rows == 5
    assert not any(n.startswith("header only") for n in parsed.notices)
    assert any("no 汇总 row" in n and "added up" in n for n in parsed.notices)
    load(store, parsed)
    channels = {r["channel"]: r["uv"] for r in total(engine, "uv", by="channel")}
    # 淘内免费: 手淘搜索 (700) is search, 手淘推荐 (300) the recommendation feed.
    assert channels == {
        "organic_search": 700,
        "recommendation": 300,
        "paid_search": 250,
        "direct": 200,
    }
    buyers = {r["channel"]: r["order_buyers"] for r in total(engine, "order_buyers", by="channel")}
    assert buyers == {"organic_search": 21, "recommendation": 9, "paid_search": 10, "direct": 10}
    sources = {r["source"]: r["uv"] for r in total(engine, "uv", by="source")}
    assert sources == {
        "手淘搜索": 700,
        "手淘推荐": 300,
        "直通车": 250,
        "购物车": 150,
        "我的淘宝": 50,
    }


def test_a_total_beside_the_plans_of_another_channel_keeps_both(
    tmp_path: Path, store: Store, engine: MetricsEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A format with a channel column: 店铺整体 of one channel beside a plan of another.
    rows = [
        ["日期", "数据内容", "推广场景", "点击量", "付款金额", "付款支出费用"],
        ["2026-06-18", "店铺整体", "搜索", "10", "100.00", "5.00"],
        ["2026-06-18", "营销计划", "场景", "6", "60.00", "3.00"],
    ]
    path = tmp_path / "by_scene.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    from opsboard_csv import reader
    from opsboard_csv.profiles import Profile, load_profiles

    data = next(p for p in load_profiles() if p.name == "taobaoke_overview").model_dump()
    data["name"], data["channel"] = "taobaoke_by_scene", ""
    data["fields"]["scene"] = {"role": "channel", "headers": ["推广场景"],
                               "map": {"搜索": "paid_search", "场景": "display"}}  # fmt: skip
    monkeypatch.setattr(reader, "load_profiles", lambda: (Profile.model_validate(data),))
    parsed = read(path)
    scopes = {p[3:5] for p in parsed.points if p[6] == "spend"}
    assert scopes == {("paid_search", ""), ("display", "营销计划")}  # neither dropped
    load(store, parsed)
    assert one(engine, "spend")["spend"] == pytest.approx(8.00)

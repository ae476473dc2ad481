"""Traffic sources (生意参谋's 二级来源) kept below their channel: DESIGN 3, "the finest
scope is kept"."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_formats.support import load, one, read, total
from opsboard.models import CHANNELS
from opsboard.points import FinePoint, InvalidPoint
from opsboard.query.engine import MetricsEngine
from opsboard.query.scope import Filters
from opsboard.storage import Store
from opsboard.traffic_sources import SOURCE_CHANNELS, channel_of_source

_HEAD = (
    "【生意参谋平台】无线店铺流量来源\n统计时间：2026-06-18 ~ 2026-06-18\n\n"
    "一级来源,二级来源,三级来源,访客数,支付买家数,支付金额\n"
)


def _file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "【生意参谋平台】无线店铺流量来源-2026-06-18_2026-06-18.csv"
    path.write_text(_HEAD + rows, encoding="utf-8")
    return path


def test_every_source_of_the_table_names_a_known_channel() -> None:
    assert set(SOURCE_CHANNELS.values()) <= set(CHANNELS)
    assert channel_of_source("手淘搜索", "other") == "organic_search"
    assert channel_of_source("手淘推荐", "other") == "recommendation"
    assert channel_of_source("引力魔方", "paid_search") == "display"
    assert channel_of_source("淘宝客", "paid_search") == "affiliate"
    # The longest known name a source starts with; unknown ones keep their first level's.
    assert channel_of_source("万相台无界版", "other") == "paid_search"
    assert channel_of_source("手淘问大家", "other") == "other"


def test_a_first_level_over_several_channels_keeps_only_its_unlisted_rest(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    parsed = read(
        _file(
            tmp_path,
            "淘内免费,汇总,,6000,200,20000.00\n"
            "淘内免费,手淘搜索,,3000,90,9000.00\n"
            "淘内免费,手淘推荐,,2000,60,6000.00\n"
            "付费流量,汇总,,1500,70,8000.00\n"
            "付费流量,直通车,,1000,50,6000.00\n"
            "付费流量,引力魔方,,500,20,2000.00\n",
        )
    )
    load(store, parsed)
    channels = {r["channel"]: r for r in total(engine, "uv", "gmv", by="channel")}
    assert {c: r["uv"] for c, r in channels.items()} == {
        "organic_search": 3000,
        "recommendation": 2000,
        "other": 1000,  # 淘内免费's 6000 less its two listed sources
        "paid_search": 1000,
        "display": 500,
    }
    assert channels["other"]["gmv"] == pytest.approx(5000.0)
    sources = {r["source"]: r["gmv"] for r in total(engine, "gmv", by="source")}
    assert sources["淘内免费 (其他)"] == pytest.approx(5000.0)
    # The store's figure is each first level's total once, never a total plus its parts.
    assert one(engine, "gmv")["gmv"] == pytest.approx(28000.0)
    only = engine.query(["uv"], filters=Filters(source="手淘推荐"))
    assert only[0]["uv"] == 2000


def test_a_channel_total_stays_its_own_figure_above_its_sources(
    tmp_path: Path, store: Store, engine: MetricsEngine
) -> None:
    rows = "自主访问,汇总,,800,80,9600.00\n自主访问,购物车,,500,60,7200.00\n"
    load(store, read(_file(tmp_path, rows)))
    assert total(engine, "uv", by="channel") == [{"channel": "direct", "uv": 800}]
    assert total(engine, "uv", by="source") == [{"source": "购物车", "uv": 500}]
    assert one(engine, "uv")["uv"] == 800
    # Loaded again: nothing changes.
    load(
        store,
        read(_file(tmp_path, "自主访问,汇总,,800,80,9600.00\n自主访问,购物车,,500,60,7200.00\n")),
    )
    assert one(engine, "uv")["uv"] == 800


def test_a_source_names_its_channel(store: Store) -> None:
    with (
        pytest.raises(InvalidPoint, match="names no channel"),
        store.batch(source="t", origin="t") as batch,
    ):
        batch.add_fine([FinePoint("s1", "day", 1781712000, "", "", "", "uv", 1.0, source="手淘")])

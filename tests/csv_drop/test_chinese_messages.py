"""The drop folder speaks the operator's language: refusals, notes and health in Chinese
under ``zh-CN`` (file names, columns and cell values as found), English unchanged."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from opsboard_csv.adapter import CsvDropAdapter, CsvDropOptions
from pydantic import ValidationError

from csv_drop.helpers import AN_HOUR_AGO, GOOD, drop_old, make_adapter, write_csv
from opsboard import i18n
from opsboard.adapters.api import N_, store_name_problem, text_problem
from opsboard.cli.main import main
from opsboard.collect.collector import Collector
from opsboard.models import SourceHealth
from opsboard.platforms import platform_mismatch
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

REPO = Path(__file__).resolve().parents[2]
CUT_OFF = REPO / "tests" / "data" / "samples" / "broken_truncated_amazon_business_report.csv"


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chinese for the test (the autouse fixture turns English back on after it)."""
    monkeypatch.setenv("OPSBOARD_LANG", "zh-CN")
    i18n.set_language("zh-CN")


def _ingest(args: list[str], db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([*args, "--db", str(db)])
    return code, capsys.readouterr().err


def test_a_cut_off_export_is_refused_in_chinese_naming_its_line_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["ingest", str(CUT_OFF), "--store", "amz"]
    code, err = _ingest(["--lang", "zh-CN", *args], tmp_path / "o.db", capsys)
    assert code == 1
    assert err.splitlines() == [
        f"{CUT_OFF}：已拒收：第 25 行：broken_truncated_amazon_business_report.csv："
        "文件最后一行不完整：只有 5/22 个字段",
        "  修复：下载中断或文件仍在写入：请重新下载报表",
    ]
    i18n.set_language("en")
    code, err = _ingest(["--lang", "en", *args], tmp_path / "o.db", capsys)
    assert code == 1
    assert err == (
        f"{CUT_OFF}: rejected: line 25: broken_truncated_amazon_business_report.csv: the last "
        "line is cut off: it has 5 of 22 fields\n"
        "  fix: the download was interrupted or the file is still being written: download "
        "the report again\n"
    )


def test_a_bad_cell_is_refused_in_chinese_with_the_value_as_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chinese: None
) -> None:
    bad = write_csv(tmp_path / "坏.csv", GOOD + "2026-06-19 10:00,,,,,uv,十二\n")
    code, err = _ingest(["ingest", str(bad), "--store", "s"], tmp_path / "o.db", capsys)
    assert code == 1
    assert "第 5 行" in err
    assert "数值为 '十二'，应为 >= 0 的有限数" in err
    assert "found" not in err


def _health(adapter: CsvDropAdapter) -> SourceHealth:
    return {h.store: h for h in adapter.health()}["shop"]


async def test_the_folder_health_says_loaded_and_refused_in_chinese(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    chinese: None,
) -> None:
    adapter = make_adapter(tmp_path, clock, stale_after="30m")
    run = collector(adapter)
    assert _health(adapter).reason == "监视中；还没有放入文件"
    drop_old(tmp_path / "drop" / "day.csv", GOOD)
    await run.run_cycle(force=True)
    assert _health(adapter).reason.startswith("已载入 day.csv（3 个数据点，")
    drop_old(tmp_path / "drop" / "坏.csv", GOOD + "2026-06-19 10:00,,direct-mail,,,uv,1\n")
    await run.run_cycle(force=True)
    reason = _health(adapter).reason
    assert reason.startswith("已拒收 坏.csv：第 5 行，列 'channel'：渠道为 'direct-mail'")
    note = (tmp_path / "drop" / "failed").glob("*.error.txt")
    assert "原因：" in next(note).read_text("utf-8")
    # Stale after a refusal: the reason still names the refused file, in Chinese.
    clock.advance(timedelta(hours=1))
    stale = _health(adapter).reason
    assert stale.startswith("已有 1 h 没有载入文件")
    assert "；最近一次：已拒收 坏.csv" in stale


async def test_a_missing_column_is_a_gap_in_chinese_too(
    tmp_path: Path,
    clock: FrozenClock,
    store: Store,
    collector: Callable[..., Collector],
    chinese: None,
) -> None:
    adapter = make_adapter(tmp_path, clock)
    path = tmp_path / "drop" / "Sponsored Products Campaign report.csv"
    path.write_text(
        "Date,Campaign Name,Status,Impressions,Clicks,Spend\n2026-06-18,Brand,ENABLED,100,5,2.50\n",
        encoding="utf-8",
    )
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    await collector(adapter).run_cycle(force=True)
    health = _health(adapter)
    assert "缺少列 '7 Day Total Sales'" in health.reason
    last = health.detail["last_loaded"]
    assert isinstance(last, dict)
    assert len(last["missing_columns"]) == 2


def test_a_report_of_another_platform_is_named_in_chinese(chinese: None) -> None:
    found = platform_mismatch("tmall-flagship", "tmall", "jd")
    assert found is not None
    assert found.startswith("京东 的报表载入到了 tmall-flagship（淘宝/天猫 店铺）")


def test_a_bad_store_name_or_id_is_explained_in_chinese(chinese: None) -> None:
    assert store_name_problem("") == "店铺名为空"
    assert (store_name_problem("-bad") or "").startswith("店铺名 '-bad' 不可用：")
    problem = text_problem("sku\x07", N_("search term"))
    assert problem == "搜索词 'sku\\x07' 含有控制字符 \\x07（第 4 个字符）"
    i18n.set_language("en")
    assert text_problem("sku\x07", N_("search term")) == (
        "the search term 'sku\\x07' holds the control character \\x07 (at character 4)"
    )


def test_a_bad_folder_option_is_explained_in_chinese(tmp_path: Path, chinese: None) -> None:
    folder = {"path": str(tmp_path), "store": "shop", "stale_after": "0s"}
    with pytest.raises(ValidationError) as refusal:
        CsvDropOptions.model_validate({"folders": [folder]})
    assert "应为大于 0 的时长，如 26h" in str(refusal.value)


def test_a_name_with_a_control_character_is_named_in_chinese(chinese: None) -> None:
    problem = text_problem("Brand\x1b", N_("campaign name"), name=True)
    assert problem == "计划名称 'Brand\\x1b' 含有控制字符 \\x1b（第 6 个字符）"

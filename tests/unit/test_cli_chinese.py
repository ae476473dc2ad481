"""The command line in Chinese: --help under a Chinese locale, `formats`, `config check`
and `ingest`'s per-file lines; English output unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsboard.cli.main import main

PLAN_REPORT = Path(__file__).parents[1] / "data" / "formats" / "计划报表_20260619_110309.csv"


def _config(tmp_path: Path, text: str = '[[stores]]\nname = "tmall-flagship"\n') -> Path:
    path = tmp_path / "opsboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_help_speaks_chinese_under_a_chinese_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPSBOARD_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：opsboard")
    assert "显示本帮助并退出" in out
    assert "昨日每日复盘" in out


def test_formats_in_chinese_and_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "zh-CN", "formats"]) == 0
    chinese = capsys.readouterr().out
    assert "生意参谋 商品排行（按商品）" in chinese
    assert "识别方式：表头行中每组至少有一个：" in chinese
    assert "日期来自：日期列" in chinese
    assert main(["--lang", "en", "formats"]) == 0
    english = capsys.readouterr().out
    assert "生意参谋 商品排行 (per item)" in english
    assert "detected by: a header row with one of each:" in english


def test_config_check_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _config(tmp_path)
    assert main(["--lang", "zh-CN", "config", "check", str(good)]) == 0
    assert "：正常（1 家店铺" in capsys.readouterr().out
    bad = _config(tmp_path, '[[stores]]\nname = "x"\nmargn = 0.3\n')
    assert main(["--lang", "zh-CN", "config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "opsboard：错误：" in err
    assert "未知配置项；修复：删除它，或检查拼写" in err
    assert main(["--lang", "en", "config", "check", str(bad)]) == 2
    assert "unknown key; fix: remove it, or check its spelling" in capsys.readouterr().err


def test_ingest_lines_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, db = _config(tmp_path), tmp_path / "o.db"
    missing = tmp_path / "nothing.csv"
    args = ["--config", str(config), "--db", str(db), "ingest", "--store", "tmall-flagship"]
    assert main(["--lang", "zh-CN", *args, str(PLAN_REPORT), str(missing)]) == 1
    captured = capsys.readouterr()
    assert "wxt_plan_report，店铺 tmall-flagship：4 行，20 个数据点，2026-06-17 至 2026-06-18" in (
        captured.out
    )
    assert "已拒收：文件不存在" in captured.err
    assert main(["--lang", "en", *args, str(missing)]) == 1
    assert "rejected: no such file" in capsys.readouterr().err


def test_an_error_says_what_to_do_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(_config(tmp_path)), "--db", str(tmp_path / "o.db")]
    assert main(["--lang", "zh-CN", *args, "query", "uv", "--channel", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("opsboard：错误：--channel：未知渠道 'nope'\n  修复：可选：")
    assert main(["--lang", "en", *args, "query", "uv", "--channel", "nope"]) == 2
    assert "\n  fix: use one of: " in capsys.readouterr().err


def test_no_database_and_an_unknown_metric_are_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(_config(tmp_path)), "--db", str(tmp_path / "o.db")]
    assert main(["--lang", "zh-CN", *args, "query", "uv"]) == 2
    assert "o.db：还没有数据库\n  修复：先导入数据" in capsys.readouterr().err
    assert main([*args, "ingest", "--store", "tmall-flagship", str(PLAN_REPORT)]) == 0
    capsys.readouterr()
    assert main(["--lang", "zh-CN", *args, "query", "visitors"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("opsboard：错误：未知指标 'visitors'\n  修复：可选：uv, pv")


def test_a_value_of_the_wrong_kind_is_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = _config(tmp_path, '[stores.x]\nplatform = "tmall"\n')
    assert main(["--lang", "zh-CN", "config", "check", str(tables)]) == 2
    err = capsys.readouterr().err
    assert "stores：应为列表（实际是 表）；修复：每一项写成单独的表 [[stores]]" in err
    assert main(["--lang", "en", "config", "check", str(tables)]) == 2
    err = capsys.readouterr().err
    assert "a list is expected (found a table); fix: write each entry as a table of its own" in err
    number = _config(tmp_path, '[[stores]]\nname = "x"\nmargin = "abc"\n')
    assert main(["--lang", "zh-CN", "config", "check", str(number)]) == 2
    assert "margin：应为数字（实际是 'abc'）" in capsys.readouterr().err


def test_a_broken_plan_sheet_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(_config(tmp_path)), "--db", str(tmp_path / "o.db"), "ingest"]
    sheet = tmp_path / "plan.csv"
    for cells, said in (
        ("tmall-flagship,访客数,2026-06,很多", "列 '目标值'：'很多' 不是数字\n  修复：请写数字"),
        ("tmall-flagship,访客数,2026-13,1", "周期 '2026-13' 不是有效日期；写成月份 2026-06"),
        ("别的店,访客数,2026-06,1", "未知店铺 '别的店'\n  修复：请使用配置中的店铺：tmall"),
        ("tmall-flagship,销量,2026-06,1", "未知指标 '销量'；可选："),
    ):
        sheet.write_text(f"店铺,指标,周期,目标值\n{cells}\n", encoding="utf-8")
        assert main(["--lang", "zh-CN", *args, str(sheet)]) == 1
        assert said in capsys.readouterr().err, cells

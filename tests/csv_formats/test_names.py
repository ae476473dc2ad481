"""Names of plans and products: read from the exports' name columns, kept per store (the
newest wins, cleaned of control characters) and printed beside the id by ``opsboard query``
(DESIGN section 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opsboard_csv.profiles import Profile

from csv_formats.support import FORMATS, csv_text, read
from csv_formats.test_real_quirks import answer
from opsboard.cli.main import main
from opsboard.storage import Store
from opsboard.storage.names import MAX_LENGTH, all_names, clean_name

ITEM_RANK = FORMATS / "【生意参谋平台】商品_全部_2026-06-17_2026-06-17.csv"
PLAN_HEADER = ["日期", "场景ID", "场景名字", "计划ID", "计划名字", "展现量", "点击量", "花费"]


def plan_report(path: Path, day: str, names: dict[str, str]) -> Path:
    """A 万相台 计划报表 (GB18030) of one day with one row per plan id."""
    rows = [
        [day, "24114", "关键词推广", plan, name, "1000", "50", "100.00"]
        for plan, name in names.items()
    ]
    path.write_bytes(csv_text([PLAN_HEADER, *rows]).encode("gb18030"))
    return path


def test_plan_names_through_ingest_and_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = plan_report(
        tmp_path / "计划报表_20260618_090000.csv",
        "2026-06-18",
        {"77012003172": "春季新品推广", "77012000337": "人群推广_绞肉机"},
    )
    rows = answer(capsys, tmp_path / "o.db", [report], ["spend"], "--by", "campaign",
                  "--from", "2026-06-18", "--to", "2026-06-18")  # fmt: skip
    assert rows == [
        {"campaign": "77012000337", "name": "人群推广_绞肉机", "spend": 100},
        {"campaign": "77012003172", "name": "春季新品推广", "spend": 100},
    ]


def test_the_newest_name_wins_and_format_characters_are_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    first = plan_report(
        tmp_path / "计划报表_20260617_090000.csv", "2026-06-17", {"77012003172": "春季新品推广"}
    )
    answer(capsys, db, [first], ["spend"], "--by", "campaign")
    renamed = plan_report(
        tmp_path / "计划报表_20260618_090000.csv",
        "2026-06-18",
        {"77012003172": "[31m夏季\u200b清仓\t推广"},
    )
    rows = answer(capsys, db, [renamed], ["spend"], "--by", "campaign")
    # The zero-width space is gone; the tab became a space.
    assert rows == [{"campaign": "77012003172", "name": "[31m夏季清仓 推广", "spend": 200}]
    with Store.open(db, readonly=True) as store:
        assert [(r.store, r.kind, r.key) for r in all_names(store)] == [
            ("s1", "campaign", "77012003172")
        ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("\x1b]0;pwned\x07人群推广", "\\x1b]0;pwned\\x07人群推广"), ("人群\x00推广", "人群\\x00推广")],
)
def test_a_name_with_a_control_character_is_refused_with_its_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, shown: str
) -> None:
    report = plan_report(
        tmp_path / "计划报表_20260618_090000.csv",
        "2026-06-18",
        {"77012003172": "春季新品推广", "77012000337": name},
    )
    db = tmp_path / "o.db"
    assert main(["ingest", str(report), "--store", "s1", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"line 3, column '计划名字': the campaign name '{shown}' holds " in err
    assert "fix: no platform writes this" in err
    assert "\x1b" not in err
    with Store.open(db, readonly=True) as store:
        assert all_names(store) == []


def test_product_names_of_the_item_rank_in_json_csv_and_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    rows = answer(capsys, db, [ITEM_RANK], ["uv"], "--by", "sku")
    names = {row["sku"]: row["name"] for row in rows}
    assert names["741747883413"] == "示例绞肉机 家用电动"
    assert names["681127000001"] == "示例切肉机"
    assert list(rows[0]) == ["sku", "name", "uv"]
    assert main(["query", "uv", "--by", "sku", "--format", "csv", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "sku,name,uv"
    assert "741747883413,示例绞肉机 家用电动,1203" in out
    assert main(["query", "uv", "--by", "sku", "--db", str(db)]) == 0
    table = capsys.readouterr().out
    assert "name" in table.splitlines()[0]
    assert "示例绞肉机 家用电动" in table


def test_a_key_without_a_name_is_null_and_total_rows_have_no_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    report = plan_report(
        tmp_path / "计划报表_20260618_090000.csv", "2026-06-18", {"77012003172": "-"}
    )
    assert answer(capsys, db, [report], ["spend"], "--by", "campaign") == [
        {"campaign": "77012003172", "name": None, "spend": 100}
    ]
    assert main(["query", "spend", "--format", "json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"spend": 100}]


def test_the_reader_hands_names_per_store_and_kind(tmp_path: Path) -> None:
    parsed = read(ITEM_RANK)
    list(parsed.points)
    assert parsed.names[("s1", "sku", "741747883413")] == "示例绞肉机 家用电动"
    assert all(kind == "sku" for _, kind, _ in parsed.names)


def test_a_product_daily_export_names_its_product_from_the_title_row(tmp_path: Path) -> None:
    path = tmp_path / "生意参谋_自助取数_商品.csv"
    path.write_text(
        csv_text([
            ["示例绞肉机 商品ID：741747883413"],
            ["统计日期", "访客数", "支付买家数"],
            ["2026-06-17", "120", "6"],
        ]),
        encoding="utf-8-sig",
    )  # fmt: skip
    parsed = read(path)
    assert parsed.format == "sycm_product_daily"
    assert parsed.names == {("s1", "sku", "741747883413"): "示例绞肉机"}


def test_clean_name() -> None:
    assert clean_name("  春季\n新品\x00推广 ") == "春季 新品推广"
    assert clean_name("\x1b\u200b") == ""
    assert len(clean_name("名" * 500)) == MAX_LENGTH


def test_name_of_is_only_for_a_filter_column_of_a_dimension_the_profile_has() -> None:
    base = {"name": "x", "title": "x", "platform": "x", "required": ["sku"]}
    with pytest.raises(ValueError, match="name_of is for a filter column"):
        Profile.model_validate(
            {**base, "fields": {"sku": {"role": "sku", "headers": ["id"], "name_of": "sku"}}}
        )
    with pytest.raises(ValueError, match="no such column"):
        Profile.model_validate(
            {
                **base,
                "fields": {
                    "sku": {"role": "sku", "headers": ["id"]},
                    "plan": {"role": "filter", "headers": ["plan"], "name_of": "campaign"},
                },
            }
        )

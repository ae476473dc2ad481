"""Bad files are refused whole, with a reason and the line and column where there is one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from opsboard_csv.errors import IncompleteFile

from csv_formats.support import FORMATS, csv_text, read
from opsboard.errors import RejectedInput

JD_HEADER = [
    "日期",
    "跟单SKU ID",
    "产品线",
    "账户昵称",
    "展现数",
    "点击数",
    "花费",
    "总订单行",
    "总订单金额",
]


def jd_file(tmp_path: Path, *rows: list[str], newline: bool = True) -> Path:
    """A 京准通 report holding ``rows``, with or without a final newline."""
    text = csv_text([JD_HEADER, *rows])
    path = tmp_path / "jzt.csv"
    path.write_text(text if newline else text.rstrip("\r\n"), encoding="utf-8")
    return path


GOOD = ["2026-08-01", "100017569947", "饮水设备", "账户", "2385", "49", "82.65", "1", "434.55"]


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n  \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(RejectedInput, match="empty file") as caught:
        read(path)
    assert caught.value.hint


def test_header_only_is_not_an_error(tmp_path: Path) -> None:
    parsed = read(jd_file(tmp_path))
    assert parsed.format == "jd_jzt_daily"
    assert list(parsed.points) == []
    assert parsed.rows == 0
    assert any("header only" in n for n in parsed.notices)


def test_header_only_needs_no_store(tmp_path: Path) -> None:
    assert read(jd_file(tmp_path), store=None).rows == 0


def test_no_store_for_a_file_that_names_none(tmp_path: Path) -> None:
    with pytest.raises(RejectedInput) as caught:
        read(jd_file(tmp_path, GOOD), store=None)
    assert caught.value.hint == "name the store with --store"


def test_truncated_last_line(tmp_path: Path) -> None:
    path = jd_file(tmp_path, GOOD, GOOD[:5], newline=False)
    with pytest.raises(RejectedInput, match="cut off") as caught:
        read(path)
    assert caught.value.line == 3
    assert "line 3" in str(caught.value)


def test_a_last_line_without_newline_may_be_cut_inside_its_number(tmp_path: Path) -> None:
    # 127.50 cut to 127 has every field: its column's amounts all have two decimals.
    cut = [*GOOD[:7], "3", "127"]
    path = jd_file(tmp_path, GOOD, cut, newline=False)
    with pytest.raises(IncompleteFile, match="cut off") as caught:
        read(path)
    assert caught.value.line == 3
    assert "'127'" in caught.value.message
    assert "2 decimals" in caught.value.message
    assert read(jd_file(tmp_path, GOOD, cut)).rows == 2  # the same rows, newline-ended
    assert read(jd_file(tmp_path, newline=False)).rows == 0  # a header alone is complete


def test_a_complete_last_line_without_newline_loads(tmp_path: Path) -> None:
    # Amazon and Shopify end their downloads without a newline: the last row decides.
    parsed = read(jd_file(tmp_path, GOOD, GOOD, newline=False))
    assert parsed.rows == 2
    path = jd_file(tmp_path, GOOD)
    inch = ",".join([GOOD[0], GOOD[1], '12" 饮水机', *GOOD[3:]])  # a lone quote, unquoted
    path.write_text(path.read_text(encoding="utf-8") + inch, encoding="utf-8")
    assert read(path).rows == 2


@pytest.mark.parametrize(
    ("last", "sign"),
    [
        ('434.55,"', "quoted cell"),
        ("434.", "start of a longer value"),
        ("", "every other row has a value"),
    ],
)
def test_a_last_row_cut_after_every_field(tmp_path: Path, last: str, sign: str) -> None:
    text = csv_text([JD_HEADER, GOOD, GOOD]).rstrip("\r\n")
    path = tmp_path / "jzt.csv"
    path.write_text(text.rsplit(",", 1)[0] + "," + last, encoding="utf-8")
    with pytest.raises(IncompleteFile, match="cut off") as caught:
        read(path)
    assert sign in caught.value.message
    assert caught.value.line == 3


def test_unparseable_number_names_line_column_found_and_expected(tmp_path: Path) -> None:
    bad = [*GOOD[:6], "82.6x5", *GOOD[7:]]
    with pytest.raises(RejectedInput) as caught:
        read(jd_file(tmp_path, GOOD, bad))
    error = caught.value
    assert (error.line, error.column) == (3, "花费")
    assert "'82.6x5'" in error.message
    assert "expected an amount" in error.message
    assert str(error).startswith("line 3, column '花费':")


def test_fractional_count_is_refused(tmp_path: Path) -> None:
    bad = [*GOOD[:4], "23.5", *GOOD[5:]]
    with pytest.raises(RejectedInput, match="whole number") as caught:
        read(jd_file(tmp_path, bad))
    assert (caught.value.line, caught.value.column) == (2, "展现数")


def test_scientific_notation_id_is_refused(tmp_path: Path) -> None:
    bad = [GOOD[0], "1.00018E+11", *GOOD[2:]]
    with pytest.raises(RejectedInput, match="rounded") as caught:
        read(jd_file(tmp_path, GOOD, bad))
    assert (caught.value.line, caught.value.column) == (3, "跟单SKU ID")


def test_excel_guarded_id_is_kept_whole(tmp_path: Path) -> None:
    guarded = [GOOD[0], '="100017569947"', *GOOD[2:]]
    assert {p[5] for p in read(jd_file(tmp_path, guarded)).points} == {"100017569947"}


def test_negative_amount_is_refused(tmp_path: Path) -> None:
    bad = [*GOOD[:6], "-5.00", *GOOD[7:]]
    with pytest.raises(RejectedInput, match="negative") as caught:
        read(jd_file(tmp_path, bad))
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1999-12-31", "before 2000"),
        ("2026-11-25", "in the future"),
        ("yesterday", "expected a date"),
        ("", "the date is empty"),
    ],
)
def test_implausible_or_unreadable_dates(tmp_path: Path, cell: str, message: str) -> None:
    bad = [cell, *GOOD[1:]]
    with pytest.raises(RejectedInput, match=message) as caught:
        read(jd_file(tmp_path, GOOD, bad))
    assert (caught.value.line, caught.value.column) == (3, "日期")


def test_two_days_ahead_is_still_plausible(tmp_path: Path) -> None:
    assert read(jd_file(tmp_path, ["2026-11-24", *GOOD[1:]])).period == (
        date(2026, 11, 24),
        date(2026, 11, 24),
    )


def test_unknown_format_names_the_closest_profile(tmp_path: Path) -> None:
    path = tmp_path / "mystery.csv"
    path.write_text("日期,跟单SKU ID,展现数,点击数\n2026-08-01,1,2,3\n", encoding="utf-8")
    with pytest.raises(RejectedInput) as caught:
        read(path)
    error = caught.value
    assert "not a known export format" in error.message
    assert "jd_jzt_daily" in error.message
    assert "花费" in error.message
    assert error.line == 1


def test_unknown_text_without_any_header(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    with pytest.raises(RejectedInput, match="not a known export format"):
        read(path)


def test_forced_format_that_does_not_fit(tmp_path: Path) -> None:
    with pytest.raises(RejectedInput, match="lacks: Day"):
        read(jd_file(tmp_path, GOOD), format="shopify_sessions_over_time")
    with pytest.raises(RejectedInput, match="no export format called 'nope'") as caught:
        read(jd_file(tmp_path, GOOD), format="nope")
    assert "jd_jzt_daily" in (caught.value.hint or "")


def test_forced_format_is_used(tmp_path: Path) -> None:
    assert read(FORMATS / "sp_campaign.csv", format="amazon_sp_campaign").rows == 2


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(RejectedInput):
        read(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RejectedInput, match="cannot be read"):
        read(tmp_path / "gone.csv")


def test_a_download_cut_inside_a_character(tmp_path: Path) -> None:
    text = csv_text([JD_HEADER, GOOD, GOOD[:3]]).rstrip("\r\n")
    path = tmp_path / "jzt.csv"
    path.write_bytes(text.encode("utf-8")[:-2])  # the last 设备 loses a byte
    with pytest.raises(RejectedInput, match="cut off") as caught:
        read(path)
    assert caught.value.line == 3


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    # 花费 1,234.00 written without quotes: read by position, spend would be 1 and the
    # order count 234.
    shifted = [*GOOD[:6], "1", "234.00", "1", "1.00"]
    with pytest.raises(RejectedInput, match="found 10 cells, expected 9") as caught:
        read(jd_file(tmp_path, GOOD, shifted))
    assert caught.value.line == 3
    assert "'1.00'" in caught.value.message
    assert "quote" in (caught.value.hint or "")


def test_empty_padding_cells_past_the_header_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text(csv_text([[*JD_HEADER, "", ""], [*GOOD, "", ""], [*GOOD, ""]]), "utf-8")
    assert read(path).rows == 2


def test_a_store_column_name_that_cannot_be_a_store_is_refused(tmp_path: Path) -> None:
    rows = [
        ["统计日期", "卖家昵称", "访客数", "支付买家数", "支付金额"],
        ["2026-06-18", "示例旗舰店", "1,000", "30", "3,000.00"],  # any script is fine
        ["2026-06-18", "my shop/2", "500", "10", "900.00"],
    ]
    path = tmp_path / "自助取数.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(RejectedInput, match="not allowed") as caught:
        read(path, store=None)
    assert (caught.value.line, caught.value.column) == (3, "卖家昵称")
    assert "'my shop/2'" in caught.value.message
    path.write_text(csv_text(rows[:2]), encoding="utf-8")
    assert {p[0] for p in read(path, store=None).points} == {"示例旗舰店"}


def test_a_repeated_day_in_a_store_report_is_refused(tmp_path: Path) -> None:
    rows = [
        ["统计日期", "访客数", "支付买家数", "支付金额"],
        ["2026-06-17", "900", "9", "90.00"],
        ["2026-06-18", "1000", "10", "100.00"],
        ["2026-06-18", "1000", "10", "100.00"],
    ]
    path = tmp_path / "自助取数.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(RejectedInput, match="repeats line 3") as caught:
        read(path)
    assert caught.value.line == 4
    assert "2026-06-18" in caught.value.message
    assert "count the day twice" in caught.value.message


def test_a_zip_is_held_to_the_size_limit_unpacked(tmp_path: Path) -> None:
    from csv_formats.support import zip_bytes

    body = csv_text([JD_HEADER, *[GOOD] * 2000])
    path = tmp_path / "报表.zip"
    path.write_bytes(zip_bytes({"jzt.csv": body.encode("utf-8")}))
    assert path.stat().st_size < 20_000 < len(body)
    from opsboard_csv.reader import read_file

    from csv_formats.support import SHANGHAI, TODAY

    with pytest.raises(RejectedInput, match="more than max_file_bytes \\(20000\\)"):
        read_file(path, store="s1", tz=SHANGHAI, today=TODAY, max_bytes=20_000)
    assert read_file(path, store="s1", tz=SHANGHAI, today=TODAY, max_bytes=10**6).rows == 2000


def test_a_pipe_separated_file_names_the_format_it_looks_like(tmp_path: Path) -> None:
    path = tmp_path / "jzt.csv"
    path.write_text("|".join(JD_HEADER) + "\n" + "|".join(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(RejectedInput, match="separated by '\\|'") as caught:
        read(path)
    assert "jd_jzt_daily" in caught.value.message
    assert caught.value.line == 1
    assert "comma-separated" in (caught.value.hint or "")

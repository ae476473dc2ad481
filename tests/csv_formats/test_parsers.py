"""Number, id and date parsers: examples, and properties checked by hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opsboard_csv.dates import DateError, find_dates, parse_date, slash_order
from opsboard_csv.numbers import (
    MISSING,
    Kind,
    NumberError,
    decimal_convention,
    parse_id,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("1,234", "count", 1234),
        ('"12,131"'.strip('"'), "count", 12131),
        ("¥1,234.50", "money", 1234.5),
        ("￥1,234.50", "money", 1234.5),
        ("$12,905.25", "money", 12905.25),
        ("MX$5,310.54", "money", 5310.54),
        ("₹1,08,218.36", "money", 108218.36),
        ("US$75.00", "money", 75.0),
        ("3.45%", "percent", 0.0345),
        ("3.45％", "percent", 0.0345),
        ("174.78%", "percent", 1.7478),
        ("0.03331", "fraction", 0.03331),
        ("1，234", "count", 1234),
        ("2.5万", "count", 25000),
        ("1.2亿", "money", 120000000),
        ("12.25", "number", 12.25),
        ("(12.00)", "money", -12.0),
    ],
)
def test_number_examples(text: str, kind: str, expected: float) -> None:
    assert parse_number(text, kind) == pytest.approx(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,56", ",", 1234.56),
        ("1 234,56", ",", 1234.56),
        ("1\u202f234,56", ",", 1234.56),
        ("12,50 €", ",", 12.5),
        ("1.234", ",", 1234.0),
        ("12", ",", 12.0),
    ],
)
def test_decimal_comma_examples(text: str, decimal: str, expected: float) -> None:
    assert parse_number(text, "money", decimal=decimal) == pytest.approx(expected)  # type: ignore[arg-type]


def test_decimal_convention_is_decided_from_amounts() -> None:
    assert decimal_convention(["1.234,56", "12,00", "--"]) == ","
    assert decimal_convention(["1 234,56", "7,5"]) == ","
    assert decimal_convention(["1,234.56", "12.00"]) == "."
    assert decimal_convention(["1.234", "2.000"]) == ","  # amounts never have 3 decimals
    assert decimal_convention(["1,234", "-"]) == "."
    assert decimal_convention(["0.125", "12.5"]) == "."  # 0.125 is no grouped thousand
    assert decimal_convention([]) == "."


@pytest.mark.parametrize(
    "text", ["abc", "12.3.4", "1,2,3x", "%", "¥", "12 apples", "12,50", "1,2345.00"]
)
def test_not_a_number(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text, "money")
    assert "expected an amount" in str(caught.value)


def test_percent_kind_refuses_a_bare_number_above_one() -> None:
    assert parse_number("0.7052", "percent") == pytest.approx(0.7052)  # a spreadsheet cell
    with pytest.raises(NumberError):
        parse_number("70.52", "percent")


#: Derandomised, so that a run is the same on every machine; no deadline on a shared CPU.
STEADY = settings(derandomize=True, deadline=None, max_examples=100)


@STEADY
@given(st.sampled_from(sorted(MISSING)), st.sampled_from(["", " ", "\t"]))
def test_missing_markers_are_none_never_zero(marker: str, pad: str) -> None:
    kinds: list[Kind] = ["count", "money", "number", "percent", "fraction"]
    for kind in kinds:
        assert parse_number(pad + marker.upper() + pad, kind) is None


@pytest.mark.parametrize("text", ["< 10%", "> 90%", "<10%"])
def test_censored_shares_are_missing(text: str) -> None:
    assert parse_number(text, "percent") is None


@STEADY
@given(st.sampled_from(["-", "--"]))
def test_dash_means_zero_only_where_the_profile_says(dash: str) -> None:
    assert parse_number(dash, "count", dash_is_zero=True) == 0
    assert parse_number(dash, "count") is None


@STEADY
@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_counts_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}", "count") == n
    assert parse_number(f"{n:,}".replace(",", "."), "count", decimal=",") == n
    assert parse_number(f"{n:,}".replace(",", " "), "count", decimal=",") == n


@STEADY
@given(
    st.integers(min_value=0, max_value=10**11),
    st.sampled_from(["", "¥", "￥", "$", "MX$", "€", "RMB "]),
)
def test_amounts_round_trip(cents: int, currency: str) -> None:
    shown = f"{cents / 100:,.2f}"
    assert parse_number(currency + shown, "money") == pytest.approx(cents / 100)
    european = shown.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_number(european + " €", "money", decimal=",") == pytest.approx(cents / 100)
    assert decimal_convention([european]) == ","
    if cents >= 100:
        assert decimal_convention([shown]) == "."


@STEADY
@given(st.integers(min_value=0, max_value=100_000))
def test_percent_strings_round_trip(hundredths: int) -> None:
    text = f"{hundredths / 100:.2f}%"
    assert parse_number(text, "percent") == pytest.approx(hundredths / 10_000)
    assert parse_number(text.replace("%", "％"), "fraction") == pytest.approx(hundredths / 10_000)


@STEADY
@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万", "亿"]))
def test_chinese_multipliers(tenths: int, unit: str) -> None:
    scale = 1e4 if unit == "万" else 1e8
    assert parse_number(f"{tenths / 10}{unit}", "number") == pytest.approx(tenths / 10 * scale)


@STEADY
@given(st.text(max_size=20))
def test_any_text_is_a_number_none_or_a_number_error(text: str) -> None:
    try:
        value = parse_number(text, "number")
    except NumberError:
        return
    assert value is None or isinstance(value, float)


@STEADY
@given(st.from_regex(r"[1-9][0-9]{4,19}", fullmatch=True))
def test_ids_stay_text_never_a_float(digits: str) -> None:
    assert parse_id(digits) == digits
    assert parse_id(f'="{digits}"') == digits
    assert isinstance(parse_id(digits), str)


@STEADY
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=10, max_value=20))
def test_scientific_ids_are_refused(mantissa: int, exponent: int) -> None:
    with pytest.raises(NumberError):
        parse_id(f"{mantissa}.81127E+{exponent}")


def test_asins_and_skus_are_kept() -> None:
    assert parse_id("B0CKPQNSHN") == "B0CKPQNSHN"
    assert parse_id("5K-SC4U-PO06") == "5K-SC4U-PO06"
    assert parse_id("741747883413.0") == "741747883413"
    assert parse_id("-") is None


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
EXCEL_EPOCH = date(1899, 12, 30)


@STEADY
@given(days)
def test_dates_round_trip_in_every_written_form(day: date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        day.strftime("%b %d, %Y"),
        day.strftime("%B %d, %Y"),
        f"{day.day} {day.strftime('%B')} {day.year}",
        f"{day.isoformat()} 00:00:00",
        str((day - EXCEL_EPOCH).days),
    ]
    for form in forms:
        assert parse_date(form) == day, form


@STEADY
@given(st.lists(days, min_size=1, max_size=30))
def test_slashed_dates_are_settled_over_the_whole_column(column: list[date]) -> None:
    column = [*column, date(2026, 6, 18)]  # one day above 12 settles the order
    us = [f"{d.month}/{d.day}/{d.year}" for d in column]
    eu = [f"{d.day:02}/{d.month:02}/{d.year}" for d in column]
    assert [parse_date(c, slash_order(us)) for c in us] == column
    assert [parse_date(c, slash_order(eu)) for c in eu] == column


def test_ambiguous_slashed_dates_use_the_profile_default() -> None:
    assert slash_order(["1/2/2026", "2/3/2026"]) == "mdy"
    assert slash_order(["1/2/2026"], default="dmy") == "dmy"
    assert slash_order(["01.02.2026"]) == "dmy"


@STEADY
@given(days, st.integers(min_value=0, max_value=90))
def test_title_ranges(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    for text in (
        f'"{first:%B} {first.day}, {first.year} - {last:%B} {last.day}, {last.year}"',
        f"{first:%b} {first.day}, {first.year} to {last:%b} {last.day}, {last.year}",
        f"统计时间：{first.isoformat()} ~ {last.isoformat()}",
        f"流量来源-{first.isoformat()}_{last.isoformat()}.xls",
    ):
        assert find_dates(text) == [first, last], text


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "32/01/2026", "Jun 31, 2026", "1.5"])
def test_not_a_date(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


def test_file_name_dates() -> None:
    assert find_dates("商品报表_20260619_110309.csv") == [date(2026, 6, 19)]
    assert find_dates("1 juin 2026 - 30 juin 2026") == [date(2026, 6, 1), date(2026, 6, 30)]
    assert find_dates("1. Juni 2026 - 30. Juni 2026") == [date(2026, 6, 1), date(2026, 6, 30)]

"""Shopify analytics exports as real stores download them: total sales over time (by day,
or by month as figures of each month's span), total sales by product, sessions with the
previous-year comparison (never read as the current year; the comparison-only row
skipped)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from csv_formats.support import FORMATS, read
from csv_formats.test_real_quirks import answer
from opsboard.cli.main import main
from opsboard.errors import RejectedInput

OVER_TIME = FORMATS / "Total sales over time - 2026-06-01 - 2026-06-03.csv"
BY_MONTH = FORMATS / "Total sales over time - 2026-01-01 - 2026-06-12.csv"
MONTH_AND_DAY = FORMATS / "Total sales over time - 2026-01-01 - 2026-02-28.csv"
BY_PRODUCT = FORMATS / "Total sales by product - 2026-06-01 - 2026-06-02.csv"
SESSIONS = FORMATS / "Sessions over time - 2025-02-27 - 2025-03-01.csv"
CHANNELS = FORMATS / "Channel performance - 2026-06-01 - 2026-06-30.csv"


def test_total_sales_over_time_by_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not OVER_TIME.read_bytes().endswith(b"\n")
    parsed = read(OVER_TIME)
    assert parsed.format == "shopify_sales_over_time"
    assert parsed.rows == 3
    assert any("comparison period" in n for n in parsed.notices)
    rows = answer(capsys, tmp_path / "o.db", [OVER_TIME], ["gmv", "orders"], "--by", "day")
    # gmv = Total sales - Returns: 301.60, 113.00 + 50.00, 77.76; the 2025 columns unread.
    assert rows == [
        {"day": "2026-06-01", "gmv": 301.6, "orders": 3},
        {"day": "2026-06-02", "gmv": 163.0, "orders": 2},
        {"day": "2026-06-03", "gmv": 77.76, "orders": 1},
    ]


def test_a_month_report_loads_each_month_as_its_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parsed = read(BY_MONTH)
    assert parsed.format == "shopify_sales_over_time"
    # June is cut to the days the file name names (exported through June 12).
    assert parsed.spans == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 6, 1), date(2026, 6, 12)),
    ]
    db = tmp_path / "m.db"
    whole = answer(capsys, db, [BY_MONTH], ["gmv", "orders"], "--from", "2026-01-01", "--to",
                   "2026-06-30")  # fmt: skip
    assert whole == [{"gmv": pytest.approx(3531519.65 + 2972825.62 + 990.35), "orders": 11570}]
    assert _gmv(capsys, db, "2026-06-01", "2026-06-12") == pytest.approx(990.35)
    # A period that holds only part of a month is not answered from it.
    assert _gmv(capsys, db, "2026-01-05", "2026-01-31") is None


def _gmv(capsys: pytest.CaptureFixture[str], db: Path, first: str, last: str) -> float | None:
    args = ["query", "gmv", "--from", first, "--to", last, "--format", "json", "--db", str(db)]
    assert main(args) == 0
    value: float | None = json.loads(capsys.readouterr().out)[0]["gmv"]
    return value


def test_a_month_and_day_grid_is_refused_with_how_to_download_it() -> None:
    with pytest.raises(RejectedInput) as caught:
        read(MONTH_AND_DAY)
    assert "both Month and Day" in caught.value.message
    assert "grouped by Day only" in (caught.value.hint or "")


def test_sales_by_product_are_per_product(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = answer(capsys, tmp_path / "o.db", [BY_PRODUCT], ["gmv"], "--by", "sku")
    # Gross sales + Discounts; the return-only day of the brush is 0, never negative.
    assert {r["sku"]: r["gmv"] for r in rows} == {"Glass Bottle, 1L": 111, "Bamboo Brush": 0}


@pytest.mark.parametrize("order", [[OVER_TIME, BY_PRODUCT], [BY_PRODUCT, OVER_TIME]])
def test_the_store_total_is_never_the_sum_of_products(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], order: list[Path]
) -> None:
    rows = answer(capsys, tmp_path / "o.db", order, ["gmv"], "--by", "day")
    assert rows[:2] == [{"day": "2026-06-01", "gmv": 301.6}, {"day": "2026-06-02", "gmv": 163.0}]


def test_sessions_with_the_previous_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SESSIONS.read_bytes().endswith(b",")  # the comparison-only row, no newline
    rows = answer(capsys, tmp_path / "o.db", [SESSIONS], ["sessions", "uv", "converted_sessions"])
    assert rows == [{"sessions": 3600, "uv": 3050, "converted_sessions": 74}]


def test_channel_performance_loads_each_platform_under_its_channel_for_the_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not CHANNELS.read_bytes().endswith(b"\n")
    parsed = read(CHANNELS)
    assert parsed.format == "shopify_channel_performance"
    assert parsed.spans == [(date(2026, 6, 1), date(2026, 6, 30))]
    assert not any("汇总" in n for n in parsed.notices)
    june = ["--from", "2026-06-01", "--to", "2026-06-30"]
    db = tmp_path / "c.db"
    rows = answer(capsys, db, [CHANNELS], ["sessions", "gmv", "spend"], "--by", "channel", *june)
    by_channel = {r["channel"]: (r["sessions"], r["gmv"], r["spend"]) for r in rows}
    # Type and Channel together: paid search is not organic search, paid social is display.
    assert by_channel == {
        "paid_search": (1200, 5400.5, 800.25),
        "organic_search": (3000, 9000, None),
        "display": (800, 1200, 600),
        "content": (400, 300, None),
        "direct": (2500, 12000, None),
        "other": (300, 2100, None),
    }
    total = answer(capsys, db, [CHANNELS], ["sessions", "gmv", "orders", "spend"], *june)
    assert total == [{"sessions": 8200, "gmv": 30000.5, "orders": 155, "spend": 1400.25}]
    # A re-load changes nothing; a day of the span alone is never answered from it.
    assert answer(capsys, db, [CHANNELS], ["gmv"], *june) == [{"gmv": 30000.5}]
    assert _gmv(capsys, db, "2026-06-01", "2026-06-01") is None

"""Quirks of real downloads, reproduced byte for byte in small synthetic files: read through
the reader, then through `opsboard ingest` and `opsboard query` as a user would."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from opsboard_csv.numbers import parse_number
from opsboard_csv.profiles import normalise_header

from csv_formats.support import FORMATS, csv_text, read
from opsboard.cli.main import main

UK_REPORT = FORMATS / "BusinessReport-child-uk.csv"


def answer(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    files: list[Path],
    metrics: list[str],
    *extra: str,
    day: str | None = None,
) -> list[dict[str, Any]]:
    """Ingest ``files`` into ``db`` with the command line, then its JSON query answer."""
    dated = ["--date", day] if day else []
    code = main(["ingest", *map(str, files), "--store", "s1", *dated, "--db", str(db)])
    _out, err = capsys.readouterr()
    assert code == 0, err
    code = main(["query", *metrics, "--store", "s1", *extra, "--format", "json", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def test_business_report_without_final_newline_loads() -> None:
    data = UK_REPORT.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith("£0.00,19,0".encode())  # no newline, as Amazon writes it
    parsed = read(UK_REPORT, day=date(2026, 11, 6))
    assert parsed.rows == 5


def test_sessions_of_a_pair_are_counted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = answer(
        capsys,
        tmp_path / "o.db",
        [UK_REPORT],
        ["sessions", "pv", "units", "gmv", "orders"],
        day="2026-11-06",
    )
    # 1,110 on two SKU rows of one pair counts once; B0CHILD001 under a second parent
    # adds that pair's 20.
    assert rows == [{"sessions": 1171, "pv": 1483, "units": 25, "gmv": 1369.76, "orders": 25}]
    by_sku = answer(capsys, tmp_path / "o.db", [UK_REPORT], ["sessions"], "--by", "sku",
                    day="2026-11-06")  # fmt: skip
    assert {r["sku"]: r["sessions"] for r in by_sku} == {
        "B0CHILD001": 1130,
        "B0CHILD002": 40,
        "B0CHILD003": 1,
    }


def test_a_pair_whose_repeated_figure_differs_is_refused(tmp_path: Path) -> None:
    text = UK_REPORT.read_text(encoding="utf-8-sig").replace('"1,110"', '"1,111"', 1)
    path = tmp_path / "BusinessReport-edited.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="B0PARENT01 / B0CHILD001") as caught:
        read(path, day=date(2026, 11, 6))
    assert "line 3" in str(caught.value)


INDIA = FORMATS / "Sponsored Products Campaign report India.csv"


def test_india_campaign_report_money(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `14 Day Total Sales (₹)` over `Rs.961.62`, unrounded CPC, Indian digit grouping.
    rows = answer(
        capsys,
        tmp_path / "o.db",
        [INDIA],
        ["spend", "clicks", "impressions", "ad_gmv", "ad_orders"],
        "--by",
        "day",
        "--from",
        "2020-02-01",
        "--to",
        "2020-02-02",
    )
    assert rows == [
        {"day": "2020-02-01", "spend": 457.6, "clicks": 31, "impressions": 4675,
         "ad_gmv": 961.62, "ad_orders": 3},
        {"day": "2020-02-02", "spend": 108218.36, "clicks": 20, "impressions": 1200,
         "ad_gmv": 24000000.5, "ad_orders": 7},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Rs.1000.0", 1000.0),
        ("Rs 1,08,218.36", 108218.36),
        ("₹1,08,218.36", 108218.36),
        ("£605.46", 605.46),
        ("US$12.50", 12.5),
        ("MX$1,234.00", 1234.0),
        ("R$ 99.90", 99.9),
        ("C$5.00", 5.0),
        ("A$5.00", 5.0),
        ("CA$5.00", 5.0),
        ("AU$5.00", 5.0),
        ("¥1,200", 1200.0),
        ("AED 75.00", 75.0),
        ("SEK 10.00", 10.0),
        ("10.00 NOK", 10.0),
        ("12.50 zł", 12.5),
        ("zł12.50", 12.5),
        ("kr 99.00", 99.0),
        ("99.00 kr", 99.0),
        ("CHF 3.20", 3.2),
        ("Rs.14.217777799999999", 14.217777799999999),
        ("-Rs.5.00", -5.0),
    ],
)
def test_currency_prefixes_of_every_marketplace(cell: str, value: float) -> None:
    assert parse_number(cell, "money") == pytest.approx(value)


@pytest.mark.parametrize(
    "header",
    ["14 Day Total Sales (₹)", "14 Day Total Sales (£)", "14 Day Total Sales (元)",
     "14 Day Total Sales ", "14 Day Total Sales (USD)", "14 Day Total Sales(€)"],
)  # fmt: skip
def test_header_units_are_not_part_of_the_name(header: str) -> None:
    assert normalise_header(header) == normalise_header("14 Day Total Sales")


def test_a_column_the_format_relies_on_is_named_when_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.reader(io.StringIO(INDIA.read_text(encoding="utf-8"))))
    rows = [row[:-1] for row in rows]  # no sales column
    rows[0][-2] = "Orders"  # and the orders under another name
    path = tmp_path / "Sponsored Products Campaign report.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    parsed = read(path)
    gaps = [n for n in parsed.notices if n.startswith("missing column")]
    assert len(gaps) == 2
    assert "'7 Day Total Sales'" in gaps[0]
    assert "ad_gmv is not loaded" in gaps[0]
    assert "ad_orders is not loaded" in gaps[1]
    code = main(["ingest", str(path), "--store", "s1", "--db", str(tmp_path / "o.db")])
    out, _err = capsys.readouterr()
    assert code == 0
    assert "note: missing column '7 Day Total Sales'" in out

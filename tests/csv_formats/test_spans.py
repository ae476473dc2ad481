"""Summary reports over a date range load as figures of their span (DESIGN.md section 3,
"Spans"), checked through ``opsboard ingest`` and ``opsboard query`` as a user runs them:
a span answers a period that contains it, never a day, never added to day figures of the
same scope, and a span the period only partly covers is left out with a note."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csv_formats.support import FORMATS
from opsboard.cli.main import main

TERMS = FORMATS / "Sponsored Products Search term report range.csv"
GOOGLE = FORMATS / "Campaign report range.csv"
DAILY_HEADER = (
    "Date,Start Date,End Date,Portfolio name,Campaign Type,Campaign Name,Status,Currency,"
    "Budget,Targeting Type,Bidding strategy,Impressions,Clicks,Click-Thru Rate (CTR),Spend,"
    "Cost Per Click (CPC),14 Day Total Orders (#),Total Advertising Cost of Sales (ACoS),"
    "14 Day Total Sales (₹)"
)


def ingest(capsys: pytest.CaptureFixture[str], db: Path, *files: Path, day: str = "") -> str:
    """Run ``opsboard ingest``; its per-file lines (it must succeed)."""
    dated = ["--date", day] if day else []
    code = main(["ingest", *map(str, files), "--store", "s1", *dated, "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def query(
    capsys: pytest.CaptureFixture[str], db: Path, metrics: list[str], *extra: str
) -> tuple[list[dict[str, Any]], str]:
    """Run ``opsboard query --format json``: its rows and its stderr notes."""
    code = main(["query", *metrics, "--store", "s1", *extra, "--format", "json", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows, err


def daily_campaign(tmp_path: Path, campaign: str, first: int, last: int) -> Path:
    """An India campaign report by day (``Rs.`` money), 10 spend and 5 clicks a day."""
    lines = [DAILY_HEADER]
    for day in range(first, last + 1):
        lines.append(
            f'"Jun {day}, 2026","Nov 22, 2025",,No Portfolio,Sponsored Products,{campaign},'
            "ENABLED,INR,Rs.1000.0,MANUAL,Fixed bids,100,5,5.00%,Rs.10.0,Rs.2.0,1,50.00%,"
            "Rs.20.0"
        )
    path = tmp_path / f"campaign {first}-{last}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_search_term_report_over_a_range_loads_as_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert TERMS.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not TERMS.read_bytes().endswith(b"\n")  # as Amazon writes it
    db = tmp_path / "o.db"
    line = ingest(capsys, db, TERMS)
    # Rows of one file covering different ranges keep each their own span.
    assert "spans 2026-06-01 .. 2026-06-07, 2026-06-01 .. 2026-06-30" in line
    metrics = ["spend", "clicks", "impressions", "ad_gmv", "cpc"]
    june = ["--from", "2026-06-01", "--to", "2026-06-30"]
    rows, notes = query(capsys, db, metrics, "--by", "campaign", *june)
    assert rows == [
        {"campaign": "SP - Tumblers - Auto", "name": None, "spend": 33, "clicks": 40,
         "impressions": 2000, "ad_gmv": 1120, "cpc": 0.825},
        {"campaign": "SP - Tumblers - Exact", "name": None, "spend": 20, "clicks": 20,
         "impressions": 500, "ad_gmv": 80, "cpc": 1.0},
    ]  # fmt: skip
    assert notes == ""
    assert query(capsys, db, ["spend"])[0] == [{"spend": 53}]  # all time holds both
    # A re-load changes nothing.
    ingest(capsys, db, TERMS)
    assert query(capsys, db, ["spend"], *june)[0] == [{"spend": 53}]


def test_a_span_the_period_only_partly_covers_is_left_out_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    ingest(capsys, db, TERMS)
    rows, notes = query(capsys, db, ["spend"], "--from", "2026-06-01", "--to", "2026-06-10")
    assert rows == [{"spend": 20}]  # the week's span only
    assert "spend of the span 2026-06-01 .. 2026-06-30 left out" in notes
    assert "covers only part of it" in notes
    # Never spread over days, never put on one.
    rows, notes = query(capsys, db, ["spend"], "--by", "day")
    assert rows == []
    assert "never put on one day" in notes


@pytest.mark.parametrize("terms_first", [True, False])
def test_day_figures_covering_the_span_win_in_either_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terms_first: bool
) -> None:
    db = tmp_path / "o.db"
    week = daily_campaign(tmp_path, "SP - Tumblers - Exact", 1, 7)
    ingest(capsys, db, *([TERMS, week] if terms_first else [week, TERMS]))
    june = ["--from", "2026-06-01", "--to", "2026-06-30"]
    rows, notes = query(capsys, db, ["spend", "clicks"], "--by", "campaign", *june)
    # Exact: its 7 days (70 / 35) win over its week's span (20 / 20), never added to it.
    assert rows == [
        {"campaign": "SP - Tumblers - Auto", "name": None, "spend": 33, "clicks": 40},
        {"campaign": "SP - Tumblers - Exact", "name": None, "spend": 70, "clicks": 35},
    ]
    assert notes == ""
    assert query(capsys, db, ["spend"], *june)[0] == [{"spend": 103}]


def test_day_figures_covering_part_of_a_span_leave_it_out_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    ingest(capsys, db, TERMS, daily_campaign(tmp_path, "SP - Tumblers - Auto", 17, 18))
    rows, notes = query(capsys, db, ["spend"], "--by", "campaign")
    assert rows == [
        {"campaign": "SP - Tumblers - Auto", "name": None, "spend": 20},  # its two days only
        {"campaign": "SP - Tumblers - Exact", "name": None, "spend": 20},
    ]
    assert "of the span 2026-06-01 .. 2026-06-30 left out: day figures of the same scope " in notes
    assert "cover 2 of its 30 days" in notes


def test_google_range_report_loads_as_a_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert GOOGLE.read_bytes().startswith(b"\xff\xfe")  # UTF-16LE, tabs, en-GB range title
    db = tmp_path / "o.db"
    line = ingest(capsys, db, GOOGLE)
    assert "span 2026-01-27 .. 2026-02-23" in line
    assert "account's own figure for the span 2026-01-27 .. 2026-02-23" in line
    period = ["--from", "2026-01-01", "--to", "2026-02-28"]
    # Total: Account holds Performance Max too: the store's figure is Google's own.
    metrics = ["spend", "clicks", "impressions"]
    rows, notes = query(capsys, db, metrics, *period)
    assert rows == [{"spend": 164.11, "clicks": 151, "impressions": 10708}]
    assert notes == ""
    rows, _ = query(capsys, db, ["spend"], "--by", "campaign", *period)
    assert rows == [
        {"campaign": "Brand – Exact", "name": None, "spend": 50.12},
        {"campaign": "Generic", "name": None, "spend": 20.3},
    ]
    rows, notes = query(capsys, db, ["spend"], "--from", "2026-02-01", "--to", "2026-02-28")
    assert rows == [{"spend": None}]
    assert "left out: the period asked covers only part of it" in notes


def test_date_never_puts_a_span_on_one_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    line = ingest(capsys, db, GOOGLE, day="2026-02-01")
    assert "span 2026-01-27 .. 2026-02-23" in line
    assert "--date 2026-02-01 was not used" in line
    code = main(["ingest", str(GOOGLE), "--store", "s1", "--date", "2026-03-01", "--db", str(db)])
    _out, err = capsys.readouterr()
    assert code != 0
    assert "covers 2026-01-27 .. 2026-02-23, and --date 2026-03-01 is not in it" in err


def test_term_rows_over_their_own_ranges_answer_for_their_campaign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A summary search term report gives each term its own first and last day of
    # activity (CRLF, `$` money, `7 Day Total Sales ` with its trailing space). Each term
    # is a scope of its own under its campaign, so each keeps its own span (or day), and
    # the campaign is the sum of its terms over a period that holds them all.
    db = tmp_path / "o.db"
    line = ingest(capsys, db, FORMATS / "Sponsored Products Search term report per-term ranges.csv")
    assert "2025-07-18 .. 2025-07-31, spans 2025-07-01 .. 2025-07-30, 2025-07-02 .. " in line
    assert "overlap" not in line
    july = ["--from", "2025-07-01", "--to", "2025-07-30"]
    rows, notes = query(capsys, db, ["spend", "clicks", "impressions"], "--by", "campaign", *july)
    assert rows == [
        {"campaign": "SP - Auto", "name": None, "spend": 8, "clicks": 16, "impressions": 160},
        {"campaign": "SP - Exact", "name": None, "spend": 3.5, "clicks": 7, "impressions": 70},
    ]
    assert notes == ""
    rows, notes = query(capsys, db, ["spend"], "--by", "day")
    # The day rows of the term `kids tumbler` are its own figures of those days.
    assert rows == [{"day": "2025-07-18", "spend": 0.5}, {"day": "2025-07-31", "spend": 1}]
    assert notes.count("never put on one day") == 4


def test_google_keyword_report_totals_labelled_in_the_third_cell_are_not_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # UTF-16 tabs, an en-GB range title, `Total:` labels after two empty (or ` --`) cells.
    path = FORMATS / "Search keyword report range.csv"
    db = tmp_path / "o.db"
    line = ingest(capsys, db, path)
    assert "2 rows" in line
    assert "span 2026-05-01 .. 2026-05-08" in line
    rows, _ = query(capsys, db, ["spend", "clicks", "impressions", "conversions"])
    assert rows == [{"spend": 164.11, "clicks": 54, "impressions": 10708, "conversions": 7}]
    rows, _ = query(capsys, db, ["spend"], "--by", "campaign")
    assert rows == [{"campaign": "Towing Near Me", "name": None, "spend": 0.12}]

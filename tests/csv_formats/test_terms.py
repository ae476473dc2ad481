"""Search terms as their own scope under the campaign (DESIGN.md section 3, "The finest
scope is kept"), through ``opsboard ingest`` and ``opsboard query`` as a user runs them:
a campaign report and a search term report of the same days answer the same in either
load order (the campaign's own figure is the campaign's and the store's; its terms' sum
only where it has none), ``--by term`` lists the terms with their money, and Google's
``Total: Other search terms`` is the term ``(other search terms)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_formats.support import FORMATS
from csv_formats.test_spans import ingest, query

INDIA_CAMPAIGNS = FORMATS / "Sponsored Products Campaign report India.csv"
INDIA_TERMS = FORMATS / "Sponsored Products Search term report India.csv"
GOOGLE_CAMPAIGNS = FORMATS / "Campaign report range.csv"
GOOGLE_TERMS = FORMATS / "Search terms report range.csv"
FEB_1 = ["--from", "2020-02-01", "--to", "2020-02-01"]
AD = ["impressions", "clicks", "spend", "ad_gmv", "ad_orders"]


@pytest.mark.parametrize("terms_first", [True, False])
def test_amazon_campaign_and_term_reports_answer_the_same_in_either_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terms_first: bool
) -> None:
    assert not INDIA_TERMS.read_bytes().endswith(b"\n")  # `Rs.` money, no final newline
    db = tmp_path / "o.db"
    files = [INDIA_TERMS, INDIA_CAMPAIGNS] if terms_first else [INDIA_CAMPAIGNS, INDIA_TERMS]
    for file in files:
        ingest(capsys, db, file)
    # The campaign report's figures (impressions 782 + 3893, not the terms' 500 + 2000),
    # plus Face Wash, a campaign only the term report has, from its terms.
    store = [{"impressions": 4975, "clicks": 35, "spend": 497.6, "ad_gmv": 1111.62,
              "ad_orders": 4}]  # fmt: skip
    assert query(capsys, db, AD, *FEB_1) == (store, "")
    campaigns, _ = query(capsys, db, ["impressions", "spend"], "--by", "campaign", *FEB_1)
    assert campaigns == [
        {"campaign": "Face Wash || SP || Auto", "name": None, "impressions": 300, "spend": 40},
        {"campaign": "Hair Oil || SP || Generic || 18th Jan'19", "name": None, "impressions": 782,
         "spend": 201.68},
        {"campaign": "Sunscreen || SP || Auto", "name": None, "impressions": 3893, "spend": 255.92},
    ]  # fmt: skip
    # Spend on terms with no orders, by term with its money.
    terms, _ = query(capsys, db, ["spend", "ad_orders"], "--by", "term", *FEB_1)
    assert terms == [
        {"term": "face wash", "spend": 40, "ad_orders": 1},
        {"term": "hair oil", "spend": 120, "ad_orders": 2},
        {"term": "onion hair oil", "spend": 81.68, "ad_orders": 1},
        {"term": "sunscreen spf 50", "spend": 255.92, "ad_orders": 0},
    ]
    one, _ = query(capsys, db, ["spend"], "--term", "hair oil", *FEB_1)
    assert one == [{"spend": 120}]
    hair = ["--campaign", "Hair Oil || SP || Generic || 18th Jan'19", *FEB_1]
    assert query(capsys, db, ["spend"], *hair)[0] == [{"spend": 201.68}]
    # A re-load of either file changes nothing.
    ingest(capsys, db, files[0])
    assert query(capsys, db, AD, *FEB_1) == (store, "")


def test_google_search_terms_report_loads_with_the_rest_and_the_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = GOOGLE_TERMS.read_bytes()
    assert data.startswith(b"\xff\xfe")  # "CSV (Excel)": UTF-16LE, tabs
    assert data.endswith(b"\n\x00")
    db = tmp_path / "o.db"
    line = ingest(capsys, db, GOOGLE_TERMS)
    assert "span 2026-01-27 .. 2026-02-23" in line
    assert "stored as the term '(other search terms)'" in line
    # The store is Google's `Total: Account`, not the listed terms (42.00) nor with the rest.
    assert query(capsys, db, ["spend", "clicks", "impressions"])[0] == [
        {"spend": 164.11, "clicks": 151, "impressions": 10708}
    ]
    terms, _ = query(capsys, db, ["spend", "conversions"], "--by", "term")
    assert terms == [
        {"term": "(other search terms)", "spend": 28.42, "conversions": 1},
        {"term": "brand shoes", "spend": 32, "conversions": 2},  # two ad groups, ` --`
        {"term": "running shoes", "spend": 10, "conversions": 0},
        {"term": "trail shoes", "spend": 0, "conversions": 0},
    ]
    campaigns, _ = query(capsys, db, ["spend"], "--by", "campaign")
    assert campaigns == [
        {"campaign": "Brand – Exact", "name": None, "spend": 32},
        {"campaign": "Generic", "name": None, "spend": 10},
    ]


@pytest.mark.parametrize("terms_first", [True, False])
def test_google_campaign_and_search_terms_reports_of_one_span_in_either_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terms_first: bool
) -> None:
    db = tmp_path / "o.db"
    files = [GOOGLE_TERMS, GOOGLE_CAMPAIGNS] if terms_first else [GOOGLE_CAMPAIGNS, GOOGLE_TERMS]
    for file in files:
        ingest(capsys, db, file)
    for _ in range(2):  # and again after a re-load
        assert query(capsys, db, ["spend"]) == ([{"spend": 164.11}], "")
        campaigns, notes = query(capsys, db, ["spend", "clicks"], "--by", "campaign")
        assert campaigns == [
            {"campaign": "Brand – Exact", "name": None, "spend": 50.12, "clicks": 64},
            {"campaign": "Generic", "name": None, "spend": 20.3, "clicks": 20},
        ]
        assert notes == ""
        terms, _ = query(capsys, db, ["spend"], "--by", "term")
        assert [t["term"] for t in terms] == [
            "(other search terms)", "brand shoes", "running shoes", "trail shoes"
        ]  # fmt: skip
        ingest(capsys, db, files[0])


def test_a_long_search_term_a_shopper_typed_loads(tmp_path: Path) -> None:
    # Real Amazon search term reports list queries of 180 characters and more.
    from csv_formats.support import read

    long_term = "gradient water bottle " * 8  # 176 characters
    text = (FORMATS / "sp_search_term.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "Sponsored_Products_Search_term_report.csv"
    path.write_text(text.replace("insulated tumbler", long_term.strip()), encoding="utf-8")
    parsed = read(path)
    assert long_term.strip() in {p.term for p in parsed.fine_points}
    path.write_text(text.replace("insulated tumbler", "x" * 600), encoding="utf-8")
    from opsboard.errors import RejectedInput

    with pytest.raises(RejectedInput, match="at most 512"):
        read(path)

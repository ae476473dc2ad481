"""Google Ads downloads as real accounts give them: account-level daily reports with no
Campaign column under a saved report's title, UTF-16 tab-separated "CSV (Excel)" files,
` --` for missing, `Total:` rows never added (`Total: Account` of a one-day report is the
store's own figure), range reports as figures of their span, search terms reports as
terms of their span, and clear refusals for All time reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csv_formats.support import FORMATS, read
from csv_formats.test_real_quirks import answer
from opsboard.errors import RejectedInput

ACCOUNT_DAILY = FORMATS / "google-account-level-daily report.csv"
ONE_DAY = FORMATS / "Campaign report 18 June 2026.csv"
RANGE = FORMATS / "Campaign report range.csv"


def test_account_level_daily_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read(ACCOUNT_DAILY)
    assert parsed.format == "google_ads_account"
    metrics = ["spend", "clicks", "impressions", "ad_gmv", "conversions"]
    rows = answer(capsys, tmp_path / "o.db", [ACCOUNT_DAILY], metrics, "--by", "day")
    assert rows == [
        {"day": "2026-06-01", "spend": 1495.08, "clicks": 5718, "impressions": 338838,
         "ad_gmv": 8590.75, "conversions": 130.72},
        {"day": "2026-06-02", "spend": 1703.37, "clicks": 6022, "impressions": 373641,
         "ad_gmv": 5455.17, "conversions": 98.25},
        {"day": "2026-06-03", "spend": 0, "clicks": 0, "impressions": 0, "ad_gmv": 0,
         "conversions": 0},
    ]  # fmt: skip
    again = answer(capsys, tmp_path / "o.db", [ACCOUNT_DAILY], metrics)  # a re-load
    assert again == [{"spend": 3198.45, "clicks": 11740, "impressions": 712479,
                      "ad_gmv": 14045.92, "conversions": 228.97}]  # fmt: skip


def test_account_total_of_a_one_day_report_is_the_store_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ONE_DAY.read_bytes().startswith(b"\xff\xfe")  # UTF-16LE, tabs: "CSV (Excel)"
    parsed = read(ONE_DAY)
    assert parsed.rows == 2
    assert any("'Total: Account' row (line 7)" in n for n in parsed.notices)
    db = tmp_path / "o.db"
    store = answer(capsys, db, [ONE_DAY], ["spend", "clicks", "impressions", "conversions"])
    # The rows list two campaigns (70.42); Google's account figure holds Performance Max too.
    assert store == [{"spend": 164.11, "clicks": 151, "impressions": 10708, "conversions": 7}]
    campaigns = answer(capsys, db, [ONE_DAY], ["spend"], "--by", "campaign")
    assert campaigns == [
        {"campaign": "Brand – Exact", "name": None, "spend": 50.12},
        {"campaign": "Generic", "name": None, "spend": 20.3},
    ]


def test_a_range_report_loads_as_figures_of_its_span() -> None:
    parsed = read(RANGE)
    assert (parsed.period, parsed.spans) == (None, [(date(2026, 1, 27), date(2026, 2, 23))])
    assert {p[1] for p in list(parsed.points)} == {"span:28"}  # see test_spans for queries


def utf16_variant(tmp_path: Path, old: str, new: str) -> Path:
    """The one-day report with ``old`` replaced by ``new``, saved as Google saves it."""
    text = ONE_DAY.read_bytes().decode("utf-16").replace(old, new)
    path = tmp_path / "report.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def test_all_time_is_refused_with_how_to_download_dates(tmp_path: Path) -> None:
    path = utf16_variant(tmp_path, "18 June 2026 - 18 June 2026", "All time")
    with pytest.raises(RejectedInput) as caught:
        read(path, day=None)
    assert "All time" in caught.value.message
    assert "date range" in (caught.value.hint or "")


def test_a_search_terms_report_loads_as_terms_of_its_span(tmp_path: Path) -> None:
    # Search terms reports were refused until terms had a scope of their own (DESIGN 3,
    # "the finest scope is kept"); test_terms checks their answers.
    path = utf16_variant(tmp_path, "Campaign status\t", "Search term\t")
    path.write_bytes(
        path.read_bytes().decode("utf-16").replace("18 June 2026 - 18", "1 June 2026 - 30")
        .encode("utf-16")
    )  # fmt: skip
    parsed = read(path)
    assert parsed.format == "google_ads_search_terms"
    assert parsed.spans == [(date(2026, 6, 1), date(2026, 6, 30))]
    assert {p.term for p in parsed.fine_points} == {"Enabled"}  # the Search term column


def test_a_campaign_report_with_an_account_column_stays_a_campaign_report(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Campaign report.csv"
    path.write_text(
        "Campaign report\n"
        '"June 1, 2026 - June 1, 2026"\n'
        "Account,Day,Campaign,Impr.,Clicks,Cost\n"
        "Example Store,2026-06-01,Brand,100,5,2.50\n",
        encoding="utf-8",
    )
    parsed = read(path)
    assert parsed.format == "google_ads_campaign"
    assert {p[4] for p in parsed.points} == {"Brand"}

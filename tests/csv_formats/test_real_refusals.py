"""A report of a type opsboard does not read yet is named as such, with the formats of its
own platform it does read and the closest of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_formats.support import read
from opsboard.errors import RejectedInput

CHANNEL_PERFORMANCE = (
    "Referring platform,Channel,Type,Sessions,Sales,Orders,Conversion rate,Cost,ROAS,CPA,"
    "CTR,AOV,Orders from new customers,Orders from returning customers\n"
    "Google,Search,Paid,1200,5400.5,40,0.0333,800.12,6.75,20.0,,135.01,30,10\n"
)
AVERAGE_ORDER_VALUE = '"Day","Orders","Average order value"\n"2026-06-01",3,100.53\n'
GOOGLE_AD_REPORT = (
    "Ad report\n"
    '"January 20, 2026 - January 21, 2026"\n'
    "Ad status,Final URL,Headline 1,Campaign,Ad group,Impr.,Interactions,Currency code,Cost\n"
    "Enabled,https://example.com,Buy now,Brand,Group 1,305, --,USD,117.06\n"
)


def refusal(tmp_path: Path, name: str, text: str) -> RejectedInput:
    """The refusal of a file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RejectedInput) as caught:
        read(path)
    return caught.value


def test_an_unread_shopify_report_is_named_with_the_shopify_formats(tmp_path: Path) -> None:
    error = refusal(tmp_path, "Average order value over time.csv", AVERAGE_ORDER_VALUE)
    message = error.message
    assert "a Shopify report of a type opsboard does not read yet" in message
    assert "it reads: Shopify channel performance; Shopify total sales by product" in message
    assert "the closest is Shopify" in message
    assert "Amazon" not in message
    assert error.line == 1


def test_an_unread_google_report_is_named_with_the_google_formats(tmp_path: Path) -> None:
    message = refusal(tmp_path, "Ad report.csv", GOOGLE_AD_REPORT).message
    assert "a Google Ads report of a type opsboard does not read yet" in message
    assert "the closest is Google Ads campaign report (google_ads_campaign)" in message
    assert "lacks: Clicks" in message


def test_a_range_report_that_names_no_days_says_how_to_name_them(tmp_path: Path) -> None:
    error = refusal(tmp_path, "Channel performance.csv", CHANNEL_PERFORMANCE)
    assert "holds figures of the days it was exported for, and names none" in error.message
    assert "'Channel performance - 2026-06-01 - 2026-06-30.csv'" in (error.hint or "")
    assert "--date" not in (error.hint or "")

"""A report's refusal in Chinese under ``zh-CN``: the format's Chinese title and the
profile's own reason and hint in Chinese; the headers and values quoted as found."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_formats.support import read
from opsboard import i18n
from opsboard.errors import RejectedInput

REPO = Path(__file__).resolve().parents[2]
GOOGLE_CAMPAIGNS = REPO / "tests" / "data" / "samples" / "google_ads_campaign.csv"
GOOGLE_AD_REPORT = (
    "Ad report\n"
    '"January 20, 2026 - January 21, 2026"\n'
    "Ad status,Final URL,Headline 1,Campaign,Ad group,Impr.,Interactions,Currency code,Cost\n"
    "Enabled,https://example.com,Buy now,Brand,Group 1,305, --,USD,117.06\n"
)


def _refusal(path: Path) -> RejectedInput:
    with pytest.raises(RejectedInput) as caught:
        read(path)
    return caught.value


def test_an_unknown_report_is_named_with_the_chinese_titles(tmp_path: Path) -> None:
    path = tmp_path / "Ad report.csv"
    path.write_text(GOOGLE_AD_REPORT, encoding="utf-8")
    i18n.set_language("zh-CN")
    message = _refusal(path).message
    assert message.startswith(
        "Ad report.csv：不是已知的导出格式：是 opsboard 尚不能读取的一种 Google Ads 报表（表头："
    )
    assert "能读取的有：Google Ads 账户报告；Google Ads 广告系列报告；" in message
    assert (
        "最接近的是 Google Ads 广告系列报告（google_ads_campaign），但表头缺少：Clicks" in message
    )
    i18n.set_language("en")
    assert (
        "the closest is Google Ads campaign report (google_ads_campaign)" in _refusal(path).message
    )


def test_a_profile_refusal_gives_its_own_chinese_reason_and_hint(tmp_path: Path) -> None:
    text = GOOGLE_CAMPAIGNS.read_text("utf-8").replace('"June 1, 2026 - June 30, 2026"', "All time")
    path = tmp_path / "Campaign report.csv"
    path.write_text(text, encoding="utf-8")
    i18n.set_language("zh-CN")
    refusal = _refusal(path)
    assert refusal.message == (
        "报表的日期范围是“全部时间”，没有具体日期：其数据无法记到任何一天（标题行写着 'All time'）"
    )
    assert refusal.hint == "请选一个日期范围（如过去 30 天）并按天细分重新下载（细分 → 时间 → 天）"
    i18n.set_language("en")
    assert _refusal(path).message.startswith("the report's date range is All time")

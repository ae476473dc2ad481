"""The operators' terms: every metric and channel has its Chinese name, as the platforms
write it, and English labels are unchanged."""

from __future__ import annotations

import pytest

from opsboard import glossary, i18n
from opsboard.metrics import BASE_METRICS


def test_every_metric_and_channel_has_a_chinese_name() -> None:
    assert glossary.missing_chinese() == []


@pytest.mark.parametrize(
    ("metric", "term"),
    [
        ("uv", "访客数"),
        ("pv", "浏览量"),
        ("bounce_rate", "跳失率"),
        ("conversion_rate", "支付转化率"),
        ("buyers", "支付买家数"),
        ("gmv", "支付金额"),
        ("aov", "客单价"),
        ("spend", "花费"),
        ("impressions", "展现量"),
        ("clicks", "点击量"),
        ("ctr", "点击率"),
        ("cpc", "平均点击花费"),
        ("roi", "投产比"),
        ("budget_used", "消耗进度"),
    ],
)
def test_the_platforms_own_terms(chinese: None, metric: str, term: str) -> None:
    assert glossary.metric_label(metric) == term


def test_channels_as_taobao_names_them(chinese: None) -> None:
    assert glossary.channel_label("organic_search") == "手淘搜索"
    assert glossary.channel_label("recommendation") == "手淘推荐"
    assert glossary.channel_label("paid_search") == "直通车/关键词推广"
    assert glossary.channel_label("paid_search", short=True) == "直通车"
    assert glossary.channel_label("display") == "引力魔方/人群推广"
    assert glossary.channel_label("affiliate") == "淘宝客"
    assert glossary.TERMS_CN["break_even_roi"] == "保本投产比"


def test_english_labels_are_the_metric_definitions() -> None:
    i18n.set_language("en")
    assert glossary.metric_label("uv") == BASE_METRICS["uv"].label == "Visitors"
    assert glossary.metric_label("bounce_rate") == "Bounce rate"
    assert glossary.metric_label("pacing") == "pacing"
    assert glossary.channel_label("organic_search") == "organic search"


def test_each_platform_names_its_own_channels(chinese: None) -> None:
    assert glossary.channel_label("paid_search", platform="tmall") == "直通车/关键词推广"
    assert glossary.channel_label("paid_search", platform="jd") == "京东快车"
    assert glossary.channel_label("paid_search", platform="pinduoduo") == "多多搜索"
    assert glossary.channel_label("display", platform="amazon") == "展示广告"
    assert glossary.channel_label("other", platform="amazon") == "其他"


def test_a_view_across_platforms_names_channels_in_generic_words(chinese: None) -> None:
    from opsboard.glossary import channel_label, view_platform

    assert view_platform(["tmall", "taobao"]) == "tmall"
    assert view_platform(["jd"]) == "jd"
    assert view_platform([]) == ""
    mixed = view_platform(["tmall", "amazon", "jd"])
    assert channel_label("organic_search", platform=mixed) == "自然搜索"
    assert channel_label("organic_search", platform=view_platform(["tmall"])) == "手淘搜索"
    assert channel_label("paid_search", platform=view_platform(["jd"])) == "京东快车"

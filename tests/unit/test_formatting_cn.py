"""Numbers and days the Chinese way under zh-CN (万, 亿, 12月7日 周一); English unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from opsboard import formatting, i18n


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (9_999.0, "9,999"),
        (9_999.6, "1万"),
        (29_900.0, "2.99万"),
        (299_000.0, "29.9万"),
        (2_990_000.0, "299万"),
        (29_990_000.0, "2999万"),
        (99_996_000.0, "1亿"),
        (120_000_000.0, "1.2亿"),
        (1_234_000_000.0, "12.3亿"),
        (-299_000.0, "-29.9万"),
        (0.0, "0"),
    ],
)
def test_large_figures_in_wan_and_yi(chinese: None, value: float, text: str) -> None:
    assert formatting.compact(value) == text


def test_signs_and_labels_in_chinese(chinese: None) -> None:
    assert formatting.compact(12_345.0, sign=True) == "+1.23万"
    assert formatting.compact(-0.2, label=True) == "0"
    assert formatting.compact(3_000_000.0, sign=True, label=True) == "+300万"


def test_money_in_chinese(chinese: None) -> None:
    assert formatting.money(299_000.0, "CNY") == "¥29.9万"
    assert formatting.money(123_456_789.0, "CNY") == "¥1.23亿"
    assert formatting.money(12.5, "CNY") == "¥12.50"
    assert formatting.figure("gmv", 299_000.0, "CNY") == "¥29.9万"
    assert formatting.figure("uv", 45_678.0) == "4.57万"


def test_days_in_chinese(chinese: None) -> None:
    monday = date(2026, 12, 7)
    assert formatting.month_day(monday) == "12月7日"
    assert formatting.weekday(monday) == "周一"
    assert formatting.day_and_weekday(monday) == "12月7日 周一"
    assert formatting.weekday(date(2026, 12, 13)) == "周日"


def test_english_is_unchanged() -> None:
    i18n.set_language("en")
    assert formatting.compact(299_000.0) == "299k"
    assert formatting.compact(12_345.0) == "12.3k"
    assert formatting.compact(4_560_000.0) == "4.56M"
    assert formatting.compact(1_234_000_000.0) == "1.23B"
    assert formatting.money(299_000.0, "CNY") == "¥299k"
    assert formatting.day_and_weekday(date(2026, 12, 7)) == "Mon Dec 7"

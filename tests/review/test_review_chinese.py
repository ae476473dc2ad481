"""The morning review in Chinese (DESIGN.md 4.5): text, Markdown and HTML in the operators'
words, figures with ¥ and 万, the page's language; English unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsboard.review import build_review, render
from opsboard.review.delivery import chat_summary
from opsboard.review.model import Review

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, hour_point, write
from .test_render_and_cli import run

NORMAL = {"paid_search": 4000.0, "organic_search": 16000.0}


def spent_day(shop: Shop) -> Review:
    """A day whose paid search lost half its visitors and whose budget ran out at noon."""
    shop.config = {"margin": 0.4, "daily_budget": 2400}
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, {"paid_search": 2000.0, "organic_search": 16000.0}))
    write(
        shop.store,
        [hour_point(DAY, h, "spend", 200.0 if h < 12 else 0.0) for h in range(24)]
        + [day_point(DAY, "uv", 500, sku="sku-1"), day_point(DAY, "bounces", 450, sku="sku-1")],
        source="ads",
    )
    return build_review(shop.runtime, shop.store, SHOP, DAY)


@pytest.mark.usefixtures("chinese")
def test_the_text_review_speaks_the_operators_words(shop: Shop) -> None:
    text = render(spent_day(shop), "text")
    for words in ("每日复盘", "概要", "访客数", "支付金额", "诊断与建议", "建议：", "当日告警",
                  "数据完整性", "上周同日", "搜索广告", "周"):  # fmt: skip
        assert words in text, words
    assert "预算在晚高峰前耗尽" in text  # the budget finding, in Chinese
    assert "详情页跳失率高于" in text
    assert "万" in text  # 2万 visitors the Chinese way
    for english in ("Morning review", "Summary", "Diagnoses", "Visitors", "do:", "GMV"):
        assert english not in text, english


@pytest.mark.usefixtures("chinese")
def test_markdown_and_html_are_chinese_and_the_page_says_so(shop: Shop) -> None:
    review = spent_day(shop)
    markdown = render(review, "markdown")
    assert "## 诊断与建议" in markdown
    assert "| 指标 | 当日 | 上周同日 |" in markdown
    page = render(review, "html")
    assert '<html lang="zh-CN">' in page
    assert "<h2>当日告警</h2>" in page
    assert "Why GMV moved" not in page


@pytest.mark.usefixtures("chinese")
def test_the_chat_summary_is_chinese(shop: Shop) -> None:
    title, body = chat_summary(spent_day(shop), top=3)
    assert "复盘" in title
    assert "待办：" in body
    assert "支付金额" in body


def test_english_is_unchanged(shop: Shop) -> None:
    review = spent_day(shop)
    text = render(review, "text")
    assert text.startswith("Morning review: shop, ")
    assert "Diagnoses" in text
    assert "万" not in text
    assert '<html lang="en">' in render(review, "html")


def test_the_command_speaks_chinese_with_lang(
    shop: Shop, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spent_day(shop)
    assert run(["--lang", "zh-CN", "--store", SHOP, "--date", str(DAY)], tmp_path, db_path) == 0
    out = capsys.readouterr().out
    assert out.startswith("每日复盘：shop，")
    assert "诊断与建议" in out


def test_a_long_chinese_subject_is_said_by_its_counts(chinese: None) -> None:
    from opsboard.review.narrative import short_subject

    items = "5 个商品：" + "，".join(f"示例商品{i} (79974211896{i})" for i in range(5))
    campaigns = "2 个计划：关键词推广_迷你便携电饭_2 (77012004788)，货品全站推_1 (77012000874)"
    assert short_subject(items + "；" + campaigns) == "5 个商品和2 个计划"

"""Renderings (text, Markdown, JSON, HTML) and the `opsboard review` command."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from opsboard.cli import main as cli
from opsboard.review import build_review, render
from opsboard.review.model import Review
from opsboard.storage.store import file_mode

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, hour_point, traffic, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


def busy_day(shop: Shop) -> Review:
    shop.config = {"margin": 0.4, "daily_budget": 2400}
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, {"paid_search": 2000.0, "organic_search": 6000.0}))
    write(
        shop.store,
        [hour_point(DAY, h, "spend", 200.0 if h < 12 else 0.0) for h in range(24)]
        + [
            day_point(DAY, "uv", 500, sku="<b>sku</b>"),
            day_point(DAY, "bounces", 450, sku="<b>sku</b>"),
        ],
        source="ads",
    )
    return build_review(shop.runtime, shop.store, SHOP, DAY)


def test_every_format_renders_the_same_findings(shop: Shop) -> None:
    review = busy_day(shop)
    text = render(review, "text")
    markdown = render(review, "markdown")
    data = json.loads(render(review, "json"))

    assert "Morning review: shop, Wednesday 2026-06-17" in text
    assert "Budget spent before the evening peak" in text
    assert "# Morning review: shop, Wednesday 2026-06-17" in markdown
    assert "| GMV (CNY) | 24,000.00 | 30,000.00 | -20.0% |" in markdown
    assert data["store"] == SHOP
    assert data["day"] == "2026-06-17"
    assert {d["code"] for d in data["diagnoses"]} >= {"budget_exhausted", "detail_page_bounce"}
    assert sum(e["amount"] for e in data["gmv_bridge"]["effects"]) == pytest.approx(-6000)
    gmv = next(h for h in data["headline"] if h["metric"] == "gmv")
    assert gmv["vs_last_week"] == pytest.approx(-0.2)


def test_html_is_one_standalone_file_with_inline_svg(shop: Shop) -> None:
    page = render(busy_day(shop), "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport"' in page
    assert page.count("<svg") >= 3  # history, GMV bridge, channels, spend
    assert "<script" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<b>sku</b>" not in page
    assert "&lt;b&gt;sku&lt;/b&gt;" in page


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "opsboard.toml"
    path.write_text('[[stores]]\nname = "shop"\nmargin = 0.4\n', encoding="utf-8")
    return path


def run(args: list[str], tmp_path: Path, db_path: Path) -> int:
    return cli.main(["review", "--config", str(config_file(tmp_path)), "--db", str(db_path), *args])


def test_the_command_prints_every_configured_store(
    shop: Shop, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    busy_day(shop)
    assert run(["--date", DAY.isoformat(), "--format", "json"], tmp_path, db_path) == 0
    out = capsys.readouterr().out
    [review] = json.loads(out)
    assert review["day"] == "2026-06-17"

    assert (
        run(["--store", SHOP, "--date", "2026-06-17", "--format", "markdown"], tmp_path, db_path)
        == 0
    )
    assert "## Why GMV moved" in capsys.readouterr().out


def test_the_command_writes_an_owner_only_html_file(
    shop: Shop, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    busy_day(shop)
    target = tmp_path / "review.html"
    args = ["--store", SHOP, "--date", "2026-06-17", "--format", "html", "-o", str(target)]
    assert run(args, tmp_path, db_path) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert file_mode(target) == 0o600
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "nope"], "unknown store 'nope'"),
        (["--store", SHOP, "--date", "2026-13-01"], "cannot read '2026-13-01' as a date"),
        (["--store", SHOP, "--date", "2999-01-01"], "is in the future"),
    ],
)
def test_bad_input_is_one_clear_message_and_exit_2(
    shop: Shop,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    busy_day(shop)
    assert run(args, tmp_path, db_path) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


EVIL_SKU = "<script>alert(1)</script>"
EVIL_CAMPAIGN = "<img src=x onerror=alert(2)>"


def test_markdown_shows_names_from_the_data_as_text(shop: Shop) -> None:
    shop.config = {"margin": 0.4}
    names = [EVIL_SKU, "*x*", "[y](z)", "shop.com", "a|b"]
    for day in (HISTORY[0], DAY):
        write(shop.store, channel_day(day, NORMAL))
        rows = []
        for sku in names:
            uv = 500 if day == DAY else 800
            rows += [
                day_point(day, "uv", uv, sku=sku),
                day_point(day, "bounces", uv * 0.9, sku=sku),
            ]
            rows += [day_point(day, "gmv", uv * 3, sku=sku)]
        rows += [
            day_point(day, "spend", 600, campaign=EVIL_CAMPAIGN),
            day_point(day, "ad_gmv", 600, campaign=EVIL_CAMPAIGN),
        ]
        write(shop.store, rows, source="ads")

    markdown = render(build_review(shop.runtime, shop.store, SHOP, DAY), "markdown")

    # What the dashboard's Markdown widget (markdown-it, gfm-like) makes of it.
    tokens = MarkdownIt("gfm-like").parse(markdown)
    inline = [child for token in tokens for child in (token.children or [])]
    kinds = {t.type for t in [*tokens, *inline]}
    assert not kinds & {"html_inline", "html_block", "link_open", "image"}
    # Emphasis comes only from the review's own markup ("*Do:*"), never from "*x*".
    emphasised = [b.content for a, b in itertools.pairwise(inline) if a.type == "em_open"]
    assert "x" not in emphasised
    shown = "".join(t.content for t in inline if t.type in ("text", "text_special"))
    for name in [*names, EVIL_CAMPAIGN]:
        assert name in shown, name
    table = [t for t in tokens if t.type == "table_open"]
    assert len(table) >= 2  # the headline and the GMV bridge, each still one table


def busy_html(shop: Shop) -> str:
    return render(busy_day(shop), "html")


def test_html_reads_on_a_phone(shop: Shop) -> None:
    page = busy_html(shop)
    # The headline table becomes one card per figure on a narrow screen, labels kept.
    assert "@media (max-width:560px)" in page
    assert '<table class="cards">' in page
    assert 'data-label="vs last week"' in page
    assert '<td class="name">GMV (CNY)</td>' in page
    # Chart labels: 13 units on a drawing 400 wide, shown at most 560 px wide.
    assert "svg text { fill:var(--fg); font-size:13px; }" in page
    assert all(box == "0 0 400" for box in re.findall(r'viewBox="(0 0 \d+) \d+"', page))
    # The GMV bridge table has headers and the total the effects add up to.
    assert "<th>factor</th>" in page
    assert '<tr class="total"><td>total</td><td class="n down">-6,000.00</td>' in page


def test_the_gmv_bridge_chart_starts_near_the_figures(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, traffic(day, 10_000, 0.03, 100.0))
    write(shop.store, traffic(DAY, 10_000, 0.03, 97.0))  # AOV down 3%: GMV 29,100

    page = render(build_review(shop.runtime, shop.store, SHOP, DAY), "html")

    bridge = page[
        page.index('aria-label="GMV bridge') : page.index("</svg>", page.index("GMV bridge"))
    ]
    assert "axis from 28.5k" in bridge
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', bridge)]
    # The 900 drop is drawn at least a tenth as tall as last week's bar, not a sliver.
    assert min(h for h in heights if h > 1) > 0.1 * max(heights)


def test_counts_are_whole_and_nothing_is_negative_zero(shop: Shop) -> None:
    for k, buyers in enumerate((1395, 1400, 1390, 1402), start=1):
        day = DAY - timedelta(days=7 * k)
        write(shop.store, [day_point(day, "uv", 40_000.0), day_point(day, "buyers", buyers),
                           day_point(day, "gmv", buyers * 80.0)])  # fmt: skip
    write(shop.store, [day_point(DAY, "uv", 40_000.4), day_point(DAY, "buyers", 1397),
                       day_point(DAY, "gmv", 1397 * 79.9999)])  # fmt: skip

    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    text = render(review, "text")

    buyers_line = next(
        line for line in text.splitlines() if line.strip().startswith("Paying buyers")
    )
    assert buyers_line.split() == ["Paying", "buyers", "1,397", "1,395", "+0.1%", "1,398", "0.0%"]
    visitors = next(line for line in text.splitlines() if line.strip().startswith("Visitors "))
    assert "40,000" in visitors
    assert "40,000.40" not in visitors
    assert "-0.00" not in text
    assert "-0.0%" not in text
    assert "AOV -0.14 (0.0%)" in " ".join(review.summary)  # a real, tiny change keeps its sign


def test_money_figures_name_their_currency(shop: Shop) -> None:
    shop.config = {"currency": "USD", "margin": 0.4, "daily_budget": 2400}
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, {"paid_search": 2000.0, "organic_search": 6000.0}))
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    text = render(review, "text")
    assert "GMV (USD)" in text
    assert "AOV (USD)" in text
    assert "| GMV (USD) |" in render(review, "markdown")
    assert "GMV -6,000.00 USD vs Wed 2026-06-10: traffic -6,000.00 (visitors -20.0%)" in (
        " ".join(review.summary)
    )
    assert " on 2026-06-10" not in text


def test_rates_move_in_points_and_counts_in_percent() -> None:
    from opsboard.review.lines import move_change
    from opsboard.review.model import MetricMove

    conversion = MetricMove("conversion_rate", "Conversion", 0.031, 0.033, 0.0305, 4)
    assert move_change(conversion, "last_week") == "-0.2pt"
    assert move_change(conversion, "median") == "+0.1pt"
    visitors = MetricMove("uv", "Visitors", 1100.0, 1000.0, 1000.0, 4)
    assert move_change(visitors, "last_week") == "+10.0%"

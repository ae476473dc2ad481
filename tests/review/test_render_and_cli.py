"""Renderings (text, Markdown, JSON, HTML) and the `opsboard review` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opsboard import cli
from opsboard.review import build_review, render
from opsboard.review.model import Review
from opsboard.storage.store import file_mode

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, hour_point, write

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
    assert "| GMV | 24,000.00 | 30,000.00 | -20.0% |" in markdown
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


def test_the_review_never_imports_textual() -> None:
    code = (
        "import sys, opsboard.review, opsboard.review.html, opsboard.review.delivery\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

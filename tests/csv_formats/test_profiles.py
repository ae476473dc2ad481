"""Format profiles: every shipped one is valid, bad ones are explained, and a new format
is a TOML file."""

from __future__ import annotations

from pathlib import Path

import opsboard_csv.reader as reader
import pytest
from opsboard_csv.profiles import (
    ProfileError,
    load_profiles,
    load_profiles_from,
    normalise_header,
)
from opsboard_csv.reader import describe_formats

from csv_formats.support import csv_text, read
from opsboard.errors import RejectedInput

FORMATS_IN_THE_RESEARCH = {
    "sycm_store_daily", "sycm_item_rank", "sycm_traffic_source", "wxt_item_report",
    "wxt_plan_report", "ztc_legacy", "ylmf_report", "taobaoke_overview", "jd_sz_sku",
    "jd_sz_spu", "jd_sz_shop", "jd_jzt_daily", "pdd_goods_promotion", "pdd_star_shop",
    "amazon_business_report_child", "amazon_sp_search_term", "amazon_sp_campaign",
    "amazon_sp_advertised_product", "amazon_ads_console", "shopify_sessions_over_time",
    "google_ads_campaign",
}  # fmt: skip


def test_every_format_has_a_valid_profile() -> None:
    names = {p.name for p in load_profiles()}
    assert names >= FORMATS_IN_THE_RESEARCH


def test_describe_formats() -> None:
    described = {d["name"]: d for d in describe_formats()}
    assert set(described) == {p.name for p in load_profiles()} | {"plan_sheet"}
    assert "店铺,指标,周期,目标值" in described["plan_sheet"]["detect"]
    google = described["google_ads_campaign"]
    assert google["title"] == "Google Ads campaign report"
    assert "Campaign" in google["detect"]
    assert "title row" in google["detect"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sessions – Total", "sessions - total"),
        ("（子）ASIN", "(Child) ASIN".replace("Child", "子")),
        ("7 Day Total Sales ", "7 Day Total Sales"),
        ("支付金额(元)", "支付金额"),
        ("\ufeff日期", "日期"),
        ("Featured Offer (Buy Box) percentage", "Featured Offer (Buy Box) Percentage"),
    ],
)
def test_header_normalisation(a: str, b: str) -> None:
    assert normalise_header(a) == normalise_header(b)


NEW_FORMAT = """
name = "tiktok_shop_daily"
title = "TikTok Shop daily"
platform = "tiktok"
required = ["date", "gmv"]

[fields.date]
role = "date"
headers = ["Date"]

[fields.gmv]
metric = "gmv"
kind = "money"
headers = ["GMV"]

[fields.visitors]
metric = "uv"
headers = ["Visitors"]
"""


def test_a_new_format_is_a_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "tiktok_shop_daily.toml").write_text(NEW_FORMAT, encoding="utf-8")
    added = load_profiles_from(folder)
    monkeypatch.setattr(reader, "load_profiles", lambda: (*load_profiles(), *added))
    path = tmp_path / "tiktok.csv"
    path.write_text(csv_text([["Date", "GMV", "Visitors"], ["2026-06-18", "$1,200.00", "300"]]))
    parsed = read(path)
    assert parsed.format == "tiktok_shop_daily"
    assert sorted((p[6], p[7]) for p in parsed.points) == [("gmv", 1200.0), ("uv", 300.0)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('metric = "uv"', 'metric = "visitors"'), "metric 'visitors' is not a base metric"),
        (('required = ["date", "gmv"]', 'required = ["date", "sales"]'), "'sales' is not defined"),
        (('headers = ["Visitors"]', 'headers = ["GMV"]'), "listed for gmv and visitors"),
        (('platform = "tiktok"', 'platform = "tiktok"\nchannel = "tv"'), "channel 'tv'"),
        (('kind = "money"', 'kind = "euros"'), "fields.gmv.kind"),
        (('name = "tiktok_shop_daily"', 'name = "TikTok Shop"'), "name"),
        (("[fields.date]", "[fields.date\n"), "not valid TOML"),
        (('title = "TikTok Shop daily"', 'title = "x"\ncolour = "red"'), "colour"),
    ],
)
def test_bad_profiles_are_explained(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    (tmp_path / "bad.toml").write_text(NEW_FORMAT.replace(*change), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profiles_from(tmp_path)
    assert "bad.toml" in str(caught.value)
    assert message in str(caught.value)


def test_two_profiles_with_one_name(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(NEW_FORMAT, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"a\.toml and b\.toml share the name"):
        load_profiles_from(tmp_path)


def test_formats_list_every_spelling_within_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    from opsboard_csv.describe import columns

    from opsboard.cli.main import main

    assert main(["formats"]) == 0
    out = capsys.readouterr().out
    wide = [line for line in out.splitlines() if columns(line) > 80]
    assert wide == []
    child = out[out.index("amazon_business_report_child") :].split("\n\n")[0]
    for spelling in ("(Child) ASIN", "（子）ASIN", "ASIN (enfant)", "Unités commandées",
                     "已订购商品销售额", "Sessions - Totale"):  # fmt: skip
        assert spelling in child
    shopify = out[out.index("shopify_sessions_over_time") :]
    assert "Sessions converted (%)" in shopify.split("date from")[0]


LAST = 'headers = ["Visitors"]'


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([("platform = ", 'title_pattern = "(unclosed"\nplatform = ')],
         "title_pattern: '(unclosed' is not a valid regular expression"),
        ([("platform = ", 'exclusive_with = ["nope"]\nplatform = ')],
         "exclusive_with names no format 'nope'"),
        ([('kind = "money"', 'kind = "money"\nprefix = "X-"')], "prefix is for campaign and sku"),
        ([("platform = ", 'sku = "all"\nplatform = '),
          (LAST, LAST + '\n[fields.item]\nrole = "sku"\nheaders = ["Item"]')],
         "a sku column and a fixed sku"),
        ([(LAST, LAST + '\n[[refuse]]\nreason = "x"')], "needs headers or titles"),
    ],
)  # fmt: skip
def test_bad_profile_keys_are_explained(
    tmp_path: Path, changes: list[tuple[str, str]], message: str
) -> None:
    text = NEW_FORMAT
    for old, new in changes:
        text = text.replace(old, new, 1)
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profiles_from(tmp_path)
    assert message in str(caught.value)


def test_a_required_choice_accepts_any_one_of_its_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = NEW_FORMAT.replace(
        'required = ["date", "gmv"]', 'required = ["date", ["gmv", "visitors"]]'
    )
    (tmp_path / "tiktok.toml").write_text(text, encoding="utf-8")
    added = load_profiles_from(tmp_path)
    monkeypatch.setattr(reader, "load_profiles", lambda: added)
    path = tmp_path / "tiktok.csv"
    path.write_text(csv_text([["Date", "Visitors"], ["2026-06-18", "300"]]))
    assert [(p[6], p[7]) for p in read(path).points] == [("uv", 300.0)]
    path.write_text(csv_text([["Date", "Orders"], ["2026-06-18", "3"]]))
    with pytest.raises(RejectedInput, match="lacks: GMV or Visitors"):
        read(path)

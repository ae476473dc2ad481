"""The same reports in the other shapes operators produce: re-saved, zipped, renamed, localised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csv_formats.support import (
    csv_text,
    html_table_bytes,
    load,
    one,
    read,
    xlsx_bytes,
    zip_bytes,
)
from opsboard.errors import RejectedInput
from opsboard.query.engine import MetricsEngine
from opsboard.storage import Store

Sample = Callable[[str], Path]


def google_rows(sample: Sample) -> list[list[str]]:
    """The cells of the Google Ads sample."""
    text = sample("google_ads_campaign.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_gbk_resave_of_a_utf8_file(tmp_path: Path, sample: Sample) -> None:
    text = sample("jd_jzt_promotion_daily_utf8.csv").read_text(encoding="utf-8")
    path = tmp_path / "京准通.csv"
    path.write_bytes(text.encode("gbk"))
    parsed = read(path)
    assert parsed.format == "jd_jzt_daily"
    assert sum(p[7] for p in parsed.points if p[6] == "spend") == pytest.approx(17350.19)


def test_utf8_bom_resave(tmp_path: Path, sample: Sample) -> None:
    text = sample("wxt_item_report_gb18030.csv").read_bytes().decode("gb18030")
    assert "®" in text  # GBK could not hold this file
    path = tmp_path / "report.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    parsed = read(path)
    assert (parsed.format, parsed.rows) == ("wxt_item_report", 98)


def test_gb18030_is_never_read_as_gbk(sample: Sample) -> None:
    data = sample("wxt_item_report_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    assert read(sample("wxt_item_report_gb18030.csv")).rows == 98


def _google_excel_csv(sample: Sample, bom: bool) -> bytes:
    rows = google_rows(sample)
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    return ("\ufeff" + text if bom else text).encode("utf-16-le")


@pytest.mark.parametrize("bom", [True, False])
def test_google_csv_for_excel_utf16_tabs(
    tmp_path: Path, sample: Sample, store: Store, engine: MetricsEngine, bom: bool
) -> None:
    path = tmp_path / "Campaign report.csv"
    path.write_bytes(_google_excel_csv(sample, bom))
    parsed = read(path)
    assert (parsed.format, parsed.rows, parsed.skipped) == ("google_ads_campaign", 110, 4)
    load(store, parsed)
    assert one(engine, "spend")["spend"] == pytest.approx(7428.91)


def _european(value: str) -> str:
    """1,234.56 -> 1 234,56 (French UI)."""
    return value.replace(",", " ").replace(".", ",")


def _is_amount(cell: str) -> bool:
    return cell[:1].isdigit() and not cell.startswith("2026-")


FRENCH = {
    "Day": "Jour",
    "Campaign": "Campagne",
    "Campaign type": "Type de campagne",
    "Clicks": "Clics",
    "Cost": "Coût",
    "Conv. value": "Valeur de conv.",
}


def _french_google(sample: Sample) -> list[list[str]]:
    rows = google_rows(sample)
    out = [["Rapport sur les campagnes"], ["1 juin 2026 - 30 juin 2026"]]
    out.append([FRENCH.get(h, h) for h in rows[2]])
    for row in rows[3:]:
        if row[0].startswith("Total"):
            row = ["Total : campagnes", *row[1:]]
        out.append(
            [_european(c) if c[:1].isdigit() and not c.startswith("2026-") else c for c in row]
        )
    return out


def test_french_google_semicolons_and_decimal_commas(
    tmp_path: Path, sample: Sample, store: Store, engine: MetricsEngine
) -> None:
    rows = _french_google(sample)
    assert "59,04" in rows[3]
    path = tmp_path / "rapport.csv"
    data = csv_text(rows, ";").encode("cp1252")  # an Excel re-save on Windows
    assert "Coût" not in data.decode("gb18030")  # decodes without error, but wrongly
    path.write_bytes(data)
    parsed = read(path)
    assert (parsed.format, parsed.rows, parsed.skipped) == ("google_ads_campaign", 110, 4)
    load(store, parsed)
    row = one(engine, "spend", "impressions", "conversions")
    assert row["spend"] == pytest.approx(7428.91)
    assert row["impressions"] == 1015883
    assert row["conversions"] == pytest.approx(378.02)


def test_german_grouping_dots(tmp_path: Path) -> None:
    rows = [
        ["Tag", "Kampagne", "Kampagnentyp", "Impr.", "Klicks", "Kosten"],
        ["2026-06-01", "Marke", "Suche", "1.234", "56", "1.234,56"],
        ["2026-06-02", "Marke", "Suche", "2.000", "60", "99,10"],
        ["Gesamt", "--", "--", "3.234", "116", "1.333,66"],
    ]
    path = tmp_path / "bericht.csv"
    path.write_text(csv_text(rows, ";"), encoding="utf-8")
    parsed = read(path)
    points = {(p[6], p[2]): p[7] for p in parsed.points}
    assert parsed.skipped == 1
    assert sorted(v for (m, _), v in points.items() if m == "impressions") == [1234, 2000]
    assert sorted(v for (m, _), v in points.items() if m == "spend") == [99.10, 1234.56]
    assert {p[3] for p in read(path).points} == {"paid_search"}


def test_xlsx_renamed_csv(tmp_path: Path, sample: Sample) -> None:
    rows: list[list[str | int | float | None]] = []
    for row in google_rows(sample):
        typed: list[str | int | float | None] = []
        for cell in row:
            plain = cell.replace(",", "")
            if plain.replace(".", "", 1).isdigit() and not cell.startswith("2026-"):
                typed.append(float(plain) if "." in plain else int(plain))
            elif cell.endswith("%") and cell[:-1].replace(".", "", 1).isdigit():
                typed.append(float(cell[:-1]) / 100)  # Excel keeps percentages as fractions
            else:
                typed.append(cell)
        rows.append(typed)
    path = tmp_path / "Campaign report.csv"
    path.write_bytes(xlsx_bytes(rows))
    assert path.read_bytes()[:2] == b"PK"
    parsed = read(path)
    assert (parsed.format, parsed.rows) == ("google_ads_campaign", 110)
    assert "Campaign report.csv is an Excel workbook; it was read as one" in parsed.notices
    spend = sum(p[7] for p in parsed.points if p[6] == "spend")
    assert spend == pytest.approx(7428.91)


def test_zip_download_takes_the_day_from_the_inner_file_name(
    tmp_path: Path, sample: Sample, store: Store, engine: MetricsEngine
) -> None:
    text = sample("wxt_item_report_gb18030.csv").read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    single_day = [row[1:] for row in rows if row[0] in ("日期", "2026-06-18")]
    inner = csv_text(single_day).encode("gb18030")
    path = tmp_path / "报表_20260619_110309.zip"
    path.write_bytes(zip_bytes({"商品报表_20260618_110309.csv": inner}))
    parsed = read(path)
    assert parsed.format == "wxt_item_report"
    assert parsed.period == (date(2026, 6, 18), date(2026, 6, 18))
    load(store, parsed)
    assert one(engine, "spend")["spend"] == pytest.approx(9954.43)


def test_zip_with_several_reports_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "报表.zip"
    path.write_bytes(zip_bytes({"a.csv": b"x", "b.csv": b"y"}))
    with pytest.raises(RejectedInput, match="should hold one report"):
        read(path)


def test_html_table_xls(tmp_path: Path) -> None:
    header = "统计日期,商品ID,商品名称,商品访客数,商品浏览量,支付买家数,支付件数,支付金额"
    rows = [
        ["【生意参谋平台】商品排行"],
        ["统计日期：2026-06-18"],
        [],
        header.split(","),
        ["2026-06-18", "741747883413", "示例绞肉机", "1,203", "2,881", "41", "43", "¥5,652.00"],
        ["2026-06-18", "681127000001", "示例保温杯", "88", "120", "-", "-", "-"],
    ]
    path = tmp_path / "【生意参谋平台】商品_全部_2026-06-18_2026-06-18.xls"
    path.write_bytes(html_table_bytes(rows))
    parsed = read(path)
    assert (parsed.format, parsed.rows) == ("sycm_item_rank", 2)
    points = {(p[5], p[6]): p[7] for p in parsed.points}
    assert points[("741747883413", "gmv")] == 5652.0
    assert points[("741747883413", "uv")] == 1203
    assert ("681127000001", "buyers") not in points
    assert points[("681127000001", "uv")] == 88


def test_legacy_xls_is_detected_by_magic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "【生意参谋平台】商品_全部_2026-06-18_2026-06-18.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(RejectedInput) as caught:
        read(path)
    assert "Excel 97-2003 (.xls)" in caught.value.message
    assert caught.value.hint


def test_damaged_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "商品明细.xlsx"
    path.write_bytes(zip_bytes({"xl/workbook.xml": b"<not a workbook"}))
    with pytest.raises(RejectedInput, match=r"Excel \(.xlsx\) workbook that cannot be read"):
        read(path)


def test_utf16_big_endian_with_bom(tmp_path: Path, sample: Sample) -> None:
    text = "\r\n".join("\t".join(row) for row in google_rows(sample)) + "\r\n"
    path = tmp_path / "report.csv"
    path.write_bytes("\ufeff".encode("utf-16-be") + text.encode("utf-16-be"))
    assert read(path).rows == 110


def test_gbk_html_table(tmp_path: Path) -> None:
    rows = [
        ["统计日期", "访客数", "浏览量", "跳失率", "支付买家数", "支付金额"],
        ["2026-06-18", "9,397", "28,421", "70.52%", "337", "40,723.99"],
    ]
    path = tmp_path / "店铺.xls"
    path.write_bytes(html_table_bytes(rows, encoding="gbk"))
    parsed = read(path)
    assert parsed.format == "sycm_store_daily"
    assert {p[6]: p[7] for p in parsed.points}["bounces"] == 6627


def test_day_points_start_at_the_stores_local_midnight(sample: Sample) -> None:
    parsed = read(sample("sycm_store_traffic_daily_gbk.csv"))
    june_18 = int(datetime(2026, 6, 17, 16, 0, tzinfo=UTC).timestamp())  # 00:00 in Shanghai
    assert {p[1] for p in parsed.points} == {"day"}
    assert june_18 in {p[2] for p in parsed.points}


def test_date_option_is_noted_when_the_file_has_dates(sample: Sample) -> None:
    parsed = read(sample("shopify_sessions_over_time.csv"), day=date(2026, 6, 18))
    assert parsed.period == (date(2026, 6, 1), date(2026, 6, 30))
    assert any("--date 2026-06-18 was not used" in n for n in parsed.notices)


GERMAN = [
    ["Kampagnenbericht"],
    ["1. Juni 2026 - 30. Juni 2026"],
    ["Tag", "Kampagne", "Kampagnenstatus", "Kampagnentyp", "Währungscode", "Impr.", "Klicks",
     "Kosten", "Konversionen", "Konv.-Wert"],
    ["2026-06-01", "Dächer", "Aktiviert", "Suche", "EUR", "1.234", "7", "1.012,34", "1,00",
     "98,00"],
    ["2026-06-01", "Gärten & Höfe", "Aktiviert", "Suche", "EUR", "500", "3", "12,50", "0,00",
     "0,00"],
    ["Gesamt: Konto", "--", "--", "--", "EUR", "1.734", "10", "1.024,84", "1,00", "98,00"],
]  # fmt: skip


def test_cp1252_resave_keeps_western_names(tmp_path: Path) -> None:
    # An ASCII header confirms GB18030 as well as cp1252; the names decide: Dächer read
    # as GB18030 is D鋍her.
    path = tmp_path / "Kampagnenbericht.csv"
    path.write_bytes(csv_text(GERMAN, ";").encode("cp1252"))
    parsed = read(path)
    assert parsed.format == "google_ads_campaign"
    campaigns = {p[4] for p in parsed.points}
    assert campaigns == {"Dächer", "Gärten & Höfe"}
    assert sum(p[7] for p in parsed.points if p[6] == "spend") == pytest.approx(1024.84)


def test_gbk_resave_of_a_western_report_keeps_chinese_names(tmp_path: Path, sample: Sample) -> None:
    rows = google_rows(sample)
    rows[3][1] = "品牌词 - 精确"
    path = tmp_path / "Campaign report.csv"
    path.write_bytes(csv_text(rows).encode("gbk"))
    parsed = read(path)
    assert "品牌词 - 精确" in {p[4] for p in parsed.points}

"""Whole files round-trip: any encoding, delimiter and number style gives back the figures."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from csv_formats.support import csv_text, read

HEADER = [
    "日期",
    "跟单SKU ID",
    "产品线",
    "账户昵称",
    "展现数",
    "点击数",
    "花费",
    "总订单行",
    "总订单金额",
]

rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=29),
        st.from_regex(r"10[0-9]{10}", fullmatch=True),
        st.integers(min_value=0, max_value=5_000_000),
        st.integers(min_value=0, max_value=10_000_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    rows,
    st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]),
    st.sampled_from([",", "\t", ";"]),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
)
def test_any_encoding_delimiter_and_style(
    data: list[tuple[int, str, int, int]],
    encoding: str,
    delimiter: str,
    european: bool,
    title_rows: int,
) -> None:
    lines: list[list[object]] = [[f"标题 {n}"] for n in range(title_rows)]
    lines.append(list(HEADER))
    for day, sku, impressions, cents in data:
        amount = f"{cents / 100:,.2f}"
        if european:
            amount = amount.replace(",", " ").replace(".", ",")
        when = date(2026, 6, 1) + timedelta(days=day)
        shown_impressions = impressions if european else f"{impressions:,}"
        lines.append([when, sku, "线", "账户", shown_impressions, 1, amount, "-", "-"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.csv"
        path.write_bytes(csv_text(lines, delimiter).encode(encoding))
        parsed = read(path)
    assert parsed.format == "jd_jzt_daily"
    assert (parsed.rows, parsed.skipped) == (len(data), title_rows)
    points = list(parsed.points)
    spend = sum(p[7] for p in points if p[6] == "spend")
    shown = sum(cents for *_, cents in data) / 100
    assert abs(spend - shown) < 1e-6 * max(1.0, shown)
    assert sum(p[7] for p in points if p[6] == "impressions") == sum(d[2] for d in data)
    assert {p[5] for p in points} == {d[1] for d in data}  # ids stay whole text

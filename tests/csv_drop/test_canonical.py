"""The canonical long CSV reader: every timestamp form, column order, and every bad row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from opsboard_csv.canonical import is_canonical_header, read_canonical, read_header
from opsboard_csv.errors import IncompleteFile

from csv_drop.helpers import HEADER, write_csv
from opsboard.errors import RejectedInput
from opsboard.storage import Store
from opsboard.timeutil import zone

SHANGHAI = zone("Asia/Shanghai")


def epoch(year: int, month: int, day: int, hour: int = 0) -> int:
    """Epoch seconds of a UTC date-time."""
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def read_all(path: Path, store: str | None = "shop") -> list[tuple[object, ...]]:
    """Every point of a canonical file."""
    return list(read_canonical(path, store=store, tz=SHANGHAI).points)


def rejection(path: Path, store: str | None = "shop") -> RejectedInput:
    """The error reading ``path`` raises (at the header or while reading rows), the same
    whether its points are read one by one or written by the bulk path."""
    with pytest.raises(RejectedInput) as info:
        read_all(path, store)
    with pytest.raises(RejectedInput) as bulk:
        list(read_canonical(path, store=store, tz=SHANGHAI).points.series_values(_Batch()))  # type: ignore[attr-defined]
    assert (str(bulk.value), bulk.value.line, bulk.value.column) == (
        str(info.value),
        info.value.line,
        info.value.column,
    )
    return info.value


def test_header_recognised_in_any_order_with_optional_grain() -> None:
    assert is_canonical_header(["ts", "store", "channel", "campaign", "sku", "metric", "value"])
    assert is_canonical_header(
        ["value", "metric", "sku", "grain", "campaign", "channel", "store", "ts"]
    )
    assert is_canonical_header(
        ["\ufeffts", " Store", "channel", "campaign", "sku", "metric", "value"]
    )
    assert not is_canonical_header(["ts", "store", "channel", "campaign", "sku", "metric"])
    assert not is_canonical_header(
        ["ts", "store", "channel", "campaign", "sku", "metric", "value", "x"]
    )
    assert not is_canonical_header(["统计日期", "访客数"])


def test_timestamp_forms(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        "2026-06-18T10:00:00+08:00,,,,,uv,5\n"
        "2026-06-18T02:00:00Z,,,,,pv,6\n"
        "2026-06-18 10:00,,,,,buyers,7\n"
        "2026-06-18,,,,,gmv,8.5\n",
    )
    points = read_all(path)
    ten_local = epoch(2026, 6, 18, 2)
    midnight_local = epoch(2026, 6, 17, 16)
    assert points == [
        ("shop", "hour", ten_local, "", "", "", "uv", 5.0),
        ("shop", "hour", ten_local, "", "", "", "pv", 6.0),
        ("shop", "hour", ten_local, "", "", "", "buyers", 7.0),
        ("shop", "day", midnight_local, "", "", "", "gmv", 8.5),
    ]


def test_bom_column_order_grain_column_and_scopes(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(
        "\ufeffmetric,value,grain,sku,campaign,channel,store,ts\n"
        "spend,12.5,day,600123456789,plan-1,paid_search,tmall,2026-06-18T00:00:00+08:00\n"
        "uv,3,,600123456789,,organic_search,,2026-06-18 09:00\n".encode()
    )
    parsed = read_canonical(path, store="fallback", tz=SHANGHAI)
    points = list(parsed.points)
    assert points[0] == (
        "tmall",
        "day",
        epoch(2026, 6, 17, 16),
        "paid_search",
        "plan-1",
        "600123456789",
        "spend",
        12.5,
    )
    assert points[1] == (
        "fallback",
        "hour",
        epoch(2026, 6, 18, 1),
        "organic_search",
        "",
        "600123456789",
        "uv",
        3.0,
    )
    assert parsed.rows == 2
    assert parsed.period == (date(2026, 6, 18), date(2026, 6, 18))


def test_missing_figures_are_no_points_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        "2026-06-18 10:00,,,,,uv,\n\n2026-06-18 10:00,,,,,pv,-\n"
        "2026-06-18 10:00,,,,,gmv,nan\n2026-06-18 10:00,,,,,buyers,--\n"
        "2026-06-18 11:00,,,,,uv,0\n",
    )
    parsed = read_canonical(path, store="shop", tz=SHANGHAI)
    points = list(parsed.points)
    assert [p[6:] for p in points] == [("uv", 0.0)]
    assert parsed.skipped == 4
    assert parsed.rows == 5


def test_period_spans_local_days(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv", "2026-06-17T16:00:00Z,,,,,uv,1\n2026-06-19T15:00:00Z,,,,,uv,1\n"
    )
    parsed = read_canonical(path, store="shop", tz=SHANGHAI)
    list(parsed.points)
    assert parsed.period == (date(2026, 6, 18), date(2026, 6, 19))


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        ("2026-06-18 10:00,,,,,visits,1\n", 2, "metric", ["'visits'", "expected a base metric"]),
        ("2026-06-18 10:00,,tv,,,uv,1\n", 2, "channel", ["'tv'", "organic_search"]),
        ("2026-06-18 10:00,,,,,uv,1\n2026-06-18 10:00,,,,,uv,-3\n", 3, "value", ["'-3'", ">= 0"]),
        ("2026-06-18 10:00,,,,,uv,lots\n", 2, "value", ["'lots'", "finite number"]),
        ("2026-06-18 10:00,,,,,uv,inf\n", 2, "value", ["'inf'"]),
        ("18/06/2026,,,,,uv,1\n", 2, "ts", ["'18/06/2026'", "ISO 8601"]),
        ("2026-06-18 10:30,,,,,uv,1\n", 2, "ts", ["start of an hour"]),
        ("2026-06-18T10:00:00+05:30,,,,,uv,1\n", 2, "ts", ["start of an hour"]),
    ],
)
def test_bad_rows_name_line_column_found_and_expected(
    tmp_path: Path, body: str, line: int, column: str, words: list[str]
) -> None:
    error = rejection(write_csv(tmp_path / "bad.csv", body))
    assert error.line == line
    assert error.column == column
    text = str(error)
    assert f"line {line}" in text
    for word in words:
        assert word in text


def test_grain_column_checks(tmp_path: Path) -> None:
    header = "ts,store,channel,campaign,sku,metric,value,grain\n"
    bad_grain = write_csv(tmp_path / "g1.csv", "2026-06-18,,,,,uv,1,week\n", header)
    error = rejection(bad_grain)
    assert (error.line, error.column) == (2, "grain")
    assert "'week'" in str(error)
    not_midnight = write_csv(tmp_path / "g2.csv", "2026-06-18 10:00,,,,,uv,1,day\n", header)
    error = rejection(not_midnight)
    assert (error.line, error.column) == (2, "ts")
    assert "midnight" in str(error)


def test_empty_store_without_default_is_refused(tmp_path: Path) -> None:
    error = rejection(write_csv(tmp_path / "s.csv", "2026-06-18 10:00,,,,,uv,1\n"), store=None)
    assert (error.line, error.column) == (2, "store")


def test_wrong_cell_count(tmp_path: Path) -> None:
    error = rejection(write_csv(tmp_path / "w.csv", "2026-06-18 10:00,,,,,uv\n"))
    assert error.line == 2
    assert "found 6 cells, expected 7" in str(error)
    other_order = "store,ts,channel,campaign,sku,metric,value\n"
    error = rejection(write_csv(tmp_path / "w2.csv", "s,2026-06-18 10:00,,,,uv,1,9\n", other_order))
    assert "found 8 cells, expected 7" in str(error)


def test_not_utf8_is_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(HEADER.encode() + "2026-06-18 10:00,店铺,,,,uv,1\n".encode("gbk"))
    error = rejection(path)
    assert "not UTF-8" in str(error)
    assert error.line is not None


def test_not_canonical_header_lists_what_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", "", header="ts,store,metric,amount\n")
    error = rejection(path)
    assert error.line == 1
    assert "missing channel, campaign, sku, value" in str(error)
    assert "unknown amount" in str(error)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in str(rejection(empty))


def test_read_header_does_not_read_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "x.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(range(256)) * 400)
    assert read_header(path) == []


def test_error_mid_file_rolls_the_whole_file_back(tmp_path: Path, store: Store) -> None:
    rows = "".join(f"2026-06-18 {h:02d}:00,,,,,uv,{h}\n" for h in range(10))
    path = write_csv(tmp_path / "m.csv", rows + "2026-06-18 11:00,,,,,uv,oops\n")
    parsed = read_canonical(path, store="shop", tz=SHANGHAI)
    with pytest.raises(RejectedInput), store.batch(source="t", origin=str(path)) as batch:
        batch.add_raw(parsed.points)
    assert store.point_count() == 0
    assert store.ingests()[0]["status"] == "rejected"


def test_quoted_cells_with_commas_and_line_breaks(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "q.csv",
        '2026-06-18 10:00,,paid_search,"plan, spring",sku-1,spend,5\n'
        '2026-06-18 10:00,,paid_search,plan,sku-1,spend,"6\n"\n'
        "2026-06-18 10:00,,,,,uv,oops\n",
    )
    parsed = read_canonical(path, store="shop", tz=SHANGHAI)
    points = iter(parsed.points)
    assert next(points)[4] == "plan, spring"
    assert next(points)[7] == 6
    with pytest.raises(RejectedInput) as info:
        next(points)
    assert info.value.line == 5
    assert info.value.column == "value"


def test_an_id_with_a_line_break_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "q.csv",
        '2026-06-18 10:00,,paid_search,"two\nlines",sku-1,spend,6\n'
        "2026-06-18 10:00,,paid_search,\x1b[2J,sku-1,spend,6\n",
    )
    error = rejection(path)
    assert (error.line, error.column) == (3, "campaign")  # where the row ends
    assert "the campaign id 'two\\x0alines' holds the control character \\x0a" in error.message


def test_unclosed_quote_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", '2026-06-18 10:00,,,"open,,uv,1\n')
    error = rejection(path)
    assert error.line == 2


class _Batch:
    """Just enough of an ingest batch to resolve series ids."""

    ingest_id = 7

    def __init__(self) -> None:
        self.keys: dict[tuple[str, ...], int] = {}

    def series_id(self, key: tuple[str, str, str, str, str, str]) -> int:
        return self.keys.setdefault(key, len(self.keys) + 1)


def test_bulk_rows_match_raw_points(tmp_path: Path) -> None:
    body = (
        "2026-06-18 10:00,,paid_search,p1,sku-1,spend,5\n"
        '2026-06-18 11:00,,paid_search,"p1",sku-1,spend,6\n'
        "2026-06-18 11:00,other,paid_search,p1,sku-1,spend,7\n"
        "2026-06-18,,paid_search,p1,sku-1,spend,8\n"
        '2026-06-18 12:00,,paid_search,"p1,x",sku-1,spend,9\n'
        "2026-06-18 13:00,,paid_search,p1,sku-1,clicks,-\n"
        "2026-06-18 13:00,,,,,uv,3\n"
    )
    plain = [line.split(",") for line in body.splitlines() if '"' not in line]
    reordered = "".join(",".join([*c[4:7], *c[0:4]]) + "\n" for c in plain)
    for header, text in (
        (HEADER, body),
        ("sku,metric,value,ts,store,channel,campaign\n", reordered),
    ):
        path = write_csv(tmp_path / "bulk.csv", text, header)
        raw = list(read_canonical(path, store="shop", tz=SHANGHAI).points)
        parsed = read_canonical(path, store="shop", tz=SHANGHAI)
        batch = _Batch()
        bulk = list(parsed.points.series_values(batch))  # type: ignore[attr-defined]
        ids = {v: k for k, v in batch.keys.items()}
        rebuilt = [
            (ids[sid][0], ids[sid][1], ts, ids[sid][3], ids[sid][4], ids[sid][5], ids[sid][2], v)
            for sid, ts, v, ingest in bulk
        ]
        assert rebuilt == raw
        assert {row[3] for row in bulk} == {7}
        assert parsed.points.count == len(raw)  # type: ignore[attr-defined]
        span = (min(r[2] for r in raw), max(r[2] for r in raw))
        assert parsed.points.span == span  # type: ignore[attr-defined]


def test_bulk_path_records_counts_and_period_in_the_store(tmp_path: Path, store: Store) -> None:
    first = write_csv(tmp_path / "a.csv", "2026-06-18 10:00,,,,,uv,1\n2026-06-18 11:00,,,,,uv,-\n")
    second = write_csv(tmp_path / "b.csv", "2026-06-19 10:00,,,,,uv,2\n2026-06-17,,,,,uv,3\n")
    with store.batch(source="t", origin="both") as batch:
        assert batch.add_raw(read_canonical(first, store="s", tz=SHANGHAI).points) == 1
        assert batch.add_raw(read_canonical(second, store="s", tz=SHANGHAI).points) == 2
    ingest = store.ingests()[0]
    assert (ingest["status"], ingest["points"]) == ("loaded", 3)
    assert ingest["period_start"] == epoch(2026, 6, 16, 16)
    assert ingest["period_end"] == epoch(2026, 6, 19, 2)
    assert store.point_count() == 3


def test_a_last_line_cut_inside_its_value_is_refused(tmp_path: Path) -> None:
    # 2026-06-18 11:00,...,uv,80 cut after the 8: every cell is there, only the
    # newline is missing.
    path = tmp_path / "cut.csv"
    path.write_text(HEADER + "2026-06-18 10:00,,,,,uv,120\n2026-06-18 11:00,,,,,uv,8", "utf-8")
    with pytest.raises(IncompleteFile, match="cut off") as info:
        read_canonical(path, store="shop", tz=SHANGHAI)
    assert info.value.line == 3
    header_only = tmp_path / "header.csv"
    header_only.write_text(HEADER.rstrip("\n"), encoding="utf-8")
    assert read_all(header_only) == []


@pytest.mark.parametrize("name", ["my shop", "a/b", "-lead", "x" * 65])
def test_a_store_cell_that_cannot_be_a_store_is_refused(tmp_path: Path, name: str) -> None:
    body = f"2026-06-18 10:00,ok-store,,,,uv,1\n2026-06-18 10:00,{name},,,,uv,2\n"
    for rows in (read_all, _bulk):
        with pytest.raises(RejectedInput) as info:
            rows(write_csv(tmp_path / "s.csv", body))
        assert (info.value.line, info.value.column) == (3, "store")
        assert "store name" in info.value.message


def test_store_cells_in_any_script_are_fine(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", "2026-06-18 10:00,示例旗舰店,,,,uv,1\n")
    assert [p[0] for p in read_all(path)] == ["示例旗舰店"]


def _bulk(path: Path) -> list[tuple[int, int, float, int]]:
    """The bulk rows of a canonical file (the store's write path)."""
    points = read_canonical(path, store="shop", tz=SHANGHAI).points
    return list(points.series_values(_Batch()))  # type: ignore[attr-defined]

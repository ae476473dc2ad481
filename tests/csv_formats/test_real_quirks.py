"""Quirks of real downloads, reproduced byte for byte in small synthetic files: read through
the reader, then through `opsboard ingest` and `opsboard query` as a user would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from csv_formats.support import FORMATS, read
from opsboard.cli.main import main

UK_REPORT = FORMATS / "BusinessReport-child-uk.csv"


def answer(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    files: list[Path],
    metrics: list[str],
    *extra: str,
    day: str | None = None,
) -> list[dict[str, Any]]:
    """Ingest ``files`` into ``db`` with the command line, then its JSON query answer."""
    dated = ["--date", day] if day else []
    code = main(["ingest", *map(str, files), "--store", "s1", *dated, "--db", str(db)])
    _out, err = capsys.readouterr()
    assert code == 0, err
    code = main(["query", *metrics, "--store", "s1", *extra, "--format", "json", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def test_business_report_without_final_newline_loads() -> None:
    data = UK_REPORT.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith("£0.00,19,0".encode())  # no newline, as Amazon writes it
    parsed = read(UK_REPORT, day=date(2026, 11, 6))
    assert parsed.rows == 5


def test_sessions_of_a_pair_are_counted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = answer(
        capsys,
        tmp_path / "o.db",
        [UK_REPORT],
        ["sessions", "pv", "units", "gmv", "orders"],
        day="2026-11-06",
    )
    # 1,110 on two SKU rows of one pair counts once; B0CHILD001 under a second parent
    # adds that pair's 20.
    assert rows == [{"sessions": 1171, "pv": 1483, "units": 25, "gmv": 1369.76, "orders": 25}]
    by_sku = answer(capsys, tmp_path / "o.db", [UK_REPORT], ["sessions"], "--by", "sku",
                    day="2026-11-06")  # fmt: skip
    assert {r["sku"]: r["sessions"] for r in by_sku} == {
        "B0CHILD001": 1130,
        "B0CHILD002": 40,
        "B0CHILD003": 1,
    }


def test_a_pair_whose_repeated_figure_differs_is_refused(tmp_path: Path) -> None:
    text = UK_REPORT.read_text(encoding="utf-8-sig").replace('"1,110"', '"1,111"', 1)
    path = tmp_path / "BusinessReport-edited.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="B0PARENT01 / B0CHILD001") as caught:
        read(path, day=date(2026, 11, 6))
    assert "line 3" in str(caught.value)

"""`opsboard ingest`: per-file result lines, exit codes, clear errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_drop.helpers import write_csv
from opsboard.cli.main import main
from opsboard.storage import Store

GOOD = "2026-06-18 10:00,,,,,uv,120\n2026-06-18,,,,,gmv,-\n2026-06-19 23:00,,,,,uv,80\n"


def run(args: list[str], db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line on ``db``; exit code, stdout, stderr."""
    code = main([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_reports_format_store_rows_points_and_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "traffic.csv", GOOD)
    code, out, err = run(["ingest", str(path), "--store", "shop"], tmp_path / "o.db", capsys)
    assert (code, err) == (0, "")
    assert out.strip() == (
        f"{path}: canonical for shop: 3 rows, 2 points, 2026-06-18 .. 2026-06-19 "
        "(1 rows skipped: titles, totals or no figure)"
    )
    with Store.open(tmp_path / "o.db") as store:
        assert store.point_count() == 2


def test_rejected_file_exits_1_and_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "good.csv", GOOD)
    bad = write_csv(tmp_path / "bad.csv", GOOD + "2026-06-19 10:00,,direct-mail,,,uv,1\n")
    code, out, err = run(["ingest", str(good), str(bad), "--store", "s"], tmp_path / "o.db", capsys)
    assert code == 1
    assert out.startswith(f"{good}: canonical for s")
    assert err.startswith(f"{bad}: rejected: line 5, column 'channel': found channel")
    assert "Traceback" not in err
    with Store.open(tmp_path / "o.db") as store:
        assert store.point_count() == 2


def test_missing_file_and_folder_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    code, out, err = run(
        ["ingest", str(tmp_path / "nope.csv"), str(folder), "--store", "s"],
        tmp_path / "o.db",
        capsys,
    )
    assert code == 1
    assert out == ""
    assert f"{tmp_path / 'nope.csv'}: rejected: no such file" in err
    assert f"{folder}: rejected: is a folder, not a file" in err


def test_store_column_is_used_without_store_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "multi.csv", "2026-06-18 10:00,a,,,,uv,1\n2026-06-18 10:00,b,,,,uv,2\n"
    )
    code, out, _ = run(["ingest", str(path), "--format", "canonical"], tmp_path / "o.db", capsys)
    assert code == 0
    assert "canonical for a, b: 2 rows, 2 points" in out
    path = write_csv(tmp_path / "nostore.csv", "2026-06-18 10:00,,,,,uv,1\n")
    code, _, err = run(["ingest", str(path)], tmp_path / "o.db", capsys)
    assert code == 1
    assert "column 'store'" in err


def test_unknown_format_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    code, _, err = run(["ingest", str(path), "--store", "s"], tmp_path / "o.db", capsys)
    assert code == 1
    assert err.startswith(f"{path}: rejected: ")
    assert "Traceback" not in err


def test_bad_date_option_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "t.csv", GOOD)
    code, _, err = run(["ingest", str(path), "--date", "18.06"], tmp_path / "o.db", capsys)
    assert code == 2
    assert "cannot read '18.06' as a date" in err


def test_single_store_column_names_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "one.csv", "2026-06-18 10:00,jd-main,,,,uv,1\n")
    code, out, _ = run(["ingest", str(path)], tmp_path / "o.db", capsys)
    assert code == 0
    assert "canonical for jd-main: 1 rows, 1 points, 2026-06-18 .. 2026-06-18" in out

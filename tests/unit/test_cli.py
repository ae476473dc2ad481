"""The command line: query output formats, errors without tracebacks, Textual-free core."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from opsboard.cli.main import main
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

SH = zone("Asia/Shanghai")


@pytest.fixture
def loaded(db_path: Path) -> Path:
    with Store.open(db_path) as store:
        points = []
        for day, (uv, buyers, gmv) in {1: (1000, 30, 3000.10), 2: (2000, 50, 6000.25)}.items():
            ts = local_midnight(date(2026, 6, day), SH)
            points += [
                MetricPoint("s1", ts, "day", "uv", uv),
                MetricPoint("s1", ts, "day", "buyers", buyers),
                MetricPoint("s1", ts, "day", "gmv", gmv),
            ]
        store.write_points(points)
    return db_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_json_total(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "query",
        "uv",
        "gmv",
        "conversion_rate",
        "--store",
        "s1",
        "--by",
        "total",
        "--format",
        "json",
        "--db",
        str(loaded),
    )
    assert code == 0
    assert err == ""
    assert json.loads(out) == [{"uv": 3000, "gmv": 9000.35, "conversion_rate": 0.02667}]


def test_query_json_by_day_adds_the_day_key(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "query", "uv", "aov", "--by", "day", "--format", "json", "--db", str(loaded)
    )
    assert code == 0
    assert json.loads(out) == [
        {"day": "2026-06-01", "uv": 1000, "aov": 100.00333},
        {"day": "2026-06-02", "uv": 2000, "aov": 120.005},
    ]


def test_query_csv_and_table(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "query",
        "uv",
        "conversion_rate",
        "--by",
        "day",
        "--format",
        "csv",
        "--db",
        str(loaded),
    )
    assert out.splitlines()[0] == "day,uv,conversion_rate"
    assert out.splitlines()[1] == "2026-06-01,1000,0.03"  # rounded like json
    _, out, _ = run(
        capsys,
        "query",
        "uv",
        "gmv",
        "conversion_rate",
        "--db",
        str(loaded),
        "--from",
        "2026-06-02",
        "--to",
        "2026-06-02",
    )
    assert "2,000" in out
    assert "6,000.25" in out
    assert "2.50%" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "visits"], "unknown metric 'visits'"),
        (["query", "uv", "--store", "nope"], "no data for store 'nope'"),
        (["query", "uv", "--from", "June 1st"], "cannot read 'June 1st' as a date"),
    ],
)
def test_query_errors_are_one_clear_message(
    loaded: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, "--db", str(loaded))
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert "fix:" in err


def test_query_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "query", "uv", "--db", str(tmp_path / "none.db"))
    assert code == 2
    assert "no database yet" in err


def test_env_variables_name_the_files(
    loaded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSBOARD_DB", str(loaded))
    code, out, _ = run(capsys, "query", "uv", "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"uv": 3000}]
    monkeypatch.setenv("OPSBOARD_CONFIG", str(loaded.parent / "missing.toml"))
    code, _, err = run(capsys, "query", "uv")
    assert code == 2
    assert "no such config file" in err


def test_bad_config_through_any_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[storage]\nbusy_timeout = 'forever'\n")
    code, _, err = run(capsys, "query", "uv", "--config", str(config))
    assert code == 2
    assert "storage.busy_timeout" in err
    assert "Traceback" not in err


def test_help_lists_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "opsboard", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in (
        "demo",
        "watch",
        "ingest",
        "query",
        "alerts",
        "review",
        "serve",
        "formats",
        "config",
        "mock-api",
    ):
        assert command in out


def test_adapters_are_listed_from_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "adapters")
    assert code == 0
    assert {"csv", "api"} <= set(out.split())

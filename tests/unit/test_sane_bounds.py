"""Days outside 2000-01-01 .. a year after today and loosely typed config values are
refused where they enter, with a message instead of a traceback."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from opsboard.cli.main import main
from opsboard.config.files import load_settings
from opsboard.errors import ConfigError, UsageError
from opsboard.models import MetricPoint
from opsboard.points import InvalidPoint
from opsboard.storage import Store
from opsboard.timeutil import bounded_days_back, parse_day


def test_days_outside_the_kept_range_are_refused() -> None:
    today = date(2026, 6, 18)
    assert parse_day("-30d", today=today) == date(2026, 5, 19)
    assert parse_day("2000-01-01", today=today) == date(2000, 1, 1)
    for text in ("9999-01-01", "1999-12-31", "-99999999d"):
        with pytest.raises(UsageError):
            parse_day(text, today=today)
    with pytest.raises(UsageError, match="before 2000-01-01"):
        bounded_days_back("-99999999d")


def test_a_point_dated_year_9999_is_refused_by_the_store(store: Store) -> None:
    far = datetime(9999, 6, 18, tzinfo=UTC)
    with pytest.raises(InvalidPoint, match="9999-06-18: outside the days"):
        store.write_points([MetricPoint("shop", far, "hour", "uv", 1.0)])
    assert store.point_count() == 0


def test_query_from_far_back_says_so(
    db_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(db_path), "query", "uv", "--from", "-99999999d"])
    assert code == 2
    assert "reaches back before 2000-01-01" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("refresh_interval = true\n", "expected a duration"),
        ('[storage]\ngroup_access = "yes"\n', "expected true or false"),
        ('[storage]\nkeep_history = "2h"\n', "at least a day"),
    ],
)
def test_loosely_typed_values_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "opsboard.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_settings(path)


def test_an_unreadable_config_folder_is_said_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Unreadable(type(tmp_path)):  # type: ignore[misc]
        def exists(self, *, follow_symlinks: bool = True) -> bool:
            raise PermissionError(13, "Permission denied")

    monkeypatch.delenv("OPSBOARD_CONFIG", raising=False)
    monkeypatch.setattr(
        "opsboard.runtime.default_config_path", lambda: Unreadable(tmp_path / "c" / "config.toml")
    )
    code = main(["--db", str(tmp_path / "a.db"), "query", "uv"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot look for the config file there (Permission denied)" in err
    assert "Traceback" not in err


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    import sqlite3

    from opsboard.errors import StoreError

    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id, name)")
    before = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(StoreError, match=r"another program \(tables: customers\)"):
            Store.open(path, readonly=readonly)
    assert path.read_bytes() == before
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    Store.open(empty).close()  # an empty file becomes a database

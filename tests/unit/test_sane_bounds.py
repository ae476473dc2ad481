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

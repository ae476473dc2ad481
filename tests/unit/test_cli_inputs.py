"""What the command line does with what it is given: store names, relative days in the
store's time zone, files of stores in other zones, currencies, and `watch --once` codes."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from opsboard.cli.main import attach_day_values, main
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

LA = zone("America/Los_Angeles")
SH = zone("Asia/Shanghai")
#: 06:30 UTC: already 2026-06-18 in UTC and Shanghai, still 2026-06-17 in Los Angeles.
NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
HEADER = "ts,store,channel,campaign,sku,metric,value\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Every command's clock reads ``NOW``."""
    monkeypatch.setattr("opsboard.timeutil.Clock.now", lambda _self: NOW)
    return NOW


@pytest.fixture
def two_zones(tmp_path: Path) -> Path:
    """A config with a Los Angeles store and a Shanghai store."""
    path = tmp_path / "opsboard.toml"
    path.write_text(
        '[[stores]]\nname = "la"\ntimezone = "America/Los_Angeles"\ncurrency = "USD"\n'
        '[[stores]]\nname = "sh"\n',
        encoding="utf-8",
    )
    return path


def stored(db: Path) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT s.store, s.grain, s.metric, p.ts FROM points p "
            "JOIN series s ON s.id = p.series_id ORDER BY 1, 3"
        ).fetchall()


# -- store names -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["ingest", "query", "review", "alerts"])
def test_a_store_name_no_config_could_hold_is_a_clear_usage_error(
    command: str, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(db_path).close()
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "2026-06-18,,,,,uv,1\n", encoding="utf-8")
    argv = {
        "ingest": ["ingest", str(data)],
        "query": ["query", "uv"],
        "review": ["review"],
        "alerts": ["alerts", "list"],
    }[command]
    code, out, err = run(capsys, *argv, "--store", "my shop", "--db", str(db_path))
    assert code == 2
    assert out == ""
    assert "--store: store name 'my shop' is not allowed" in err
    assert "fix:" in err
    assert "Traceback" not in err
    with Store.open(db_path) as store:
        assert store.point_count() == 0


def test_a_silence_takes_a_store_pattern(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "2026-06-18,tmall-a,,,,uv,7\n", encoding="utf-8")
    assert run(capsys, "ingest", str(data), "--db", str(db_path))[0] == 0
    code, out, err = run(
        capsys, "alerts", "silence", "*", "--store", "tmall-*", "--for", "1h", "--db", str(db_path)
    )
    assert (code, err) == (0, "")
    assert "silence 1: * until" in out
    code, _, err = run(
        capsys, "alerts", "silence", "*", "--store", "jd-*", "--for", "1h", "--db", str(db_path)
    )
    assert code == 2
    assert "no configured store matches --store 'jd-*'" in err


def test_a_store_name_in_any_script_is_accepted(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "2026-06-18,,,,,uv,7\n", encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(data), "--store", "天猫旗舰店", "--db", str(db_path))
    assert code == 0
    assert "canonical for 天猫旗舰店" in out
    code, out, _ = run(
        capsys, "query", "uv", "--store", "天猫旗舰店", "--format", "json", "--db", str(db_path)
    )
    assert json.loads(out) == [{"uv": 7}]


def test_a_store_column_with_a_bad_name_rejects_the_file(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "2026-06-18,my shop,,,,uv,7\n", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(data), "--db", str(db_path))
    assert code == 1
    assert "store name 'my shop' is not allowed" in err
    with Store.open(db_path) as store:
        assert store.point_count() == 0


def test_an_old_store_name_in_the_database_is_read_with_defaults(
    db_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with Store.open(db_path) as store:
        store.write_points(
            [MetricPoint("s1", local_midnight(date(2026, 6, 18), SH), "day", "uv", 5)]
        )
        # A database written before store names were checked.
        store.conn.execute("UPDATE series SET store = 'old shop'")
        store.write_points(
            [MetricPoint("s2", local_midnight(date(2026, 6, 18), SH), "day", "uv", 2)]
        )
    code, out, err = run(capsys, "query", "uv", "--format", "json", "--db", str(db_path))
    assert (code, json.loads(out)) == (0, [{"uv": 7}])
    assert "store name 'old shop' is not allowed" in caplog.text
    assert "default store settings" in caplog.text
    code, out, _ = run(
        capsys, "query", "uv", "--store", "old shop", "--format", "json", "--db", str(db_path)
    )
    assert (code, json.loads(out)) == (0, [{"uv": 5}])
    code, out, err = run(capsys, "review", "--date", "2026-06-18", "--db", str(db_path))
    assert code == 0
    assert "old shop" in out
    assert "Traceback" not in err
    code, _, err = run(capsys, "watch", "--once", "--db", str(db_path))
    assert code in (0, 1, 2)  # judged, not UNKNOWN: the old name did not stop the cycle
    assert "Traceback" not in err


# -- relative days ---------------------------------------------------------------------------


def test_relative_days_attach_to_their_option() -> None:
    assert attach_day_values(["query", "uv", "--from", "-7d", "--to", "-1d"]) == [
        "query", "uv", "--from=-7d", "--to=-1d",
    ]  # fmt: skip
    assert attach_day_values(["review", "--date", "-2d", "--", "--from", "-3d"]) == [
        "review", "--date=-2d", "--", "--from", "-3d",
    ]  # fmt: skip


def test_minus_seven_days_works_as_documented(
    db_path: Path, frozen: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.write_points(
            [
                MetricPoint("s1", local_midnight(date(2026, 6, d), SH), "day", "uv", d)
                for d in range(1, 19)
            ]
        )
    code, out, err = run(
        capsys, "query", "uv", "--from", "-7d", "--to", "-1d", "--format", "json",
        "--db", str(db_path),
    )  # fmt: skip
    assert err == ""
    assert (code, json.loads(out)) == (0, [{"uv": sum(range(11, 18))}])


def test_today_is_the_store_s_own_day(
    db_path: Path, two_zones: Path, frozen: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.write_points(
            [
                MetricPoint("la", local_midnight(date(2026, 6, 17), LA), "day", "uv", 17),
                MetricPoint("la", local_midnight(date(2026, 6, 18), LA), "day", "uv", 18),
                MetricPoint("sh", local_midnight(date(2026, 6, 17), SH), "day", "uv", 1700),
                MetricPoint("sh", local_midnight(date(2026, 6, 18), SH), "day", "uv", 1800),
            ]
        )
    base = ["--from", "today", "--to", "today", "--format", "json", "--config", str(two_zones)]
    code, out, _ = run(capsys, "query", "uv", "--store", "la", *base, "--db", str(db_path))
    assert (code, json.loads(out)) == (0, [{"uv": 17}])  # still the 17th in Los Angeles
    code, out, _ = run(capsys, "query", "uv", "--store", "sh", *base, "--db", str(db_path))
    assert json.loads(out) == [{"uv": 1800}]
    code, out, _ = run(capsys, "query", "uv", *base, "--db", str(db_path))
    assert json.loads(out) == [{"uv": 17 + 1800}]  # each store's own today


#: A legacy 直通车 plan report: no date column, so `--date` says which day it is.
PLAN_REPORT = Path(__file__).resolve().parents[1] / "data" / "formats" / "直通车_推广计划报表.csv"


def test_ingest_date_is_the_store_s_day(
    db_path: Path, two_zones: Path, frozen: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_report = PLAN_REPORT
    code, _, err = run(
        capsys, "ingest", str(plan_report), "--store", "la", "--date", "today",
        "--config", str(two_zones), "--db", str(db_path),
    )  # fmt: skip
    assert code == 0, err
    days = {ts for _store, grain, _metric, ts in stored(db_path) if grain == "day"}
    assert days == {int(local_midnight(date(2026, 6, 17), LA).timestamp())}


def test_from_after_to_is_refused(
    db_path: Path, frozen: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(db_path).close()
    code, _, err = run(
        capsys, "query", "uv", "--from", "2026-06-19", "--to", "2026-06-18", "--db", str(db_path)
    )
    assert code == 2
    assert "--from 2026-06-19 is after --to 2026-06-18" in err
    code, _, err = run(
        capsys, "query", "uv", "--from", "today", "--to", "-3d", "--db", str(db_path)
    )
    assert code == 2
    assert "--from today (2026-06-18) is after --to -3d (2026-06-15)" in err


# -- files of stores in other time zones -------------------------------------------------------


def test_a_file_is_read_in_its_store_s_time_zone(
    tmp_path: Path, db_path: Path, two_zones: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "la.csv"
    data.write_text(HEADER + "2026-06-18,la,,,,uv,100\n2026-06-18 10:00,la,,,,pv,5\n", "utf-8")
    code, out, err = run(
        capsys, "ingest", str(data), "--config", str(two_zones), "--db", str(db_path)
    )
    assert (code, err) == (0, "")
    assert "canonical for la" in out
    assert stored(db_path) == [
        ("la", "hour", "pv", int(datetime(2026, 6, 18, 10, tzinfo=LA).timestamp())),
        ("la", "day", "uv", int(local_midnight(date(2026, 6, 18), LA).timestamp())),
    ]
    with Store.open(db_path) as store:
        assert [r["status"] for r in store.ingests()] == ["loaded"]  # the first read left no trace


def test_a_file_mixing_stores_of_two_zones_is_refused_whole(
    tmp_path: Path, db_path: Path, two_zones: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "mix.csv"
    data.write_text(HEADER + "2026-06-18,la,,,,uv,100\n2026-06-18,sh,,,,uv,50\n", "utf-8")
    code, out, err = run(
        capsys, "ingest", str(data), "--config", str(two_zones), "--db", str(db_path)
    )
    assert (code, out) == (1, "")
    assert "la (America/Los_Angeles), sh (Asia/Shanghai)" in err
    assert "split the file by store" in err
    assert stored(db_path) == []


def test_the_summary_names_the_store_the_rows_went_to(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "one.toml"
    config.write_text('[[stores]]\nname = "la"\ntimezone = "America/Los_Angeles"\n', "utf-8")
    data = tmp_path / "zz.csv"
    data.write_text(HEADER + "2026-06-18,zz,,,,uv,7\n", "utf-8")
    code, out, _ = run(capsys, "ingest", str(data), "--config", str(config), "--db", str(db_path))
    assert code == 0
    assert "canonical for zz" in out
    assert "canonical for la" not in out
    assert "store zz is not in the config" in out
    code, out, _ = run(
        capsys, "ingest", str(data), "--store", "la", "--config", str(config), "--db", str(db_path)
    )
    assert "canonical for zz" in out
    assert "--store la applies only to rows whose store cell is empty" in out
    assert [r[0] for r in stored(db_path)] == ["zz"]


# -- money, channels, output -----------------------------------------------------------------


def test_money_of_two_currencies_is_not_added(
    db_path: Path, two_zones: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.write_points(
            [
                MetricPoint("la", local_midnight(date(2026, 6, 17), LA), "day", "gmv", 100),
                MetricPoint("sh", local_midnight(date(2026, 6, 17), SH), "day", "gmv", 700),
                MetricPoint("sh", local_midnight(date(2026, 6, 17), SH), "day", "uv", 70),
            ]
        )
    config = ["--config", str(two_zones), "--db", str(db_path)]
    code, out, err = run(capsys, "query", "gmv", "aov", *config)
    assert (code, out) == (2, "")
    assert "gmv, aov would add up money in different currencies: la (USD), sh (CNY)" in err
    assert "--store la or --store sh" in err
    code, out, _ = run(capsys, "query", "uv", "--format", "json", *config)
    assert json.loads(out) == [{"uv": 70}]  # counts add up across currencies
    code, out, _ = run(capsys, "query", "gmv", "--store", "sh", "--format", "json", *config)
    assert json.loads(out) == [{"gmv": 700}]


def test_money_of_two_currencies_adds_up_converted_with_rates(
    db_path: Path, two_zones: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as store:
        store.write_points(
            [
                MetricPoint("la", local_midnight(date(2026, 6, 17), LA), "day", "gmv", 100),
                MetricPoint("sh", local_midnight(date(2026, 6, 17), SH), "day", "gmv", 700),
            ]
        )
    text = two_zones.read_text("utf-8")
    two_zones.write_text('reporting_currency = "CNY"\nrates = { USD = 7.1 }\n' + text, "utf-8")
    config = ["--config", str(two_zones), "--db", str(db_path)]
    code, out, err = run(capsys, "query", "gmv", "--format", "json", *config)
    assert code == 0
    assert json.loads(out) == [{"gmv": 1410}]
    assert "money converted to CNY at the configured rates" in err


def test_an_unknown_channel_is_refused(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(db_path).close()
    code, _, err = run(capsys, "query", "uv", "--channel", "bogus", "--db", str(db_path))
    assert code == 2
    assert "unknown channel 'bogus'" in err
    assert "paid_search" in err


# -- watch --once: failing to run is UNKNOWN -------------------------------------------------


def test_watch_once_on_a_database_held_by_another_collector_is_unknown(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path) as other:
        other.acquire_collector_lock()
        code, out, err = run(capsys, "watch", "--once", "--db", str(db_path))
    assert code == 3
    assert out == ""
    assert "already collecting" in err


def test_watch_once_without_its_config_or_secret_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "watch", "--once", "--config", str(tmp_path / "none.toml"))
    assert code == 3
    assert "no such config file" in err
    monkeypatch.delenv("OPSBOARD_TEST_HOOK", raising=False)
    config = tmp_path / "c.toml"
    config.write_text(
        "[[notifiers]]\nname = 'chat'\ntype = 'webhook'\nurl = '${OPSBOARD_TEST_HOOK}'\n"
    )
    code, _, err = run(capsys, "watch", "--once", "--config", str(config))
    assert code == 3
    assert "set OPSBOARD_TEST_HOOK in the environment" in err
    code, _, _ = run(capsys, "query", "uv", "--config", str(config))
    assert code == 2  # other commands keep the usage code


def test_watch_once_with_an_uncreatable_database_folder_is_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "watch", "--once", "--db", "/proc/opsboard-nope/z.db")
    assert code == 3
    assert "cannot create the database folder" in err
    assert "Traceback" not in err


def test_watch_once_on_a_locked_database_is_unknown(
    db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[storage]\nbusy_timeout = '0.05s'\n")
    Store.open(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(capsys, "watch", "--once", "--config", str(config), "--db", str(db_path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 3, err
    assert "Traceback" not in err


def test_query_period_bounds_are_per_store_for_relative_days() -> None:
    from opsboard.query.engine import Period

    period = Period(first_back=1, last_back=1)
    assert period.days(LA, NOW) == (date(2026, 6, 16), date(2026, 6, 16))
    assert period.days(SH, NOW) == (date(2026, 6, 17), date(2026, 6, 17))
    assert period.days(SH, NOW + timedelta(hours=20)) == (date(2026, 6, 18), date(2026, 6, 18))

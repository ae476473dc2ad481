"""Hard failures said plainly: a damaged database, a full disk, a source going down and
coming back, and the same warning over and over."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from opsboard.cli.lograte import RepeatFilter
from opsboard.collect.collector import Collector
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.storage.failures import explain
from opsboard.timeutil import FrozenClock

from .conftest import points
from .test_alert_watch import RULES, opsboard, seed, write_config


def damage(db: Path) -> None:
    """Overwrite the middle of every third page, as a failing disk or a bad copy would."""
    size = db.stat().st_size
    with db.open("r+b") as handle:
        for offset in range(8192, size, 3 * 4096):
            handle.seek(offset + 100)
            handle.write(b"\xa5" * 2000)


def damaged_db(tmp_path: Path) -> Path:
    db = tmp_path / "ops.db"
    seed(db, skus=200)
    damage(db)
    return db


def test_a_damaged_database_is_said_so_by_every_command(tmp_path: Path) -> None:
    db = damaged_db(tmp_path)
    config = write_config(tmp_path, RULES.format(uv=100, severity="warning"))
    query = opsboard("--db", str(db), "query", "uv", "--by", "sku")
    watch = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    for done in (query, watch):
        assert "Traceback" not in done.stderr
        assert "the database file is damaged" in done.stderr
        assert ".recover" in done.stderr
    assert query.returncode == 1
    assert watch.returncode == 3  # UNKNOWN for the monitoring system, not WARNING


def test_a_full_disk_says_so_and_what_to_free(tmp_path: Path) -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorname = "SQLITE_FULL"
    problem = explain(full, tmp_path / "ops.db")
    assert "the disk is full" in problem.message
    assert "nothing stored was lost" in problem.message
    assert "processed/" in str(problem.hint)


async def test_a_collector_on_a_full_database_says_so(
    store: Store, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    from opsboard.adapters.api import Adapter, Batch, raw_points

    class Steady(Adapter):
        async def poll(self, bookmarks: dict[str, str]):  # type: ignore[no-untyped-def]
            yield Batch(points=raw_points(points("uv", [1] * 400)), origin="poll")

        def health(self) -> list[SourceHealth]:
            return []

    from opsboard.adapters.api import AdapterContext
    from opsboard.config.models import Settings

    adapter = Steady(Adapter.Options(), AdapterContext("steady", Settings(), clock, Path()))
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    report = await Collector(store, [(adapter, 0.0)], clock).run_cycle()
    assert "the disk is full" in report.deferred["steady"]


async def test_a_failing_source_is_said_once_and_again_when_it_is_back(
    store: Store, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    from opsboard.adapters.api import Adapter, AdapterContext
    from opsboard.config.models import Settings

    class Flaky(Adapter):
        state = HealthState.FAILING

        async def poll(self, bookmarks: dict[str, str]):  # type: ignore[no-untyped-def]
            return
            yield

        def health(self) -> list[SourceHealth]:
            reason = "cannot reach the API" if self.state is HealthState.FAILING else ""
            return [
                SourceHealth("api", self.state, clock.now(), reason=reason, store=name)
                for name in ("", "a", "b")
            ]

    adapter = Flaky(Adapter.Options(), AdapterContext("api", Settings(), clock, Path()))
    collector = Collector(store, [(adapter, 0.0)], clock)
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        await collector.run_cycle(force=True)
    adapter.state = HealthState.OK
    for _ in range(3):
        await collector.run_cycle(force=True)
    said = [r.getMessage() for r in caplog.records if "source api" in r.getMessage()]
    assert said == [
        "source api is failing: cannot reach the API",
        "source api has recovered: ok",
    ]


def test_the_same_warning_is_said_once_a_minute() -> None:
    now = [0.0]
    limit = RepeatFilter(60.0, clock=lambda: now[0])

    def say(message: str) -> bool:
        record = logging.LogRecord("opsboard", logging.WARNING, "", 0, message, None, None)
        passed = limit.filter(record)
        if passed:
            said.append(record.getMessage())
        return passed

    said: list[str] = []
    for tick in range(120):  # two a second for a minute
        now[0] = tick / 2
        say(f"drops: not stored: the disk is full ({tick % 3} MiB free)")
    assert said == ["drops: not stored: the disk is full (0 MiB free)"]
    now[0] = 61.0
    assert say("drops: not stored: the disk is full (0 MiB free)")
    assert said[-1].endswith("(and 119 times more since it was last said)")
    assert say("another warning")
    info = logging.LogRecord("opsboard", logging.INFO, "", 0, "m", None, None)
    assert limit.filter(info)
    assert limit.filter(info)

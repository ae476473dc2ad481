"""Fixtures for the dashboard tests: a seeded database, a frozen clock, a ready app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.views.sample_world import (
    SAMPLE_NOW,
    hold_sample_collector,
    sample_settings,
    seed,
)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    with Store.open(path) as store:
        seed(store)
        # Loaded "just before" the frozen instant, so that times on screen do not move.
        loaded = (SAMPLE_NOW - timedelta(minutes=5)).isoformat(timespec="seconds")
        store.conn.execute("UPDATE ingests SET started_at = ?, finished_at = ?", (loaded, loaded))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database."""
    db_path = tmp_path / "opsboard.db"
    shutil.copy(seeded_template, db_path)
    return db_path


@pytest.fixture
def sample_collector(seeded_db: Path) -> Iterator[Store]:
    """The sample world's collector (another process, as on a team server) holding the lock
    of the seeded database; a test that wants the lock free closes it."""
    holder = hold_sample_collector(seeded_db)
    yield holder
    holder.close()


@pytest.fixture
def seeded_runtime(seeded_db: Path, sample_collector: Store) -> Runtime:
    """A runtime on a copy of the seeded database, clock frozen at 14:30 in Shanghai, with
    the sample collector holding the lock (dashboards opened on it view)."""
    return Runtime(settings=sample_settings(), db_path=seeded_db, clock=FrozenClock(SAMPLE_NOW))


@pytest.fixture
def app(seeded_runtime: Runtime) -> OpsboardApp:
    """A viewer dashboard on the seeded data, one store, no timers."""
    return make_app(
        seeded_runtime, store="tmall-flagship", collect="never", live_refresh=False, blink=False
    )

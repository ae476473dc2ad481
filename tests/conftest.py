"""Shared fixtures: a fresh store, an engine with a frozen clock, the sample files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from opsboard import i18n
from opsboard.config.models import Settings
from opsboard.query.engine import MetricsEngine
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, zone
from opsboard.views.sample_world import SAMPLE_NOW, SAMPLE_ZONE

REPO = Path(__file__).resolve().parents[1]
#: The shared sample exports (../shared/formats/samples beside the checkout).
SAMPLES = REPO.parent / "shared" / "formats" / "samples"
#: Copies kept in the repo so tests run where shared/ is absent.
TEST_DATA = REPO / "tests" / "data"


@pytest.fixture(autouse=True)
def own_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's data and state folders (screenshots, remembered theme, adapter state) in
    a temporary folder: no test writes into the home of whoever runs it."""
    home = tmp_path_factory.mktemp("user")
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """English whatever the locale of whoever runs the tests (``LANG=zh_CN.UTF-8`` would
    otherwise turn every command's figures into 万); a test wanting Chinese asks for it."""
    monkeypatch.setenv("OPSBOARD_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def chinese() -> Iterator[None]:
    """Chinese for the test's own calls (a command that reads ``OPSBOARD_LANG`` itself stays
    English unless the test sets it too)."""
    i18n.set_language("zh-CN")
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at the sample world's instant: 2026-06-18 14:30 in Shanghai."""
    return FrozenClock(SAMPLE_NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives."""
    return tmp_path / "opsboard.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on disk."""
    opened = Store.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def engine(store: Store, clock: FrozenClock) -> MetricsEngine:
    """A metrics engine in the sample world's zone (Asia/Shanghai) with the frozen clock."""
    return MetricsEngine(store, tz_for=lambda _name: zone(SAMPLE_ZONE), now=clock.now)


@pytest.fixture
def runtime(db_path: Path, clock: FrozenClock) -> Runtime:
    """A runtime with default settings on the test database and the frozen clock."""
    return Runtime(settings=Settings(), db_path=db_path, clock=clock)


@pytest.fixture
def sample() -> Callable[[str], Path]:
    """``sample(name)``: the path of a sample export (tests/data copy first)."""

    def find(name: str) -> Path:
        for folder in (TEST_DATA / "samples", SAMPLES):
            if (folder / name).exists():
                return folder / name
        pytest.fail(f"sample file {name} not found in tests/data/samples or shared/")

    return find

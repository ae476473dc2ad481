"""Fixtures for the drop-folder tests: keep the operator's own config out of them, and a
real collector on the test store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from opsboard_csv.adapter import CsvDropAdapter

from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for the default config in an empty folder, and forget OPSBOARD_*."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.delenv("OPSBOARD_CONFIG", raising=False)
    monkeypatch.delenv("OPSBOARD_DB", raising=False)


@pytest.fixture
async def collector(store: Store, clock: FrozenClock) -> AsyncIterator[Callable[..., Collector]]:
    """``collector(adapter)``: a real collector on the test store; adapters closed after."""
    made: list[Collector] = []

    def make(adapter: CsvDropAdapter) -> Collector:
        made.append(Collector(store, [(adapter, 0.0)], clock))
        return made[-1]

    yield make
    for each in made:
        await each.aclose()

"""Fixtures of the review tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .days import Shop


@pytest.fixture
def shop(store: Store, db_path: Path, clock: FrozenClock) -> Shop:
    """An empty shop; tests write its days."""
    return Shop(store=store, db_path=db_path, clock=clock)

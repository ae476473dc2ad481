"""Fixtures for the drop-folder tests: keep the operator's own config out of them."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for the default config in an empty folder, and forget OPSBOARD_*."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.delenv("OPSBOARD_CONFIG", raising=False)
    monkeypatch.delenv("OPSBOARD_DB", raising=False)

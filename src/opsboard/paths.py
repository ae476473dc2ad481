"""Where opsboard keeps its files: the user's platform directories unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "opsboard"


def default_config_path() -> Path:
    """``OPSBOARD_CONFIG``, else ``<user config dir>/opsboard/config.toml``."""
    env = os.environ.get("OPSBOARD_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_db_path() -> Path:
    """``OPSBOARD_DB``, else ``<user data dir>/opsboard/opsboard.db``."""
    env = os.environ.get("OPSBOARD_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP)) / "opsboard.db"


def state_dir() -> Path:
    """Where adapters keep working files that are not data (e.g. watcher state)."""
    return Path(platformdirs.user_state_dir(APP))


def data_dir() -> Path:
    """``<user data dir>/opsboard``: the user's own files (screenshots, preferences)."""
    return Path(platformdirs.user_data_dir(APP))


def screenshot_dir() -> Path:
    """Where the dashboard saves screenshots: ``<user data dir>/opsboard/screenshots``."""
    return data_dir() / "screenshots"


def preferences_path() -> Path:
    """The dashboard's remembered choices (the theme): ``<user state dir>/opsboard/``."""
    return state_dir() / "dashboard.json"

"""The settings, paths and clock a command runs with, built once by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from opsboard.config import Settings, load_settings
from opsboard.paths import default_config_path, default_db_path
from opsboard.query import MetricsEngine
from opsboard.storage.store import Store
from opsboard.timeutil import Clock, zone


@dataclass
class Runtime:
    """Everything a command needs that comes from the command line and the config."""

    settings: Settings
    db_path: Path
    config_path: Path | None = None
    clock: Clock = field(default_factory=Clock)

    @classmethod
    def from_args(cls, config: Path | None, db: Path | None) -> Runtime:
        """Load the config (named, from ``OPSBOARD_CONFIG``, or the default if it exists)."""
        path = config
        if path is None and os.environ.get("OPSBOARD_CONFIG"):
            path = Path(os.environ["OPSBOARD_CONFIG"]).expanduser()
        elif path is None:
            # The default location is optional; a named file must exist.
            default = default_config_path()
            path = default if default.exists() else None
        settings = load_settings(path)
        db_path = db or _env_db() or settings.storage.path or default_db_path()
        return cls(settings=settings, db_path=db_path, config_path=path)

    def open_store(self, *, readonly: bool = False) -> Store:
        """Open the database with the configured timeout and permissions."""
        return Store.open(
            self.db_path,
            busy_timeout=self.settings.storage.busy_timeout,
            group_access=self.settings.storage.group_access,
            readonly=readonly,
        )

    def tz_for(self, store: str) -> tzinfo:
        """A store's time zone, configured or the default."""
        return zone(self.settings.store(store).timezone)

    def engine(self, store: Store) -> MetricsEngine:
        """A metrics engine over ``store`` with this runtime's stores and clock."""
        return MetricsEngine(
            store,
            tz_for=self.tz_for,
            budget_for=lambda name: self.settings.store(name).daily_budget,
            now=self.clock.now,
        )


def _env_db() -> Path | None:
    value = os.environ.get("OPSBOARD_DB")
    return Path(value).expanduser() if value else None

"""The settings, paths and clock a command runs with, built once by the CLI."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path

from opsboard import i18n
from opsboard.config.files import load_settings
from opsboard.config.models import Settings
from opsboard.errors import ConfigError, UsageError
from opsboard.i18n import N_, _
from opsboard.metrics import uses_money
from opsboard.models import store_name_problem
from opsboard.paths import default_config_path, default_db_path
from opsboard.query.currency import money_across
from opsboard.query.engine import MetricsEngine
from opsboard.storage.store import Store
from opsboard.timeutil import DEFAULT_TIMEZONE, Clock, local_day, zone

#: What to do when a command that reads the database finds none.
LOAD_FIRST = N_("load data first (opsboard ingest FILE --store NAME) or name one with --db")


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
            try:
                path = default if default.exists() else None
            except OSError as exc:  # a config folder this user may not look into
                raise ConfigError(
                    f"{default.parent}: cannot look for the config file there "
                    f"({exc.strerror or exc})",
                    problems=[
                        f"fix the folder's permissions (chmod u+rx {default.parent}), or "
                        "name a config file with --config / OPSBOARD_CONFIG"
                    ],
                ) from None
        settings = load_settings(path)
        i18n.use_config_language(settings.language)
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

    def open_data(self, *, hint: str = LOAD_FIRST) -> Store:
        """Open the database read-only to read what it holds; a ``UsageError`` saying so
        (and ``hint``) when there is none yet, rather than an empty one made on the spot."""
        if not self.db_path.exists():
            raise UsageError(_("{path}: no database yet").format(path=self.db_path), hint=_(hint))
        return self.open_store(readonly=True)

    def tz_for(self, store: str | None) -> tzinfo:
        """A store's time zone, configured or the default (also for a name the config
        could not hold, found in an old database: see ``Settings.store``); the default
        zone for no store."""
        if not store:
            return zone(DEFAULT_TIMEZONE)
        return zone(self.settings.store(store).timezone)

    def today(self, store: str | None) -> date:
        """The local date now in ``store``'s time zone (the default zone for no store)."""
        return local_day(self.clock.now(), self.tz_for(store))

    def check_store_name(self, name: str, option: str, known: Collection[str] = ()) -> None:
        """Refuse a store name typed on the command line that no config could hold, unless
        ``known`` (the stores with data) already holds it."""
        problem = store_name_problem(name)
        if problem is None or name in known:
            return
        configured = [s.name for s in self.settings.stores]
        if configured:
            hint = "configured stores: " + ", ".join(configured)
        elif known:
            hint = "stores with data: " + ", ".join(known)
        else:
            hint = "name the store as its data will be known, e.g. --store tmall-flagship"
        raise UsageError(f"{option}: {problem}", hint=hint)

    def check_one_currency(self, metrics: Sequence[str], stores: Sequence[str]) -> None:
        """Refuse to add up money of stores with different currencies (CNY + USD)."""
        money = [m for m in metrics if uses_money(m)]
        currencies = {name: self.settings.store(name).currency for name in stores}
        if not money or len(set(currencies.values())) <= 1:
            return
        by_currency: dict[str, list[str]] = {}
        for name, currency in sorted(currencies.items()):
            by_currency.setdefault(currency, []).append(name)
        listed = ", ".join(f"{n} ({c})" for n, c in sorted(currencies.items()))
        choices = " or ".join(
            " ".join(f"--store {n}" for n in names) for names in by_currency.values()
        )
        raise UsageError(
            f"{', '.join(money)} would add up money in different currencies: {listed}",
            hint=f"ask the stores of one currency at a time: {choices}; or set "
            "reporting_currency and [rates] in the config to add them up converted",
        )

    def money_rates(self, metrics: Sequence[str], stores: Sequence[str]) -> dict[str, float] | None:
        """The rates that convert the stores' money into the reporting currency, where
        ``metrics`` add up money of stores in different currencies; None where nothing
        needs converting. Refuses (``UsageError``) where it cannot be added up."""
        if not any(uses_money(m) for m in metrics):
            return None
        money = money_across(self.settings, stores)
        if not money.summable:
            self.check_one_currency(metrics, stores)
        return money.rates

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

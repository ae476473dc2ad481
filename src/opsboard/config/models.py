"""The TOML configuration, validated by pydantic (DESIGN.md 4.4).

Every model forbids unknown keys and documents every field; ``config/opsboard.schema.json``
is generated from these models. The alert rules live in ``config.rules``, the value types
(durations, secrets) in ``config.types``.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from opsboard.config.rules import AlertsConfig
from opsboard.config.targets import TargetConfig, overlap_problem
from opsboard.config.types import ConfigModel, Duration, Secret
from opsboard.errors import UsageError
from opsboard.models import STORE_NAME_PATTERN, store_name_problem
from opsboard.timeutil import DEFAULT_TIMEZONE, zone

log = logging.getLogger("opsboard.config.models")
#: Store names already warned about (once per process is enough).
_WARNED_NAMES: set[str] = set()


#: The dashboard's theme unless the config names another (in a terminal of 16 colours the
#: dashboard then uses one of the terminal's own colours).
DEFAULT_THEME = "textual-dark"


class StorageConfig(ConfigModel):
    """Where and how the database is kept."""

    path: Path | None = None
    """The SQLite database file. Default: the user's data directory (see `opsboard --help`)."""

    group_access: bool = False
    """Let the file's group read and write the database (team servers). Off: owner only."""

    busy_timeout: Duration = timedelta(seconds=10)
    """How long a writer waits for another one before giving up."""

    keep_history: Duration = timedelta(days=90)
    """How long the collector keeps the history of loads (API polls, refused files) and of
    notifications; older records are pruned. The record of each file loaded is kept, and
    the points themselves are never pruned."""

    @field_validator("keep_history")
    @classmethod
    def _at_least_a_day(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1):
            raise ValueError("expected at least a day, such as 90d")
        return value


class StoreConfig(ConfigModel):
    """One store the operator runs on one platform."""

    name: str = Field(pattern=STORE_NAME_PATTERN)
    """The operator's name for the store, e.g. `tmall-flagship` or `天猫旗舰店` (letters of
    any script, digits, `-_.`)."""

    platform: Literal[
        "taobao", "tmall", "jd", "pinduoduo", "amazon", "shopify", "google_ads", "other"
    ] = "other"
    """The platform the store sells on."""

    timezone: str = DEFAULT_TIMEZONE
    """IANA time zone in which the store's days start and end."""

    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency of the store's money figures."""

    margin: float | None = Field(default=None, gt=0, le=1)
    """Contribution margin as a fraction (0.4 = 40%); break-even ROI is 1 / margin."""

    refund_rate: float = Field(default=0.0, ge=0, lt=1)
    """Share of GMV refunded; break-even ROI becomes 1 / (margin x (1 - refund_rate))."""

    category: Literal["standard", "non_standard"] = "standard"
    """标品 (standard) or 非标品 (non-standard) category; sets default bounce thresholds."""

    daily_budget: float | None = Field(default=None, ge=0)
    """The store's total daily ad budget, when the platform does not report one."""

    budgets: dict[str, float] = Field(default_factory=dict)
    """Daily ad budgets by channel or campaign id, e.g. `{ paid_search = 3000 }`."""

    strategic_loss_campaigns: list[str] = Field(default_factory=list)
    """Campaigns deliberately run below break-even ROI; shown as strategic loss, not alerted."""

    review_send_at: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """Local time at which the headless mode sends this store's review of yesterday, e.g.
    `08:30`; overrides `[review] send_at` for this store."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except UsageError as exc:
            raise ValueError(f"{exc.message}; {exc.hint}") from None
        return value

    @property
    def break_even_roi(self) -> float | None:
        """1 / (margin x (1 - refund_rate)), or None when no margin is configured."""
        if self.margin is None:
            return None
        return 1.0 / (self.margin * (1.0 - self.refund_rate))


class AdapterConfig(ConfigModel):
    """One data source: an adapter (by its entry-point name) and its options."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    """A name for this source, shown in health and logs, e.g. `tmall-exports`."""

    type: str
    """The adapter: an entry-point name in `opsboard.adapters` (`opsboard adapters` lists them)."""

    enabled: bool = True
    """Set to false to keep the source configured but not polled."""

    poll_interval: Duration = timedelta(seconds=60)
    """Time between the end of one poll and the start of the next."""

    options: dict[str, Any] = Field(default_factory=dict)
    """The adapter's own options; each adapter documents and validates them."""


class NotifierConfig(ConfigModel):
    """Where alert messages go."""

    name: str
    """A name for this notifier, shown in logs."""

    type: Literal["stdout", "log", "webhook", "apprise", "command"]
    """stdout (JSON lines), log (a file), webhook (HTTP POST), apprise (chat), command."""

    url: Secret | None = None
    """Webhook URL or apprise URL (`dingtalk://`, `wecombot://`, `feishu://`, `slack://`...)."""

    path: Path | None = None
    """The log file for type `log` (created owner-only)."""

    command: list[str] = Field(default_factory=list)
    """For type `command`: the program and its arguments, run without a shell; the alert
    message arrives as JSON on its standard input."""

    min_severity: Literal["info", "warning", "critical"] = "warning"
    """Only alerts at least this severe are sent here."""

    match_labels: dict[str, str] = Field(default_factory=dict)
    """Only alerts whose labels include all of these are sent here."""

    timeout: Duration = timedelta(seconds=10)
    """How long one delivery may take."""

    retries: int = Field(default=3, ge=0, le=10)
    """How many times a failed delivery is retried, with backoff."""

    backoff: Duration = timedelta(seconds=1)
    """The wait before the first retry; it doubles for each further retry."""

    @model_validator(mode="after")
    def _needs(self) -> NotifierConfig:
        if self.type in ("webhook", "apprise") and self.url is None:
            raise ValueError(f"a {self.type} notifier needs `url` (use ${{ENV_VAR}} for secrets)")
        if self.type == "log" and self.path is None:
            raise ValueError("a log notifier needs `path`")
        if self.type == "command" and not self.command:
            raise ValueError('a command notifier needs `command`, e.g. ["/usr/local/bin/page"]')
        return self


class ReviewConfig(ConfigModel):
    """The morning review and its scheduled delivery."""

    send_at: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """Local time at which the headless mode sends yesterday's review, e.g. `09:00`, in each
    store's own time zone; a store's `review_send_at` overrides it."""

    stores: list[str] = Field(default_factory=list)
    """Stores to review; empty means every configured store."""

    notifiers: list[str] = Field(default_factory=list)
    """Notifiers (by name) that receive the review; empty means every notifier."""

    top: int = Field(default=3, ge=1, le=10)
    """How many problems the chat summary lists."""


class Settings(ConfigModel):
    """The whole opsboard configuration."""

    storage: StorageConfig = Field(default_factory=StorageConfig)
    """The database."""

    stores: list[StoreConfig] = Field(default_factory=list)
    """The stores; a store used on the command line without an entry here gets the defaults."""

    adapters: list[AdapterConfig] = Field(default_factory=list)
    """The data sources polled by the collector."""

    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    """Alert rules."""

    notifiers: list[NotifierConfig] = Field(default_factory=list)
    """Where alerts are sent."""

    review: ReviewConfig = Field(default_factory=ReviewConfig)
    """The morning review."""

    targets: list[TargetConfig] = Field(default_factory=list)
    """Goals with a period: the month's GMV plan, the ad budget, a SKU's CTR by Sunday
    (`opsboard targets`); a plan sheet loaded with `opsboard ingest` adds more."""

    refresh_interval: Duration = timedelta(seconds=5)
    """How often the dashboard re-reads the store."""

    theme: str = DEFAULT_THEME
    """The dashboard theme: a name from Textual's theme registry."""

    language: Literal["en", "zh-CN"] | None = None
    """The language of the dashboard, the review, the messages: `en` or `zh-CN` (中文).
    Unset: the locale's (`LANG=zh_CN.UTF-8` gives Chinese). `--lang` and `OPSBOARD_LANG`
    override it."""

    reporting_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency in which money of stores in different currencies is added up,
    e.g. `CNY`; needs a rate in `[rates]` for every other currency of the stores. Unset:
    an all-stores view shows money per store in its own currency and never adds it up."""

    rates: dict[str, float] = Field(default_factory=dict)
    """Units of `reporting_currency` per unit of another currency, e.g. `{ USD = 7.1 }`.
    Sums converted with them are marked as converted (≈)."""

    @field_validator("rates")
    @classmethod
    def _rates_look_right(cls, value: dict[str, float]) -> dict[str, float]:
        for code, rate in value.items():
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(
                    f"rates: {code!r} is not an ISO 4217 currency code; write e.g. USD = 7.1"
                )
            if not rate > 0 or rate == float("inf"):
                raise ValueError(f"rates: {code} = {rate} must be a positive number")
        return value

    @model_validator(mode="after")
    def _rates_cover_the_stores(self) -> Settings:
        if self.rates and self.reporting_currency is None:
            raise ValueError(
                "rates are given but reporting_currency is not; add e.g. "
                'reporting_currency = "CNY" (the currency the rates convert into)'
            )
        if self.reporting_currency is None:
            return self
        for store in self.stores:
            if store.currency != self.reporting_currency and store.currency not in self.rates:
                raise ValueError(
                    f"store {store.name!r} counts in {store.currency}, but rates has no "
                    f"{store.currency}; add {store.currency} = <{self.reporting_currency} per "
                    f"{store.currency}> under [rates]"
                )
        return self

    def rate_of(self, currency: str) -> float | None:
        """Units of the reporting currency per unit of ``currency`` (1 for the reporting
        currency itself), or None where there is no reporting currency or no rate."""
        if self.reporting_currency is None:
            return None
        if currency == self.reporting_currency:
            return 1.0
        return self.rates.get(currency)

    @model_validator(mode="after")
    def _known_notifiers(self) -> Settings:
        known = [n.name for n in self.notifiers]
        for name in self.review.notifiers:
            if name not in known:
                raise ValueError(
                    f"review.notifiers names notifier {name!r}, which does not exist; "
                    + (f"notifiers: {', '.join(known)}" if known else "no notifier is configured")
                )
        return self

    @model_validator(mode="after")
    def _targets_do_not_overlap(self) -> Settings:
        clash = overlap_problem([t.resolve() for t in self.targets])
        if clash is not None:
            one, other = clash
            raise ValueError(
                f"targets: {one.metric} {one.scope or '(whole store)'} for {one.store} has "
                f"two goals on shared days ({one.period.label} and {other.period.label}); "
                "give each day one target per metric and scope"
            )
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        for what, names in (
            ("stores", [s.name for s in self.stores]),
            ("adapters", [a.name for a in self.adapters]),
            ("notifiers", [n.name for n in self.notifiers]),
            ("alerts.rules", [r.name for r in self.alerts.rules]),
        ):
            seen = {n for n in names if names.count(n) > 1}
            if seen:
                raise ValueError(
                    f"{what}: duplicate name {sorted(seen)[0]!r}; names must be unique"
                )
        return self

    def store(self, name: str) -> StoreConfig:
        """The configured store called ``name``, or the defaults for an unconfigured one.

        A name no config could hold (``store_name_problem``) gets the defaults too, with a
        warning: such a name can only come from a database written before names were
        checked, and its data must stay readable. Names typed on the command line are
        refused before they get here.
        """
        for store in self.stores:
            if store.name == name:
                return store
        problem = store_name_problem(name)
        if problem is None:
            return StoreConfig(name=name)
        if name not in _WARNED_NAMES:
            _WARNED_NAMES.add(name)
            log.warning(
                "a store in the database has a name no config can hold (%s); its data is "
                "read with the default store settings (time zone %s, currency CNY, no "
                "budget); load it again under a valid name to configure it",
                problem,
                DEFAULT_TIMEZONE,
            )
        return StoreConfig.model_construct(name=name)

"""The TOML configuration, validated by pydantic (DESIGN.md 4.4).

Every model forbids unknown keys and documents every field; ``config/opsboard.schema.json``
is generated from these models. Secrets are written as ``${ENV_VAR}`` references and
resolved into ``SecretStr`` values that never print.
"""

from __future__ import annotations

import logging
import os
import re
import string
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from opsboard.errors import ConfigError, UsageError
from opsboard.metrics import ALL_METRIC_NAMES, BASE_METRICS, CHANNELS_OR_ALL
from opsboard.models import STORE_NAME_PATTERN, store_name_problem
from opsboard.timeutil import DEFAULT_TIMEZONE, zone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
#: Keys whose values are never shown in a message (a misspelt one included).
_SECRET_KEY = re.compile(r"pass|secret|token|key|auth|credential|cookie|url|dsn|webhook", re.I)
#: A value that carries credentials whatever its key: ``scheme://user:password@host``.
_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", re.I)

log = logging.getLogger("opsboard.config.settings")
#: Store names already warned about (once per process is enough).
_WARNED_NAMES: set[str] = set()


def _parse_duration(value: Any) -> Any:
    """Accept ``90``, ``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` as well as a timedelta."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError("expected a duration such as 90s, 30m, 1h or 2d")
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]


def expand_secret(value: str, *, environ: dict[str, str] | None = None) -> str:
    """Replace every ``${VAR}`` in ``value`` with the environment variable's value."""
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ValueError(f"environment variable {name} is not set")
        return env[name]

    return _ENV_REF.sub(substitute, value)


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return SecretStr(expand_secret(value))
    return value


#: A string that may hold ``${ENV_VAR}`` references; resolved at load, masked when printed.
Secret = Annotated[SecretStr, BeforeValidator(_secret)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class StorageConfig(_Model):
    """Where and how the database is kept."""

    path: Path | None = None
    """The SQLite database file. Default: the user's data directory (see `opsboard --help`)."""

    group_access: bool = False
    """Let the file's group read and write the database (team servers). Off: owner only."""

    busy_timeout: Duration = timedelta(seconds=10)
    """How long a writer waits for another one before giving up."""


class StoreConfig(_Model):
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


class AdapterConfig(_Model):
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


class RuleConfig(_Model):
    """One alert rule (DESIGN.md 4.3); `opsboard alerts backtest` replays history through it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
    """A unique name, used in messages, acknowledgements and silences."""

    kind: Literal["threshold", "change", "pacing", "roi", "source", "file_rejected"]
    """threshold, change (vs a baseline), pacing, roi (below break-even), source, file_rejected."""

    metric: str | None = None
    """The base or derived metric a threshold or change rule watches."""

    store: str | None = None
    """Limit the rule to one store; default every store."""

    scope: Literal[
        "store", "channel", "campaign", "sku", "each_sku", "each_campaign", "each_channel"
    ] = "store"
    """What the rule looks at; `each_sku` gives one alert per SKU that breaks it."""

    channel: str | None = None
    """Only this channel (with scope `channel`, or to narrow an `each_*` scope)."""

    campaign: str | None = None
    """Only this campaign (with scope `campaign`)."""

    sku: str | None = None
    """Only this SKU (with scope `sku`)."""

    op: Literal[">", ">=", "<", "<="] = ">"
    """How the value compares with the threshold to fire (default `<` for roi rules)."""

    threshold: float | None = None
    """The value that fires the rule. Change rules: a fraction (-0.3 = down 30%). Pacing: a
    multiple of the expected spend (1.2 = the budget runs out at 20:00). ROI: a multiple of
    the store's break-even ROI (default 1.0)."""

    clear: float | None = None
    """The value that clears it again (default: the threshold) so alerts do not flap."""

    store_thresholds: dict[str, float] = Field(default_factory=dict)
    """Thresholds for particular stores, by store name (the clear value moves with it)."""

    category_thresholds: dict[Literal["standard", "non_standard"], float] = Field(
        default_factory=dict
    )
    """Thresholds for stores of a category (标品 standard, 非标品 non_standard)."""

    baseline: Literal["yesterday", "last_week", "trailing_median"] = "last_week"
    """For change rules: the same hours yesterday, last week, or the trailing median."""

    weeks: int = Field(default=4, ge=2, le=12)
    """For a trailing-median baseline: how many weeks of the same hours it takes."""

    window: Duration = timedelta(hours=1)
    """The period each evaluation looks back over. Whole days mean local days (today and the
    days before it); change rules compare the last complete hours."""

    for_: Duration = Field(default=timedelta(0), alias="for")
    """How long the condition must hold before the alert fires."""

    min_volume: float | None = Field(default=None, ge=0)
    """Skip scopes whose `volume_metric` is below this, so that tiny numbers do not alarm."""

    volume_metric: str = "uv"
    """The base metric `min_volume` is measured on."""

    severity: Literal["info", "warning", "critical"] = "warning"
    """How bad it is: info, warning or critical."""

    message: str | None = None
    """The message template (default: one per kind); fields: rule, store, scope, metric,
    value, threshold, op, baseline, clear, severity; pacing: spend, budget, projected,
    exhausts_at; source: source, state, reason, minutes; file_rejected: origin, reason."""

    resolved_message: str | None = None
    """The message sent when the alert resolves (default: what the figure is back to and
    where the rule clears); the same fields as `message`."""

    labels: dict[str, str] = Field(default_factory=dict)
    """Free labels for routing notifications, e.g. `{ team = "ads" }`."""

    enabled: bool = True
    """Set to false to keep the rule but not evaluate it."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "roi" and "op" not in data:
            return {**data, "op": "<"}
        return data

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str | None) -> str | None:
        if value is not None and value not in ALL_METRIC_NAMES:
            raise ValueError(f"unknown metric {value!r}; known: {', '.join(ALL_METRIC_NAMES)}")
        return value

    @field_validator("volume_metric")
    @classmethod
    def _known_volume(cls, value: str) -> str:
        if value not in BASE_METRICS:
            raise ValueError(f"unknown base metric {value!r}; known: {', '.join(BASE_METRICS)}")
        return value

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str | None) -> str | None:
        if value is not None and value not in CHANNELS_OR_ALL:
            raise ValueError(f"unknown channel {value!r}; known: {', '.join(CHANNELS_OR_ALL)}")
        return value

    @field_validator("message", "resolved_message")
    @classmethod
    def _known_fields(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        rule = info.data.get("name", "?")
        try:
            parts = [
                (name, spec, conversion)
                for _, name, spec, conversion in string.Formatter().parse(value)
                if name is not None
            ]
        except ValueError as exc:
            raise ValueError(
                f"rule {rule!r}: the message template is malformed: {exc} "
                "(write {{ and }} for a literal brace)"
            ) from None
        for name, spec, conversion in parts:
            if not name:
                raise ValueError(
                    f"rule {rule!r}: the message has an empty field {{}}; name one of: "
                    + ", ".join(sorted(MESSAGE_FIELDS))
                )
            written = "{" + name + (f"!{conversion}" if conversion else "")
            written += (f":{spec}" if spec else "") + "}"
            base = re.split(r"[.\[]", name, maxsplit=1)[0]
            if base not in MESSAGE_FIELDS:
                raise ValueError(
                    f"rule {rule!r}: unknown message field {written}; "
                    f"known: {', '.join(sorted(MESSAGE_FIELDS))}"
                )
            if spec or conversion or base != name:
                raise ValueError(
                    f"rule {rule!r}: message field {written} has a format, a conversion or "
                    f"an attribute or index; fields are already formatted for the metric "
                    f"(12,345 / 3.26% / 1,234.50): write {{{base}}}"
                )
        return value

    @model_validator(mode="after")
    def _needs(self) -> RuleConfig:
        if self.kind in ("threshold", "change") and self.metric is None:
            raise ValueError(f"a {self.kind} rule needs `metric`")
        if self.kind in ("threshold", "change") and self.threshold is None:
            raise ValueError(f"a {self.kind} rule needs `threshold`")
        for dim in ("channel", "campaign", "sku"):
            if self.scope == dim and getattr(self, dim) is None:
                raise ValueError(f"scope {dim!r} needs `{dim}` (which {dim} to watch)")
        if self.clear is not None and self.threshold is not None:
            fires_high = self.op in (">", ">=")
            if (fires_high and self.clear > self.threshold) or (
                not fires_high and self.clear < self.threshold
            ):
                side = "at or below" if fires_high else "at or above"
                raise ValueError(
                    f"`clear` ({self.clear}) must be {side} `threshold` ({self.threshold}), "
                    "on the healthy side, or alerts could never clear"
                )
        return self

    def threshold_for(self, store: str, category: str) -> float | None:
        """The threshold for a store: per store, else per category, else the rule's own."""
        if store in self.store_thresholds:
            return self.store_thresholds[store]
        if category in self.category_thresholds:
            return self.category_thresholds[category]
        return self.threshold


#: Fields a rule's message template may use.
MESSAGE_FIELDS = frozenset(
    (
        "rule", "store", "scope", "metric", "value", "threshold", "op", "baseline", "clear",
        "severity", "spend", "budget", "projected", "exhausts_at", "source", "state", "reason",
        "minutes", "origin", "weeks",
    )
)  # fmt: skip


class PromotionWindow(_Model):
    """A named promotion period (Double 11, 618...) in the store's time zone."""

    name: str
    """E.g. `double11-warmup`."""

    start: str
    """Start, local time: `2026-10-31T20:00`."""

    end: str
    """End (exclusive), local time."""

    stores: list[str] = Field(default_factory=list)
    """Stores it applies to; empty means every store."""

    mute: list[str] = Field(default_factory=list)
    """Rules muted during the window."""

    thresholds: dict[str, float] = Field(default_factory=dict)
    """Rule name to the threshold used during the window."""

    @field_validator("start", "end")
    @classmethod
    def _local_time(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a local date and time such as 2026-11-10T20:00") from None
        if parsed.tzinfo is not None:
            raise ValueError("give local time without an offset: the store's time zone applies")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> PromotionWindow:
        if datetime.fromisoformat(self.end) <= datetime.fromisoformat(self.start):
            raise ValueError(f"`end` ({self.end}) must be after `start` ({self.start})")
        return self

    def active(self, store: str, local_now: datetime) -> bool:
        """True when the window covers ``local_now`` (naive local time) for ``store``."""
        if self.stores and store not in self.stores:
            return False
        naive = local_now.replace(tzinfo=None)
        return datetime.fromisoformat(self.start) <= naive < datetime.fromisoformat(self.end)


class AlertsConfig(_Model):
    """Alert rules and how often they are evaluated."""

    use_defaults: bool = True
    """Add the built-in rules (a rule of yours with the same name replaces one)."""

    rules: list[RuleConfig] = Field(default_factory=list)
    """The rules; `opsboard config example` shows the built-in ones and every key."""

    promotions: list[PromotionWindow] = Field(default_factory=list)
    """Promotion windows in which rules use other thresholds or are muted."""

    repeat_interval: Duration = timedelta(hours=4)
    """How often a still-firing, unacknowledged alert is sent again."""

    group_wait: Duration = timedelta(seconds=30)
    """How long to gather alerts into one message before sending."""

    send_resolved: bool = True
    """Also send a message when an alert resolves."""

    @model_validator(mode="after")
    def _known_rule_names(self) -> AlertsConfig:
        from opsboard.config.builtin_rules import DEFAULT_RULE_NAMES

        known = {r.name for r in self.rules} | (
            set(DEFAULT_RULE_NAMES) if self.use_defaults else set()
        )
        for window in self.promotions:
            for name in [*window.mute, *window.thresholds]:
                if name not in known:
                    raise ValueError(
                        f"promotion {window.name!r} names rule {name!r}, which does not "
                        f"exist; rules: {', '.join(sorted(known))}"
                    )
        return self


class NotifierConfig(_Model):
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


class ReviewConfig(_Model):
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


class Settings(_Model):
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

    refresh_interval: Duration = timedelta(seconds=5)
    """How often the dashboard re-reads the store."""

    theme: str = "textual-dark"
    """The dashboard theme: a name from Textual's theme registry."""

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


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """``stores[0].margin`` (with the store's name where there is one)."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                if isinstance(name, str):
                    label = f"[{item}] ({name})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
        node = node[item] if _has(node, item) else None
    return "".join(parts) or "(top level)"


def _has(node: Any, key: int | str) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and key < len(node)


def _fix_for(error: ErrorDetails) -> str:
    kind = error["type"]
    missing_env = _MISSING_ENV.search(error["msg"])
    if missing_env:
        return (
            f"set {missing_env[1]} in the environment opsboard runs in (for the service: "
            "its EnvironmentFile), or write the value itself instead of the reference"
        )
    if kind == "extra_forbidden":
        return f"remove it, or check its spelling ({EXAMPLE_HINT})"
    if kind == "missing":
        return "add it"
    if kind.startswith(("greater_than", "less_than")):
        return "use a value within the allowed range"
    if kind == "literal_error":
        return "use one of the listed values"
    return f"give it in the form described ({EXAMPLE_HINT})"


_MISSING_ENV = re.compile(r"environment variable (\w+) is not set")
#: Where a person finds every key with its form: printed by `opsboard config example`.
EXAMPLE_HINT = "`opsboard config example` prints a commented example of every key"


def _shown(value: Any, keys: list[str], kind: str) -> str:
    """`` (found ...)`` for a message, or ``""`` where the value must not be echoed: the
    key is unknown (a misspelt ``password``), missing, looks secret (``keys`` are the
    key names on its path), or the value carries credentials."""
    if kind in ("missing", "extra_forbidden"):
        return ""
    if isinstance(value, dict | list):
        return f" (found a {type(value).__name__})"
    if any(_SECRET_KEY.search(key) for key in keys) or (
        isinstance(value, str) and _CREDENTIALS.match(value)
    ):
        return " (value not shown)"
    return f" (found {value!r})"


def describe_errors(exc: ValidationError, data: Any, path: Path | str) -> list[str]:
    """One line per problem: file, key, what was expected, what was found, and a fix.

    Values are echoed only for known keys that do not look secret: a misspelt
    ``password`` key or an ``api_key`` in adapter options is named, never shown.
    """
    lines = []
    for error in exc.errors(include_url=False):
        where = _location(tuple(error["loc"]), data)
        kind = error["type"]
        message = error["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = "unknown key"
        keys = [part for part in error["loc"] if isinstance(part, str)]
        found = _shown(error.get("input"), keys, kind) if "input" in error else ""
        lines.append(f"{path}: {where}: {message}{found}; fix: {_fix_for(error)}")
    return lines


def parse_settings(text: str, path: Path | str = "<config>") -> Settings:
    """Settings from TOML text; raises ``ConfigError`` with every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        where = f"line {found[1]}, column {found[2]}" if found else "(position unknown)"
        reason = _TOML_AT.sub("", str(exc)).strip() or "invalid TOML"
        raise ConfigError(
            f"{path}: not valid TOML: {exc}",
            problems=[
                f"{path}: {where}: {reason}; fix: correct the syntax there (text values "
                "need quotes, every key needs `=`, and tables are written [name])"
            ],
        ) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, data, path)
        raise ConfigError(
            f"{path}: {len(problems)} problem(s) in the configuration", problems=problems
        ) from None


def load_settings(path: Path | None) -> Settings:
    """The settings in ``path``; the defaults when ``path`` is None.

    A named file that does not exist is an error: a typo must not fall back silently.
    """
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file",
            problems=[
                "create it (`opsboard config example > FILE` writes a commented example "
                "of every key) or name another with --config / OPSBOARD_CONFIG"
            ],
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    return parse_settings(text, path)


def example_text() -> str:
    """The commented example config (installed with the package; in a checkout, the file
    in ``config/``)."""
    import importlib.resources

    shipped = importlib.resources.files("opsboard").joinpath("opsboard.example.toml")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "config" / "opsboard.example.toml"
    try:
        return checkout.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(
            "the example config is not installed with this opsboard",
            problems=["reinstall opsboard, or see config/opsboard.example.toml in its source"],
        ) from None


def json_schema() -> dict[str, Any]:
    """The JSON schema of the config file, as written to ``config/opsboard.schema.json``."""
    return Settings.model_json_schema(by_alias=True)

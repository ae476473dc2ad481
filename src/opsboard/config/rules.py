"""The alert rules of the configuration: a rule, the promotion windows that change or mute
rules, and the `[alerts]` table that holds them (DESIGN.md 4.3)."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from opsboard.config.builtin_rules import DEFAULT_RULE_NAMES, DEFAULT_RULES
from opsboard.config.targets import TARGET_METRICS
from opsboard.config.types import ConfigModel, Duration
from opsboard.i18n import ngettext
from opsboard.metrics import ALL_METRIC_NAMES, BASE_METRICS, CHANNELS_OR_ALL

#: How many days back a `latest_day` rule looks for the latest day with figures.
LATEST_DAY_BACK = 2


class RuleConfig(ConfigModel):
    """One alert rule (DESIGN.md 4.3); `opsboard alerts backtest` replays history through it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
    """A unique name, used in messages, acknowledgements and silences."""

    kind: Literal["threshold", "change", "pacing", "roi", "source", "file_rejected", "plan"]
    """threshold, change (vs a baseline), pacing, roi (below break-even), source, file_rejected,
    plan (a target behind its paced plan by more than `threshold`, default 0.1; `metric`
    narrows it to one metric's targets, `days_left` to the last days of their periods,
    `measure = "used"` watches how much of an allowance is used instead)."""

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

    baseline: Literal["yesterday", "last_week", "trailing_median", "trailing_days"] = "last_week"
    """For change rules: the same hours yesterday, last week, the median of the same hours
    on the same weekday over `weeks` weeks (trailing_median), or on each of the last `days`
    days (trailing_days)."""

    weeks: int = Field(default=4, ge=2, le=12)
    """For a trailing-median baseline: how many weeks of the same hours it takes."""

    days: int = Field(default=7, ge=2, le=28)
    """For a trailing-days baseline: how many days of the same hours it takes."""

    window: Duration = timedelta(hours=1)
    """The period each evaluation looks back over. Whole days mean local days (today and the
    days before it); change rules compare the last complete hours."""

    days_left: int | None = Field(default=None, ge=0)
    """For a plan rule: judge a target only once its period has this many days left or
    fewer (after the day judged), e.g. 10 for "more than 15% behind with 10 days left"."""

    measure: Literal["pace", "used"] = "pace"
    """For a plan rule: `pace`, how far each target is off its plan paced by the store's
    own curve (0.12 = 12% off); `used`, how much of a ceiling target is used, such as the
    month's strategic-loss allowance (1.0 = used up; the default threshold, fired at or
    above it)."""

    latest_day: bool = False
    """For a threshold rule over one day (`window = "1d"`): judge the latest local day
    with figures, today or up to `LATEST_DAY_BACK` days before it, so that a day's export
    downloaded the next morning (生意参谋's 商品排行, T+1) is judged at all."""

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
    exhausts_at; source: source, state, reason, minutes; file_rejected: origin, reason;
    plan: reason (the target's plan line), days_left."""

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
        if isinstance(data, dict) and data.get("measure") == "used" and "op" not in data:
            return {**data, "op": ">="}  # an allowance used exactly up is used up
        return data

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A plan rule names the metric of its targets, which may be the contribution or
        # the strategic-loss allowance.
        if info.data.get("kind") == "plan" and value in TARGET_METRICS:
            return value
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
        if self.kind != "plan" and (self.days_left is not None or self.measure != "pace"):
            raise ValueError('`days_left` and `measure` are for a plan rule (kind = "plan")')
        if self.latest_day and (self.kind != "threshold" or self.window != timedelta(days=1)):
            raise ValueError('`latest_day` is for a threshold rule with window = "1d"')
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
        "minutes", "origin", "weeks", "days", "name", "named_scope", "days_left",
    )
)  # fmt: skip


class PromotionWindow(ConfigModel):
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


class AlertsConfig(ConfigModel):
    """Alert rules and how often they are evaluated."""

    use_defaults: bool = True
    """Add the built-in rules (a rule of yours with the same name replaces one)."""

    rules: list[RuleConfig] = Field(default_factory=list)
    """The rules; `opsboard config example` shows the built-in ones and every key."""

    promotions: list[PromotionWindow] = Field(default_factory=list)
    """Promotion windows in which rules use other thresholds or are muted; a target's days
    in a window weigh as the store's past windows brought over their usual days."""

    repeat_interval: Duration = timedelta(hours=4)
    """How often a still-firing, unacknowledged alert is sent again."""

    group_wait: Duration = timedelta(seconds=30)
    """How long to gather alerts into one message before sending."""

    send_resolved: bool = True
    """Also send a message when an alert resolves."""

    @model_validator(mode="after")
    def _known_rule_names(self) -> AlertsConfig:
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


def effective_rules(alerts: AlertsConfig) -> list[RuleConfig]:
    """The configured rules plus the built-in ones they do not replace (enabled or not)."""
    rules = list(alerts.rules)
    if alerts.use_defaults:
        own = {r.name for r in rules}
        rules += [RuleConfig.model_validate(d) for d in DEFAULT_RULES if d["name"] not in own]
    return rules


def rule_count(alerts: AlertsConfig) -> str:
    """How many rules apply, built-in ones included: ``9 rules (8 built-in)``."""
    rules = [r for r in effective_rules(alerts) if r.enabled]
    own = {r.name for r in alerts.rules}
    built_in = sum(1 for r in rules if r.name not in own)
    return ngettext(
        "{count} rule ({built_in} built-in)", "{count} rules ({built_in} built-in)", len(rules)
    ).format(count=len(rules), built_in=built_in)

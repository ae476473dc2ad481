"""Targets: the month's plan, the ad budget and goals with deadlines (DESIGN.md 4.6).

A target is a metric (any base or derived one, or ``strategic_loss``), a scope (the whole
store, a channel, a campaign or a SKU), a period of whole local days and a value with a
direction: ``at_least`` (sales, visitors, ROI) or ``at_most`` (spend, refunds, the
strategic-loss allowance). Targets come from ``[[targets]]`` in the config and from the
plan sheet operators keep (``plan_targets`` reads its rows); both end up as ``Target``.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from opsboard.config.types import ConfigModel
from opsboard.errors import RejectedInput
from opsboard.i18n import N_, _
from opsboard.metrics import ALL_METRIC_NAMES, DERIVED_METRICS, PACING
from opsboard.models import CHANNELS, STORE_NAME_PATTERN, store_name_problem

Direction = Literal["at_least", "at_most"]

#: The strategic-loss allowance: what the campaigns run below break-even on purpose may
#: lose in a month (their spend less the contribution of their sales).
STRATEGIC_LOSS = "strategic_loss"
#: The store's contribution: GMV x margin - refunds - ad spend (needs the store's margin).
CONTRIBUTION = "contribution"
#: Metrics a target may name.
TARGET_METRICS: tuple[str, ...] = (
    *(m for m in ALL_METRIC_NAMES if m != PACING),
    STRATEGIC_LOSS,
    CONTRIBUTION,
)
#: Metrics where less is better: a target on them is a ceiling unless it says otherwise.
CEILING_METRICS = frozenset(
    (
        "spend", "refunds", "bounces", "bounce_rate", "cpc", "cpm", "acos", "spend_share",
        STRATEGIC_LOSS,
    )
)  # fmt: skip
SCOPE_KINDS = ("channel", "campaign", "sku")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_HELP = N_("write a month 2026-06, a quarter 2026-Q3, days 2026-06-01..2026-06-18 or a day")


@dataclass(frozen=True)
class PlanPeriod:
    """Whole local days, first to last inclusive, with the text the operator wrote."""

    first: date
    last: date
    label: str

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.last - self.first).days + 1

    def each_day(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.first + timedelta(days=i) for i in range(self.days)]

    def is_month(self) -> bool:
        """True when the period is one calendar month."""
        end = calendar.monthrange(self.first.year, self.first.month)[1]
        return self.first.day == 1 and self.last == self.first.replace(day=end)


def parse_period(text: str) -> PlanPeriod:
    """``2026-06``, ``2026-Q3``, ``2026-06-01..2026-06-18`` or ``2026-06-18`` as days;
    ``ValueError`` saying what is accepted."""
    label = text.strip()
    try:
        if found := _MONTH.match(label):
            year, month = int(found[1]), int(found[2])
            first = date(year, month, 1)
            return PlanPeriod(first, first.replace(day=calendar.monthrange(year, month)[1]), label)
        if found := _QUARTER.match(label):
            year, quarter = int(found[1]), int(found[2])
            first = date(year, 3 * quarter - 2, 1)
            last_month = 3 * quarter
            last = date(year, last_month, calendar.monthrange(year, last_month)[1])
            return PlanPeriod(first, last, label.upper())
        if found := _DAYS.match(label):
            first, last = date.fromisoformat(found[1]), date.fromisoformat(found[2])
            if last < first:
                raise _BackwardsPeriod(
                    _("period {label} ends before it starts").format(label=repr(label))
                )
            return PlanPeriod(first, last, f"{first}..{last}")
        if _DAY.match(label):
            day = date.fromisoformat(label)
            return PlanPeriod(day, day, label)
    except ValueError as exc:
        if isinstance(exc, _BackwardsPeriod):
            raise
        raise ValueError(
            _("period {label} is not a real date; {help}").format(
                label=repr(label), help=_(PERIOD_HELP)
            )
        ) from None
    raise ValueError(
        _("period {label} is not understood; {help}").format(label=repr(label), help=_(PERIOD_HELP))
    )


class _BackwardsPeriod(ValueError):
    """A period that ends before it starts: said as such, not as a date that is not real."""


def scope_problem(scope: str) -> str | None:
    """Why ``scope`` is not ``""``, ``channel:NAME``, ``campaign:ID`` or ``sku:ID``."""
    if scope == "":
        return None
    kind, sep, key = scope.partition(":")
    if not sep or kind not in SCOPE_KINDS or not key.strip():
        return _(
            "scope {scope} is not understood; write channel:paid_search, campaign:ID or "
            "sku:ID (empty: the whole store)"
        ).format(scope=repr(scope))
    if kind == "channel" and key not in CHANNELS:
        return _("scope {scope}: unknown channel; use one of: {choices}").format(
            scope=repr(scope), choices=", ".join(CHANNELS)
        )
    return None


def metric_problem(metric: str) -> str | None:
    """Why a target cannot name ``metric``."""
    if metric in TARGET_METRICS:
        return None
    return _("unknown metric {metric}; use one of: {choices}").format(
        metric=repr(metric), choices=", ".join(TARGET_METRICS)
    )


def is_ratio(metric: str) -> bool:
    """True for a derived metric (CTR, ROI...): its figure to date is compared with the
    goal directly, never spread over days."""
    return metric in DERIVED_METRICS


@dataclass(frozen=True)
class Target:
    """One target, from the config or a plan sheet."""

    store: str
    metric: str
    scope: str
    period: PlanPeriod
    value: float
    direction: Direction
    origin: str = "config"

    @property
    def key(self) -> tuple[str, str, str]:
        """What two targets must not share over overlapping days."""
        return (self.store, self.metric, self.scope)

    def overlaps(self, other: Target) -> bool:
        """True when ``other`` is for the same store, metric and scope on a shared day."""
        return (
            self.key == other.key
            and self.period.first <= other.period.last
            and other.period.first <= self.period.last
        )


def default_direction(metric: str) -> Direction:
    """``at_most`` for spend-like metrics, else ``at_least``."""
    return "at_most" if metric in CEILING_METRICS else "at_least"


class TargetConfig(ConfigModel):
    """One `[[targets]]` entry: a goal for a metric over a period.

    Give exactly one of `value` (a ceiling for spend-like metrics, else a floor),
    `at_least` or `at_most`.
    """

    store: str = Field(pattern=STORE_NAME_PATTERN)
    """The store the target is for (a name from `[[stores]]`)."""

    metric: str
    """Any base or derived metric (`gmv`, `uv`, `spend`, `roi`, `ctr`, `store_roi`,
    `spend_share`...), `contribution` (GMV x margin - refunds - ad spend) or
    `strategic_loss`: the month's allowance for campaigns run below break-even on purpose."""

    scope: str = ""
    """`channel:paid_search`, `campaign:ID` or `sku:ID`; empty: the whole store."""

    period: str
    """A month `2026-06`, a quarter `2026-Q3`, days `2026-06-01..2026-06-18` or one day
    (a deadline)."""

    value: float | None = None
    """The goal; spend-like metrics (spend, refunds, CPC, ACOS...) read it as a ceiling."""

    at_least: float | None = None
    """The goal as a floor: reach at least this much."""

    at_most: float | None = None
    """The goal as a ceiling: stay at or below this much (a budget)."""

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        problem = metric_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, value: str) -> str:
        problem = scope_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("period")
    @classmethod
    def _known_period(cls, value: str) -> str:
        parse_period(value)
        return value

    @model_validator(mode="after")
    def _one_value(self) -> TargetConfig:
        given = [v for v in (self.value, self.at_least, self.at_most) if v is not None]
        if len(given) != 1:
            raise ValueError(
                f"target {self.metric} {self.period}: give exactly one of value, at_least "
                "or at_most"
            )
        if not math.isfinite(given[0]) or given[0] < 0:
            raise ValueError(f"target {self.metric} {self.period}: {given[0]} is not a goal")
        if self.metric == STRATEGIC_LOSS and not parse_period(self.period).is_month():
            raise ValueError("a strategic_loss allowance is per month: write period = 2026-06")
        return self

    def resolve(self) -> Target:
        """The target as used everywhere else."""
        if self.at_least is not None:
            value, direction = self.at_least, "at_least"
        elif self.at_most is not None:
            value, direction = self.at_most, "at_most"
        else:
            value, direction = float(self.value or 0.0), default_direction(self.metric)
        return Target(
            store=self.store,
            metric=self.metric,
            scope=self.scope,
            period=parse_period(self.period),
            value=value,
            direction=direction,  # type: ignore[arg-type]
        )


def overlap_problem(targets: list[Target]) -> tuple[Target, Target] | None:
    """The first two targets of the same store, metric and scope on a shared day."""
    for index, one in enumerate(targets):
        for other in targets[index + 1 :]:
            if one.overlaps(other):
                return one, other
    return None


# -- the plan sheet ------------------------------------------------------------------------

#: The plan sheet's columns by the names operators write (English or Chinese).
PLAN_COLUMNS: dict[str, str] = {
    "store": "store",
    "店铺": "store",
    "metric": "metric",
    "指标": "metric",
    "period": "period",
    "周期": "period",
    "value": "value",
    "目标值": "value",
    "target": "value",
    "目标": "value",
    "scope": "scope",
    "范围": "scope",
}
PLAN_REQUIRED = ("store", "metric", "period", "value")

#: Chinese metric names a plan sheet may use.
_METRIC_WORDS = {
    "支付金额": "gmv",
    "销售额": "gmv",
    "访客数": "uv",
    "支付买家数": "buyers",
    "加购件数": "cart_adds",
    "花费": "spend",
    "推广花费": "spend",
    "投产比": "roi",
    "点击率": "ctr",
    "支付转化率": "conversion_rate",
    "战略亏损": STRATEGIC_LOSS,
    "全店投产比": "store_roi",
    "推广费占比": "spend_share",
    "贡献": CONTRIBUTION,
    "利润贡献": CONTRIBUTION,
}


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "").replace("$", "")
    scale = 1.0
    if cleaned.endswith("万"):
        cleaned, scale = cleaned[:-1], 10_000.0
    try:
        value = float(cleaned) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def plan_targets(
    rows: list[tuple[int, dict[str, str]]],
    columns: dict[str, str],
    *,
    origin: str,
    known_stores: set[str] | None = None,
) -> list[Target]:
    """The targets of a plan sheet's rows, or ``RejectedInput`` naming the line and cell of
    the first problem (the sheet is taken whole or not at all).

    ``rows`` are (line, {column: cell}) with the columns of ``PLAN_COLUMNS``' values;
    ``columns`` maps them back to the header as written, for the messages;
    ``known_stores``, when given, are the stores a row may name.
    """
    found: list[Target] = []
    lines: list[int] = []
    for line, cells in rows:

        def refuse(
            column: str, message: str, hint: str | None = None, line: int = line
        ) -> RejectedInput:
            return RejectedInput(message, line=line, column=columns.get(column, column), hint=hint)

        store = cells.get("store", "").strip()
        problem = store_name_problem(store) if store else _("no store")
        if problem:
            raise refuse("store", f"{store!r}: {problem}")
        if known_stores is not None and store not in known_stores:
            raise refuse(
                "store",
                _("unknown store {store}").format(store=repr(store)),
                hint=_("use one of the configured stores: {stores}").format(
                    stores=", ".join(sorted(known_stores))
                ),
            )
        written = cells.get("metric", "").strip()
        metric = _METRIC_WORDS.get(written, written.lower())
        if problem := metric_problem(metric):
            raise refuse("metric", problem)
        try:
            period = parse_period(cells.get("period", ""))
        except ValueError as exc:
            raise refuse("period", str(exc)) from None
        scope = cells.get("scope", "").strip()
        if problem := scope_problem(scope):
            raise refuse("scope", problem)
        value = _number(cells.get("value", ""))
        if value is None:
            raise refuse(
                "value",
                _("{value} is not a number").format(value=repr(cells.get("value", ""))),
                hint=_("write e.g. 3000000"),
            )
        target = Target(store, metric, scope, period, value, default_direction(metric), origin)
        for earlier, at in zip(found, lines, strict=True):
            if target.overlaps(earlier):
                raise refuse(
                    "period",
                    _(
                        "{metric} {scope} for {store}: {period} overlaps {earlier} on line {line}"
                    ).format(
                        metric=metric,
                        scope=scope or _("whole store"),
                        store=store,
                        period=period.label,
                        earlier=earlier.period.label,
                        line=at,
                    ),
                    hint=_("give each day one target per metric and scope"),
                )
        found.append(target)
        lines.append(line)
    return found

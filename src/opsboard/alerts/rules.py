"""What each kind of rule sees: one ``Observation`` per scope a rule looks at.

A rule is evaluated per store with as few queries as it can: one ``MetricsEngine.query``
grouped by SKU (or campaign, channel) covers every member of an ``each_*`` scope, plus one
per baseline for change rules.
"""

from __future__ import annotations

import statistics
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import PurePath
from typing import Any

from opsboard.alerts.defaults import DEFAULT_MESSAGES
from opsboard.config import RuleConfig, Settings
from opsboard.metrics import metric_kind
from opsboard.models import HealthState, SourceHealth
from opsboard.query import Filters, MetricsEngine, Period
from opsboard.storage.store import Store
from opsboard.timeutil import day_bounds, floor_hour, local_day, share_of_day_elapsed

#: Rule kinds that read metrics (and so depend on the sources feeding a store).
DATA_KINDS = frozenset(("threshold", "change", "pacing", "roi"))
#: Health states in which a source raises its alert and suppresses the alerts it feeds.
BAD_STATES = frozenset((HealthState.STALE, HealthState.FAILING))

_BY = {"each_sku": "sku", "each_campaign": "campaign", "each_channel": "channel"}
_ONE = {"sku": "sku", "campaign": "campaign", "channel": "channel"}
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Observation:
    """What a rule saw for one scope in one evaluation.

    ``breaking``: the firing condition holds. ``cleared``: the value is back on the healthy
    side of the clear threshold. ``since``: when the condition began, where the data knows
    it (a source's health), else None (now). ``strategic``: a deliberate loss, shown only.
    """

    rule: RuleConfig
    store: str
    scope: str
    value: float | None
    threshold: float | None
    breaking: bool
    cleared: bool
    fields: dict[str, Any] = field(default_factory=dict)
    since: datetime | None = None
    strategic: bool = False

    @property
    def message(self) -> str:
        """The rule's message template filled in."""
        template = self.rule.message or DEFAULT_MESSAGES[self.rule.kind]
        return string.Formatter().vformat(template, (), _Fields(self.fields))


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


@dataclass
class RuleContext:
    """What rules read: the data store, a metrics engine, the settings and the instant."""

    data: Store
    engine: MetricsEngine
    settings: Settings
    now: datetime
    tz_for: Callable[[str], tzinfo]
    health: list[SourceHealth] = field(default_factory=list)
    open_keys: set[tuple[str, str, str]] = field(default_factory=set)
    """(rule, store, scope) of the alerts open before this evaluation."""


def compare(value: float, op: str, threshold: float) -> bool:
    """``value op threshold`` for the four operators a rule may use."""
    if op == ">":
        return value > threshold
    if op == ">=":
        return value >= threshold
    if op == "<":
        return value < threshold
    return value <= threshold


def show(value: float | None, metric: str | None) -> str:
    """A figure as an operator reads it in a message."""
    if value is None:
        return "—"
    kind = metric_kind(metric) if metric else "ratio"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def effective_thresholds(
    rule: RuleConfig, store: str, settings: Settings, local_now: datetime
) -> tuple[float | None, float | None]:
    """(threshold, clear) for ``store`` now: promotion > store > category > the rule's own.

    The clear value keeps its distance from the threshold when the threshold moves.
    """
    threshold = rule.threshold_for(store, settings.store(store).category)
    for window in settings.alerts.promotions:
        if rule.name in window.thresholds and window.active(store, local_now):
            threshold = window.thresholds[rule.name]
    if threshold is None:
        return None, None
    if rule.clear is None or rule.threshold is None:
        return threshold, threshold
    return threshold, rule.clear + (threshold - rule.threshold)


def muted(rule: RuleConfig, store: str, settings: Settings, local_now: datetime) -> bool:
    """True when a promotion window mutes ``rule`` for ``store`` now."""
    return any(
        rule.name in w.mute and w.active(store, local_now) for w in settings.alerts.promotions
    )


def window_period(rule: RuleConfig, now: datetime, tz: tzinfo) -> Period:
    """The period a rule looks at.

    Change rules: the last complete hours (so that a partial hour is never compared with a
    full one). Others: whole local days (today and the days before) when the window is whole
    days, else the hours up to the end of the current one.
    """
    if rule.kind == "change":
        end = floor_hour(now)
        return Period(start=end - rule.window, end=end)
    if rule.window >= _DAY and rule.window % _DAY == timedelta(0):
        today = local_day(now, tz)
        return Period(first_day=today - (rule.window // _DAY - 1) * _DAY, last_day=today)
    end = floor_hour(now) + timedelta(hours=1)
    return Period(start=end - rule.window, end=end)


def rule_periods(rule: RuleConfig, now: datetime, tz: tzinfo) -> list[Period]:
    """Every period a data rule reads: its window, and for change rules the baselines."""
    period = window_period(rule, now, tz)
    if rule.kind != "change":
        return [period]
    assert period.start is not None
    assert period.end is not None
    return [period] + [
        Period(start=period.start - shift, end=period.end - shift) for shift in _shifts(rule)
    ]


def scope_query(
    ctx: RuleContext, rule: RuleConfig, store: str, metrics: list[str], period: Period
) -> dict[str, dict[str, Any]]:
    """Rows by scope key (``""``, ``sku:ID``, ``campaign:ID``, ``channel:NAME``): one query."""
    by = _BY.get(rule.scope, "total")
    filters = Filters(
        channel=rule.channel,
        campaign=rule.campaign if rule.scope in ("campaign", "each_sku") else None,
        sku=rule.sku if rule.scope == "sku" else None,
    )
    rows = ctx.engine.query(
        sorted(set(metrics)), stores=[store], by=by, period=period, filters=filters
    )
    if by != "total":
        return {f"{by}:{row[by]}": row for row in rows}
    dim = _ONE.get(rule.scope)
    key = f"{dim}:{getattr(rule, dim)}" if dim else ""
    return {key: rows[0]} if rows else {}


def member(scope: str, store: str) -> str:
    """The scope as a message shows it: the SKU, campaign or channel, or the store."""
    return scope.split(":", 1)[1] if ":" in scope else store


def _base_fields(rule: RuleConfig, store: str, scope: str, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule.name,
        "store": store,
        "scope": member(scope, store),
        "metric": rule.metric or "",
        "op": rule.op,
        "baseline": rule.baseline,
        "severity": rule.severity,
        "weeks": rule.weeks,
        **extra,
    }


def _too_small(rule: RuleConfig, row: dict[str, Any]) -> bool:
    if rule.min_volume is None:
        return False
    volume = row.get(rule.volume_metric)
    return volume is None or volume < rule.min_volume


def _metrics(rule: RuleConfig, *names: str) -> list[str]:
    wanted = [n for n in names if n]
    if rule.min_volume is not None:
        wanted.append(rule.volume_metric)
    return wanted


def _judge(
    ctx: RuleContext,
    rule: RuleConfig,
    store: str,
    scope: str,
    value: float,
    threshold: float,
    clear: float,
    small: bool,
) -> tuple[bool, bool] | None:
    """(breaking, cleared) for one scope, or None when it can change nothing: healthy, and
    no alert open for it (most of ten thousand SKUs, whose messages are then never built)."""
    breaking = not small and compare(value, rule.op, threshold)
    cleared = small or not compare(value, rule.op, clear)
    if not breaking and cleared and (rule.name, store, scope) not in ctx.open_keys:
        return None
    return breaking, cleared


def evaluate_threshold(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Threshold on a base or derived metric over the rule's window."""
    tz = ctx.tz_for(store)
    threshold, clear = effective_thresholds(rule, store, ctx.settings, ctx.now.astimezone(tz))
    assert rule.metric is not None
    assert threshold is not None
    assert clear is not None
    rows = scope_query(
        ctx, rule, store, _metrics(rule, rule.metric), window_period(rule, ctx.now, tz)
    )
    found = []
    for scope, row in rows.items():
        value = row.get(rule.metric)
        if value is None:
            continue
        verdict = _judge(ctx, rule, store, scope, value, threshold, clear, _too_small(rule, row))
        if verdict is None:
            continue
        fields = _base_fields(
            rule,
            store,
            scope,
            value=show(value, rule.metric),
            threshold=show(threshold, rule.metric),
            clear=show(clear, rule.metric),
        )
        seen = Observation(rule, store, scope, value, threshold, *verdict, fields)
        found.append(seen)
    return found


def _shifts(rule: RuleConfig) -> list[timedelta]:
    if rule.baseline == "yesterday":
        return [timedelta(days=1)]
    if rule.baseline == "last_week":
        return [timedelta(days=7)]
    return [timedelta(days=7 * k) for k in range(1, rule.weeks + 1)]


def evaluate_change(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Relative change of a metric against the same hours yesterday, last week, or the
    trailing median of the same hours over ``weeks`` weeks."""
    tz = ctx.tz_for(store)
    threshold, clear = effective_thresholds(rule, store, ctx.settings, ctx.now.astimezone(tz))
    assert rule.metric is not None
    assert threshold is not None
    assert clear is not None
    period = window_period(rule, ctx.now, tz)
    assert period.start is not None
    assert period.end is not None
    metrics = _metrics(rule, rule.metric)
    current = scope_query(ctx, rule, store, metrics, period)
    if not current:
        return []
    history: dict[str, list[dict[str, Any]]] = {}
    for shift in _shifts(rule):
        past = Period(start=period.start - shift, end=period.end - shift)
        for scope, row in scope_query(ctx, rule, store, metrics, past).items():
            history.setdefault(scope, []).append(row)
    found = []
    for scope, row in current.items():
        value = row.get(rule.metric)
        past_rows = history.get(scope, [])
        past_values = [r[rule.metric] for r in past_rows if r.get(rule.metric) is not None]
        if value is None or not past_values:
            continue
        if rule.baseline == "trailing_median":
            if len(past_values) < 2:
                continue
            baseline = statistics.median(past_values)
        else:
            baseline = past_values[0]
        if baseline == 0:
            continue
        change = value / baseline - 1.0
        small = _too_small(rule, row) and all(_too_small(rule, r) for r in past_rows)
        verdict = _judge(ctx, rule, store, scope, change, threshold, clear, small)
        if verdict is None:
            continue
        fields = _base_fields(
            rule,
            store,
            scope,
            value=f"{change:+.0%}",
            threshold=f"{threshold:+.0%}",
            clear=f"{clear:+.0%}",
            baseline=f"{rule.baseline} {show(baseline, rule.metric)}",
        )
        seen = Observation(rule, store, scope, change, threshold, *verdict, fields)
        found.append(seen)
    return found


def _configured_budget(ctx: RuleContext, rule: RuleConfig, store: str, scope: str) -> float | None:
    config = ctx.settings.store(store)
    if ":" in scope:
        return config.budgets.get(scope.split(":", 1)[1])
    return config.daily_budget


def evaluate_pacing(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Spend today against budget x share of the store's day elapsed, with the projected
    end-of-day spend and when the budget runs out at this pace."""
    tz = ctx.tz_for(store)
    local_now = ctx.now.astimezone(tz)
    threshold, clear = effective_thresholds(rule, store, ctx.settings, local_now)
    threshold = 1.0 if threshold is None else threshold
    clear = threshold if clear is None else clear
    share = share_of_day_elapsed(ctx.now, tz)
    if share < 1 / 24:
        return []  # the first hour says nothing about the day's pace
    today = local_day(ctx.now, tz)
    start, end = day_bounds(today, tz)
    rows = scope_query(
        ctx, rule, store, _metrics(rule, "spend", "budget"), Period(first_day=today, last_day=today)
    )
    found = []
    for scope, row in rows.items():
        spend = row.get("spend")
        budget = row.get("budget") or _configured_budget(ctx, rule, store, scope)
        if spend is None or not budget:
            continue
        pacing = spend / (budget * share)
        projected = spend / share
        if spend > 0:
            runs_out = start + (ctx.now - start) * (budget / spend)
            exhausts = (
                runs_out.astimezone(tz).strftime("%H:%M") if runs_out < end else "after midnight"
            )
        else:
            exhausts = "never"
        verdict = _judge(ctx, rule, store, scope, pacing, threshold, clear, _too_small(rule, row))
        if verdict is None:
            continue
        fields = _base_fields(
            rule,
            store,
            scope,
            metric="pacing",
            value=f"{pacing:.2f}",
            threshold=f"{threshold:.2f}",
            clear=f"{clear:.2f}",
            spend=show(spend, "spend"),
            budget=show(budget, "budget"),
            projected=show(projected, "spend"),
            exhausts_at=exhausts,
        )
        seen = Observation(rule, store, scope, pacing, threshold, *verdict, fields)
        found.append(seen)
    return found


def evaluate_roi(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """ROI below the store's break-even ROI (times the rule's factor); campaigns run at a
    loss on purpose are flagged as strategic loss instead."""
    config = ctx.settings.store(store)
    break_even = config.break_even_roi
    if break_even is None:
        return []
    tz = ctx.tz_for(store)
    factor, clear_factor = effective_thresholds(rule, store, ctx.settings, ctx.now.astimezone(tz))
    threshold = break_even * (1.0 if factor is None else factor)
    clear = break_even * (1.0 if clear_factor is None else clear_factor)
    rows = scope_query(
        ctx, rule, store, _metrics(rule, "roi", "spend", "ad_gmv"), window_period(rule, ctx.now, tz)
    )
    strategic = set(config.strategic_loss_campaigns)
    found = []
    for scope, row in rows.items():
        value = row.get("roi")
        if value is None:
            continue
        verdict = _judge(ctx, rule, store, scope, value, threshold, clear, _too_small(rule, row))
        if verdict is None:
            continue
        fields = _base_fields(
            rule,
            store,
            scope,
            metric="roi",
            value=f"{value:.2f}",
            threshold=f"{threshold:.2f}",
            clear=f"{clear:.2f}",
            spend=show(row.get("spend"), "spend"),
        )
        seen = Observation(rule, store, scope, value, threshold, *verdict, fields)
        campaign = scope.split(":", 1)[1] if scope.startswith("campaign:") else rule.campaign
        if seen.breaking and campaign in strategic:
            seen = Observation(
                rule, store, scope, value, threshold, False, False, seen.fields, strategic=True
            )
        found.append(seen)
    return found


def evaluate_source(ctx: RuleContext, rule: RuleConfig) -> list[Observation]:
    """A source stale or failing (from its health), one alert per source and store."""
    found = []
    for health in ctx.health:
        if rule.store is not None and health.store not in ("", rule.store):
            continue
        scope = f"source:{health.source}"
        bad = health.state in BAD_STATES
        minutes = max(0.0, (ctx.now - health.since).total_seconds() / 60)
        fields = _base_fields(rule, health.store, scope) | {
            "source": health.source,
            "state": health.state.value,
            "reason": health.reason or "no reason given",
            "minutes": f"{minutes:.0f}",
            "value": f"{minutes:.0f} min",
            "metric": "source",
        }
        found.append(
            Observation(
                rule,
                health.store,
                scope,
                minutes,
                None,
                bad,
                not bad,
                fields,
                since=min(health.since.astimezone(UTC), ctx.now) if bad else None,
            )
        )
    return found


def evaluate_file_rejected(ctx: RuleContext, rule: RuleConfig) -> list[Observation]:
    """Files rejected within the window, unless the same file loaded since."""
    since = (ctx.now - rule.window).isoformat(timespec="seconds")
    rows = ctx.data.conn.execute(
        "SELECT r.origin, r.store, r.message, max(r.id) FROM ingests r "
        "WHERE r.status = 'rejected' AND r.finished_at >= ? AND NOT EXISTS ("
        "SELECT 1 FROM ingests l WHERE l.origin = r.origin AND l.status = 'loaded' "
        "AND l.id > r.id) GROUP BY r.origin, r.store",
        (since,),
    ).fetchall()
    found = []
    for origin, store, reason, _id in rows:
        if rule.store is not None and store not in ("", rule.store):
            continue
        scope = f"file:{origin}"
        name = PurePath(origin).name or origin
        first_line = (reason or "").strip().splitlines()[0] if (reason or "").strip() else ""
        # Reasons often start with the file's name, which the message already gives.
        first_line = first_line.removeprefix(f"{name}: ")
        fields = _base_fields(rule, store, scope) | {
            "origin": name,
            "reason": first_line[:300] or "no reason given",
            "value": "rejected",
            "metric": "file",
        }
        found.append(Observation(rule, store, scope, None, None, True, False, fields))
    return found


EVALUATORS: dict[str, Callable[[RuleContext, RuleConfig, str], list[Observation]]] = {
    "threshold": evaluate_threshold,
    "change": evaluate_change,
    "pacing": evaluate_pacing,
    "roi": evaluate_roi,
}

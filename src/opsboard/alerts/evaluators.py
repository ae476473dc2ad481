"""The evaluator of each rule kind: what it reads and what it concludes, per scope."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import UTC
from pathlib import PurePath
from typing import Any

from opsboard.alerts.periods import baseline_days, latest_days, shifted, window_parts
from opsboard.alerts.plan_rule import evaluate_plan
from opsboard.alerts.rules import (
    BAD_STATES,
    Observation,
    RuleContext,
    base_fields,
    effective_thresholds,
    scope_query,
    too_small,
    verdicts,
    with_volume,
)
from opsboard.config.rules import RuleConfig
from opsboard.formatting import ShownValue, precise, show, style_of
from opsboard.i18n import N_, _
from opsboard.metrics import BASE_METRICS
from opsboard.query.engine import Period
from opsboard.query.pacing import pace, runs_out_at, today_share
from opsboard.storage import ingests
from opsboard.timeutil import (
    day_bounds,
    floor_hour,
    local_day,
    local_midnight,
)


def _figures(value: float, threshold: float, clear: float, style: str) -> dict[str, ShownValue]:
    """``value``, ``threshold`` and ``clear`` as message fields: the value precise enough
    to read apart from both limits."""
    return {
        "value": ShownValue(value, precise(value, style, threshold, clear)),
        "threshold": ShownValue(threshold, precise(threshold, style)),
        "clear": ShownValue(clear, precise(clear, style)),
    }


def _limits(ctx: RuleContext, rule: RuleConfig, store: str) -> tuple[float, float]:
    threshold, clear = effective_thresholds(
        rule, store, ctx.settings, ctx.now.astimezone(ctx.tz_for(store))
    )
    assert threshold is not None
    assert clear is not None
    return threshold, clear


def evaluate_threshold(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Threshold on a base or derived metric over the rule's window."""
    assert rule.metric is not None
    limits = _limits(ctx, rule, store)
    metrics = with_volume(rule, rule.metric)
    if rule.latest_day:
        rows = _latest_rows(ctx, rule, store, metrics)
    else:
        parts = window_parts(rule, ctx.now, ctx.tz_for(store), replay=ctx.replay)
        rows = scope_query(ctx, rule, store, metrics, parts)
    judge = verdicts(ctx, rule, store, limits)
    metric, floor, volume_metric = rule.metric, rule.min_volume, rule.volume_metric
    found = []
    for scope, row in rows.items():
        value = row.get(metric)
        if value is None:
            continue
        if floor is None:  # too_small, inline: this loop runs once per SKU
            small = False
        else:
            volume = row.get(volume_metric)
            small = volume is None or volume < floor
        verdict = judge(scope, value, small)
        if verdict is None:
            continue
        fields = base_fields(rule, store, scope, **_figures(value, *limits, style_of(rule.metric)))
        found.append(Observation(rule, store, scope, value, limits[0], *verdict, fields))
    return found


def _latest_rows(
    ctx: RuleContext, rule: RuleConfig, store: str, metrics: list[str]
) -> dict[str, dict[str, Any]]:
    """The rule's rows of the latest day with figures of its metric (see ``latest_days``)."""
    assert rule.metric is not None
    for day in latest_days(rule, ctx.now, ctx.tz_for(store), replay=ctx.replay):
        rows = scope_query(ctx, rule, store, metrics, day)
        if any(row.get(rule.metric) is not None for row in rows.values()):
            return rows
    return {}


def evaluate_change(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Relative change of a metric against the same hours yesterday, last week, or the
    trailing median of the same hours over ``weeks`` weeks."""
    assert rule.metric is not None
    tz = ctx.tz_for(store)
    limits = _limits(ctx, rule, store)
    [period] = window_parts(rule, ctx.now, tz, replay=ctx.replay)
    metrics = with_volume(rule, rule.metric)
    current = scope_query(ctx, rule, store, metrics, period)
    if not current:
        return []
    judge = verdicts(ctx, rule, store, limits)
    history: dict[str, list[dict[str, Any]]] = {}
    for days in baseline_days(rule):
        for scope, row in scope_query(ctx, rule, store, metrics, shifted(period, days, tz)).items():
            history.setdefault(scope, []).append(row)
    found = []
    for scope, row in current.items():
        value = row.get(rule.metric)
        past_rows = history.get(scope, [])
        past_values = [r[rule.metric] for r in past_rows if r.get(rule.metric) is not None]
        if value is None or not past_values:
            continue
        if rule.baseline in MEDIANS:
            if len(past_values) < 2:
                continue
            baseline = statistics.median(past_values)
        else:
            baseline = past_values[0]
        if baseline == 0:
            continue
        change = value / baseline - 1.0
        verdict = judge(scope, change, _too_small_to_compare(rule, row, past_rows))
        if verdict is None:
            continue
        fields = base_fields(
            rule,
            store,
            scope,
            **_figures(change, *limits, "change"),
            baseline=f"{_baseline_words(rule)} {show(baseline, rule.metric)}",
        )
        found.append(Observation(rule, store, scope, change, limits[0], *verdict, fields))
    return found


#: Baselines that are the median of several earlier periods.
MEDIANS = ("trailing_median", "trailing_days")


def _too_small_to_compare(
    rule: RuleConfig, row: dict[str, Any], past_rows: list[dict[str, Any]]
) -> bool:
    """True when the volume says nothing: a count (visitors) falling to nothing from a
    real baseline is news, tiny on both sides is noise; a rate (CTR, conversion) needs the
    volume on both sides, as a rate of a handful of impressions is noise either way."""
    if rule.min_volume is None:
        return False
    volumes = [r[rule.volume_metric] for r in past_rows if r.get(rule.volume_metric) is not None]
    past_small = not volumes or statistics.median(volumes) < rule.min_volume
    if rule.metric in BASE_METRICS:
        return too_small(rule, row) and past_small
    return too_small(rule, row) or past_small


#: The baselines as a message names them (English keeps the config's own words).
_BASELINES = {
    "yesterday": N_("yesterday"),
    "last_week": N_("last_week"),
    "trailing_median": N_("trailing_median"),
}


def _baseline_words(rule: RuleConfig) -> str:
    """The baseline as a message names it: ``last_week``, ``7-day median``."""
    if rule.baseline == "trailing_days":
        return _("{days}-day median").format(days=rule.days)
    return _(_BASELINES[rule.baseline]) if rule.baseline in _BASELINES else rule.baseline


def _configured_budget(ctx: RuleContext, store: str, scope: str) -> float | None:
    config = ctx.settings.store(store)
    if ":" in scope:
        return config.budgets.get(scope.split(":", 1)[1])
    return config.daily_budget


def _spend_and_budget(ctx: RuleContext, rule: RuleConfig, store: str) -> dict[str, dict[str, Any]]:
    tz = ctx.tz_for(store)
    today = local_day(ctx.now, tz)
    day = Period(first_day=today, last_day=today)
    if not ctx.replay:
        return scope_query(ctx, rule, store, with_volume(rule, "spend", "budget"), day)
    # A replay reads the spend of the complete hours so far; the day's budget was known
    # at its start.
    hours = Period(start=local_midnight(today, tz), end=floor_hour(ctx.now))
    rows = scope_query(ctx, rule, store, with_volume(rule, "spend"), hours)
    budgets = scope_query(ctx, rule, store, ["budget"], day)
    return {key: {**row, "budget": budgets.get(key, {}).get("budget")} for key, row in rows.items()}


def evaluate_pacing(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Spend today against budget x share of the store's day elapsed, with the projected
    end-of-day spend and when the budget runs out at this pace."""
    tz = ctx.tz_for(store)
    threshold, clear = effective_thresholds(rule, store, ctx.settings, ctx.now.astimezone(tz))
    threshold = 1.0 if threshold is None else threshold
    clear = threshold if clear is None else clear
    share = today_share(ctx.now, tz)
    if share < 1 / 24:
        return []  # the first hour says nothing about the day's pace
    end = day_bounds(local_day(ctx.now, tz), tz)[1]
    judge = verdicts(ctx, rule, store, (threshold, clear))
    found = []
    for scope, row in _spend_and_budget(ctx, rule, store).items():
        spend = row.get("spend")
        budget = row.get("budget") or _configured_budget(ctx, store, scope)
        pacing = pace(spend, budget, share)
        if spend is None or not budget or pacing is None:
            continue
        projected = spend / share
        runs_out = runs_out_at(spend, budget, ctx.now, tz)
        if runs_out is not None:
            exhausts = (
                runs_out.astimezone(tz).strftime("%H:%M") if runs_out < end else _("after midnight")
            )
        else:
            exhausts = _("never")
        verdict = judge(scope, pacing, too_small(rule, row))
        if verdict is None:
            continue
        fields = base_fields(
            rule,
            store,
            scope,
            metric="pacing",
            **_figures(pacing, threshold, clear, "ratio"),
            spend=ShownValue(spend, show(spend, "spend")),
            budget=ShownValue(budget, show(budget, "budget")),
            projected=ShownValue(projected, show(projected, "spend")),
            exhausts_at=exhausts,
        )
        found.append(Observation(rule, store, scope, pacing, threshold, *verdict, fields))
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
    parts = window_parts(rule, ctx.now, tz, replay=ctx.replay)
    rows = scope_query(ctx, rule, store, with_volume(rule, "roi", "spend", "ad_gmv"), parts)
    strategic = set(config.strategic_loss_campaigns)
    judge = verdicts(ctx, rule, store, (threshold, clear))
    found = []
    for scope, row in rows.items():
        value = row.get("roi")
        if value is None:
            continue
        verdict = judge(scope, value, too_small(rule, row))
        if verdict is None:
            continue
        fields = base_fields(
            rule,
            store,
            scope,
            metric="roi",
            **_figures(value, threshold, clear, "ratio"),
            spend=ShownValue(row.get("spend"), show(row.get("spend"), "spend")),
        )
        seen = Observation(rule, store, scope, value, threshold, *verdict, fields)
        campaign = scope.split(":", 1)[1] if scope.startswith("campaign:") else rule.campaign
        if seen.breaking and campaign in strategic:
            seen = Observation(
                rule, store, scope, value, threshold, False, False, fields, strategic=True
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
        fields = base_fields(rule, health.store, scope) | {
            "source": health.source,
            "state": health.state.value,
            "reason": health.reason or _("no reason given"),
            "minutes": ShownValue(minutes, f"{minutes:.0f}"),
            "value": ShownValue(minutes, _("{minutes} min").format(minutes=f"{minutes:.0f}")),
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
    found = []
    for rejected in ingests.rejected_files(ctx.data, ctx.now - rule.window):
        origin, store, reason = rejected.origin, rejected.store, rejected.reason
        if rule.store is not None and store not in ("", rule.store):
            continue
        scope = f"file:{origin}"
        name = PurePath(origin).name or origin
        first_line = (reason or "").strip().splitlines()[0] if (reason or "").strip() else ""
        # Reasons often start with the file's name, which the message already gives.
        first_line = first_line.removeprefix(f"{name}: ")
        fields = base_fields(rule, store, scope) | {
            "origin": name,
            "reason": first_line[:300] or _("no reason given"),
            "value": _("rejected"),
            "metric": "file",
        }
        found.append(Observation(rule, store, scope, None, None, True, False, fields))
    return found


#: The evaluator of each data rule kind, per store.
EVALUATORS: dict[str, Callable[[RuleContext, RuleConfig, str], list[Observation]]] = {
    "threshold": evaluate_threshold,
    "change": evaluate_change,
    "pacing": evaluate_pacing,
    "roi": evaluate_roi,
    "plan": evaluate_plan,
}

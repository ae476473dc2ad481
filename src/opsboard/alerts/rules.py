"""What a rule sees: one ``Observation`` per scope it looks at, and the shared pieces of the
evaluators (thresholds in force, the grouped query, the verdict).

A rule is evaluated per store with as few queries as it can: one ``MetricsEngine.query``
grouped by SKU (or campaign, channel) covers every member of an ``each_*`` scope, plus one
per baseline for change rules.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any

from opsboard.alerts.messages import render
from opsboard.config.models import Settings
from opsboard.config.rules import RuleConfig
from opsboard.formatting import named
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, base_inputs, ratio
from opsboard.models import HealthState, SourceHealth
from opsboard.points import NAME_KINDS
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.storage.store import Store

#: Rule kinds that read metrics (and so depend on the sources feeding a store).
DATA_KINDS = frozenset(("threshold", "change", "pacing", "roi"))
#: Health states in which a source raises its alert and suppresses the alerts it feeds.
BAD_STATES = frozenset((HealthState.STALE, HealthState.FAILING))

_BY = {"each_sku": "sku", "each_campaign": "campaign", "each_channel": "channel"}
_ONE = {"sku": "sku", "campaign": "campaign", "channel": "channel"}


@dataclass(frozen=True)
class Observation:
    """What a rule saw for one scope in one evaluation.

    ``breaking``: the firing condition holds. ``cleared``: the value is back on the healthy
    side of the clear threshold. ``since``: when the condition began, where the data knows
    it (a source's health), else None (now). ``strategic``: a deliberate loss, shown only.
    ``fields`` fill the message template; figures among them are ``formatting.ShownValue`` objects.
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

    # Cached: an observation reused across cycles is rendered once.
    @cached_property
    def message(self) -> str:
        """The rule's message template filled in (the default one if it cannot be)."""
        return render(self.rule, self.fields)

    @cached_property
    def resolved_message(self) -> str:
        """What a message says when this observation resolves the alert."""
        return render(self.rule, self.fields, resolved=True)


@dataclass
class RuleContext:
    """What rules read: the data store, a metrics engine, the settings and the instant.

    ``replay``: a backtest, which must read only what was known at ``now``.
    """

    data: Store
    engine: MetricsEngine
    settings: Settings
    now: datetime
    tz_for: Callable[[str], tzinfo]
    health: list[SourceHealth] = field(default_factory=list)
    open_keys: set[tuple[str, str, str]] = field(default_factory=set)
    """(rule, store, scope) of the alerts open before this evaluation."""
    replay: bool = False


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


def muting_window(rule: RuleConfig, store: str, settings: Settings, local_now: datetime) -> str:
    """The name of the promotion window muting ``rule`` for ``store`` now, or ``""``."""
    for window in settings.alerts.promotions:
        if rule.name in window.mute and window.active(store, local_now):
            return window.name
    return ""


def _query(
    ctx: RuleContext, rule: RuleConfig, store: str, metrics: list[str], period: Period
) -> dict[str, dict[str, Any]]:
    by = _BY.get(rule.scope, "total")
    filters = Filters(
        channel=rule.channel,
        campaign=rule.campaign if rule.scope in ("campaign", "each_sku") else None,
        sku=rule.sku if rule.scope == "sku" else None,
    )
    rows = ctx.engine.query(metrics, stores=[store], by=by, period=period, filters=filters)
    if by != "total":
        return {f"{by}:{row[by]}": row for row in rows}
    dim = _ONE.get(rule.scope)
    key = f"{dim}:{getattr(rule, dim)}" if dim else ""
    return {key: rows[0]} if rows else {}


def scope_query(
    ctx: RuleContext,
    rule: RuleConfig,
    store: str,
    metrics: list[str],
    periods: Period | Sequence[Period],
) -> dict[str, dict[str, Any]]:
    """Rows by scope key (``""``, ``sku:ID``, ``campaign:ID``, ``channel:NAME``): one query
    per period; over several periods the base sums are added and ratios taken of them."""
    parts = [periods] if isinstance(periods, Period) else list(periods)
    wanted = sorted(set(metrics))
    if len(parts) == 1:
        return _query(ctx, rule, store, wanted, parts[0])
    inputs = base_inputs(wanted)
    sums: dict[str, dict[str, float]] = {}
    for period in parts:
        for key, row in _query(ctx, rule, store, inputs, period).items():
            into = sums.setdefault(key, {})
            for name in inputs:
                if row.get(name) is not None:
                    into[name] = into.get(name, 0.0) + row[name]
    return {key: {name: _of(name, got) for name in wanted} for key, got in sums.items()}


def _of(name: str, sums: dict[str, float]) -> float | None:
    if name in BASE_METRICS:
        return sums.get(name)
    spec = DERIVED_METRICS[name]
    return ratio(sums.get(spec.numerator), sums.get(spec.denominator), spec.scale)


def member(scope: str, store: str) -> str:
    """The scope as a message shows it: the SKU, campaign or channel, or the store."""
    return scope.split(":", 1)[1] if ":" in scope else store


def base_fields(rule: RuleConfig, store: str, scope: str, **extra: Any) -> dict[str, Any]:
    """The message fields every rule fills, plus ``extra``."""
    return {
        "rule": rule.name,
        "store": store,
        "scope": member(scope, store),
        # The platform's name of a campaign or SKU scope, filled in by ``add_names``.
        "name": "",
        "named_scope": member(scope, store),
        "metric": rule.metric or "",
        "op": rule.op,
        "baseline": rule.baseline,
        "severity": rule.severity,
        "weeks": rule.weeks,
        "days": rule.days,
        **extra,
    }


def add_names(data: Store, observations: Sequence[Observation]) -> None:
    """Give the observations of campaign and SKU scopes the platform's name of their key
    (the ``name`` field, and ``named_scope``: ``春季新品推广 (77012003172)``), read with
    one look-up per store and kind."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for seen in observations:
        kind, _, key = seen.scope.partition(":")
        if kind in NAME_KINDS and key:
            wanted.setdefault((seen.store, kind), set()).add(key)
    found: dict[tuple[str, str, str], str] = {}
    for (store, kind), keys in wanted.items():
        for (_, key), name in data.names_of(store, kind, keys).items():
            found[(store, kind, key)] = name
    for seen in observations:
        kind, _, key = seen.scope.partition(":")
        title = found.get((seen.store, kind, key))
        if title and seen.fields.get("name") != title:
            seen.fields["name"] = title
            seen.fields["named_scope"] = named(key, title)
            # A renamed plan: a message rendered with the old name is rendered again.
            seen.__dict__.pop("message", None)
            seen.__dict__.pop("resolved_message", None)


def too_small(rule: RuleConfig, row: dict[str, Any]) -> bool:
    """True when the scope's volume is below the rule's ``min_volume``."""
    if rule.min_volume is None:
        return False
    volume = row.get(rule.volume_metric)
    return volume is None or volume < rule.min_volume


def with_volume(rule: RuleConfig, *names: str) -> list[str]:
    """The metrics to ask for: ``names`` plus the rule's volume metric."""
    wanted = [n for n in names if n]
    if rule.min_volume is not None:
        wanted.append(rule.volume_metric)
    return wanted


#: ``verdict(scope, value, small)`` as ``verdicts`` makes it.
Verdict = Callable[[str, float, bool], tuple[bool, bool] | None]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def verdicts(
    ctx: RuleContext, rule: RuleConfig, store: str, thresholds: tuple[float, float]
) -> Verdict:
    """``verdict(scope, value, small)``: (breaking, cleared) for one scope of ``store``, or
    None when it can change nothing.

    Too little volume (``small``) says nothing either way (right after midnight a day
    window holds a few minutes of data): the alert's state is left as it is, neither fired
    nor cleared. Healthy with no alert open (most of ten thousand SKUs) is None too, so
    that their messages are never built.
    """
    fires = _OPS[rule.op]
    threshold, clear = thresholds
    name, open_keys = rule.name, ctx.open_keys

    def verdict(scope: str, value: float, small: bool) -> tuple[bool, bool] | None:
        if small:
            return None
        breaking = fires(value, threshold)
        cleared = not fires(value, clear)
        if not breaking and cleared and (name, store, scope) not in open_keys:
            return None
        return breaking, cleared

    return verdict

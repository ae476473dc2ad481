"""The "plan" rule kind: a target more than a set share behind its paced plan.

Each of the store's targets whose period holds the day just over is judged as of the end
of that day (a plan is a matter of days; the day under way is the overview's business):
how far its figure to date falls short of the plan paced by the store's own curve. For a
ceiling (the month's ad budget, the strategic-loss allowance) the shortfall is the
projected overspend: spending faster than the plan allows. The month's ad budget is off its plan
both ways: spent faster than it allows, or left unspent. The value is that share (0.12 =
12% off), compared with the rule's threshold (default 10%). ``days_left`` judges a target
only in the last days of its period ("more than 15% behind with 10 days left").

With ``measure = "used"`` the value is instead the share of a ceiling target used so far
(its actual over its value): the strategic-loss allowance used up (1.0) fires whatever the
pace, the default threshold being the whole allowance.
"""

from __future__ import annotations

from datetime import timedelta

from opsboard.alerts.rules import Observation, RuleContext, base_fields, verdicts
from opsboard.config.rules import RuleConfig
from opsboard.formatting import ShownValue, percent
from opsboard.query.plans import PlanReader, TargetStatus, all_targets, plan_line
from opsboard.timeutil import local_day

#: How far behind the paced plan fires a plan rule that gives no threshold.
DEFAULT_BEHIND = 0.10
#: How much of an allowance fires a `measure = "used"` rule that gives no threshold.
DEFAULT_USED = 1.0


def shortfall(status: TargetStatus) -> float | None:
    """How far ``status`` is off its paced plan, as a share (negative: ahead of it), or
    None before any of its time has passed. An ad budget is off it both ways: spent faster
    than it allows, or left unspent."""
    s, t = status.standing, status.target
    if status.actual is None or not t.value:
        return None
    ceiling = t.direction == "at_most"
    if s.needed_per_day is None:  # a ratio: its figure to date against the goal
        done = status.actual / t.value
    elif s.time_share <= 0:
        return None
    else:
        done = (status.actual / t.value) / s.time_share
    if ceiling and t.metric == "spend":
        return abs(done - 1.0)
    return done - 1.0 if ceiling else 1.0 - done


def used(status: TargetStatus) -> float | None:
    """The share of a ceiling target used so far (1.0: used up); None for a floor (a
    sales plan is not "used") or before any figure."""
    t = status.target
    if t.direction != "at_most" or status.actual is None or not t.value:
        return None
    return status.actual / t.value


def evaluate_plan(ctx: RuleContext, rule: RuleConfig, store: str) -> list[Observation]:
    """Each target of ``store`` under way on the day just over, against its paced plan."""
    tz = ctx.tz_for(store)
    day = local_day(ctx.now, tz) - timedelta(days=1)
    targets = [
        t
        for t in all_targets(ctx.settings, ctx.data, store)
        if t.period.first <= day <= t.period.last and rule.metric in (None, t.metric)
    ]
    if not targets:
        return []
    by_use = rule.measure == "used"
    default = DEFAULT_USED if by_use else DEFAULT_BEHIND
    threshold = default if rule.threshold is None else rule.threshold
    clear = threshold if rule.clear is None else rule.clear
    judge = verdicts(ctx, rule, store, (threshold, clear))
    reader = PlanReader(ctx.engine, ctx.settings)
    currency = ctx.settings.store(store).currency
    found = []
    for target in targets:
        status = reader.status(target, tz, day=day)
        if rule.days_left is not None and status.days_left > rule.days_left:
            continue
        value = used(status) if by_use else shortfall(status)
        if value is None:
            continue
        scope = f"target:{target.metric}{'@' + target.scope if target.scope else ''}"
        verdict = judge(scope, value, False)
        if verdict is None:
            continue
        fields = base_fields(
            rule,
            store,
            scope,
            metric=target.metric,
            value=ShownValue(value, percent(value, 0)),
            threshold=ShownValue(threshold, percent(threshold, 0)),
            clear=ShownValue(clear, percent(clear, 0)),
            reason=plan_line(status, currency),
            days_left=status.days_left,
        )
        found.append(Observation(rule, store, scope, value, threshold, *verdict, fields))
    return found

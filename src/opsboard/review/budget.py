"""The budget rule: spend that stopped before the evening peak while near the budget.

Platforms stop a plan's delivery once its daily budget is (nearly) used, and later restate
the spend downwards (invalid clicks refunded), so the day's spend rarely reaches the budget
exactly. What shows the problem is the shape: spend stops, or falls to almost nothing, in
the afternoon with most of the budget gone, and the evening peak (about 20:00-24:00 local)
gets no ads.
"""

from __future__ import annotations

from opsboard.i18n import _
from opsboard.review.facts import BudgetRun, Facts, cash
from opsboard.review.model import Diagnosis, HourSpend

EVENING_PEAK_HOUR = 20
#: Spend at this share of the budget or more when it stopped counts as the budget used up.
NEAR_BUDGET = 0.90
#: An hour that spends less than this share of the budget has as good as stopped.
NEAR_ZERO = 0.005


def stopped_at(run: BudgetRun) -> tuple[int, HourSpend] | None:
    """The local hour from which ``run`` spent (almost) nothing to the end of the day, and
    its last spending hour; None when spend went on into the last hour."""
    spending = [h for h in run.hours if h.spend > NEAR_ZERO * run.budget]
    if not spending:
        return None
    last = spending[-1]
    stop = last.hour + 1
    return None if stop >= 24 else (stop, last)


def budget_exhausted(facts: Facts) -> list[Diagnosis]:
    """Budgets that stopped spending before the evening peak while near their limit."""
    found = []
    break_even = facts.config.break_even_roi
    for run in facts.budget_runs:
        stop = stopped_at(run)
        if stop is None:
            continue
        hour, last = stop
        used = last.cumulative / run.budget
        if hour >= EVENING_PEAK_HOUR or used < NEAR_BUDGET:
            continue
        after = run.hours[-1].cumulative - last.cumulative
        roi = run.roi if run.roi is not None else facts.total.get("roi")
        losing = break_even is not None and roi is not None and roi < break_even
        money = facts.config.currency
        evidence = [
            _("spend stopped at {hour} with {spent} of the {budget} budget spent ({used})").format(
                hour=f"{hour:02d}:00",
                spent=cash(last.cumulative, money),
                budget=cash(run.budget, money),
                used=f"{used:.0%}",
            ),
            _("{spent} spent from {hour} to midnight, through the evening peak ({peak})").format(
                spent=cash(after, money),
                hour=f"{hour:02d}:00",
                peak=f"{EVENING_PEAK_HOUR}:00-24:00",
            ),
        ]
        later = facts.traffic_after(hour)
        if later is not None and later < 1:
            evidence.append(
                _("the hours from {hour} brought {share} of the day's visitors").format(
                    hour=f"{hour:02d}:00", share=f"{later:.0%}"
                )
            )
            # Ads follow traffic: the hours left would have spent in proportion to it.
            missed = last.cumulative * later / (1 - later)
        else:
            first = next(h.hour for h in run.hours if h.spend > 0)
            missed = last.cumulative / max(1, hour - first) * (24 - hour)
        if facts.margin is not None:
            impact = facts.spent_in_vain(missed * ((roi or 0.0) * facts.margin - 1.0))
            stake = _("margin the hours without ads would have earned, net of their spend")
        else:
            impact = facts.sales_at_stake(missed * (roi if roi is not None else 1.0))
            stake = _("ad sales the hours without ads would have brought (no margin set)")
        found.append(
            Diagnosis(
                code="budget_exhausted",
                title=_("Budget spent before the evening peak"),
                subject=run.scope,
                evidence=tuple(evidence),
                remedy=(
                    _(
                        "Do not raise the budget while ROI is below break-even: lower bids or "
                        "set a schedule so that spend lasts into the evening."
                    )
                    if losing
                    else _(
                        "Raise the daily budget or move it to the evening: set a schedule "
                        "(dayparting) that keeps budget for 20:00-23:00, lower morning bids."
                    )
                ),
                impact=impact,
                stake=stake,
            )
        )
    return found

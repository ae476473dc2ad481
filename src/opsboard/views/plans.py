"""What the Plans screen shows: each target with its progress, time, days left and what
each remaining day needs (DESIGN.md 4.6); Textual-free.

The targets shown are those whose period holds each store's day at the instant shown,
then those ended in the week before (met or missed) and those starting in the next
fortnight, so that the screen keeps the month's outcome and the promotion coming up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opsboard.config.models import Settings
from opsboard.config.targets import CONTRIBUTION, STRATEGIC_LOSS, Target, is_ratio
from opsboard.formatting import figure, month_day, percent
from opsboard.glossary import TERMS_CN, metric_label
from opsboard.i18n import N_, _, is_chinese
from opsboard.query.engine import MetricsEngine
from opsboard.query.plans import (
    PlanReader,
    TargetStatus,
    all_targets,
    needs_margin,
    shown_like,
    trend_text,
)
from opsboard.storage.store import Store
from opsboard.timeutil import local_day
from opsboard.views.alerts import HealthRow, load_health

#: Ended targets stay on the screen this long (the month's outcome the morning after).
KEPT_AFTER_END = timedelta(days=7)
#: Targets starting within this long are shown, as coming up.
SHOWN_BEFORE_START = timedelta(days=14)

#: A target's standing in the operators' words (distinct from spend pacing's ahead/behind).
STATUS_WORDS = {
    "ahead": N_("ahead of plan"),
    "on track": N_("on track"),
    "behind": N_("behind plan"),
    "met": N_("met"),
    "missed": N_("missed"),
    "upcoming": N_("upcoming"),
}


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One target as the Plans screen shows it; the figures are already text."""

    store: str
    #: ``GMV``, ``CTR sku:123``, ``Spend (at most)``.
    name: str
    period: str
    goal: str
    actual: str
    done_share: float | None
    time_share: float
    days_left: int
    #: What each remaining day needs (or may still spend); "" for a ratio or when over.
    needed: str
    #: ``ahead``, ``on track``, ``behind``, ``met``, ``missed`` or ``upcoming``.
    status: str
    #: A ratio target's last days and direction (``↑ 6.16%``), else "".
    trend: str
    #: True for a ceiling (a budget, an allowance): the bar shows what is used.
    ceiling: bool
    #: True for a ratio target (CTR, ROI): its figure to date is compared with the goal.
    ratio: bool = False

    @property
    def status_text(self) -> str:
        """The status in the current language."""
        return _(STATUS_WORDS[self.status])


@dataclass(frozen=True, slots=True)
class PlansView:
    """Everything the Plans screen shows at one instant."""

    at: datetime
    live: bool
    tz_name: str
    rows: tuple[PlanRow, ...]
    health: tuple[HealthRow, ...]
    #: Why there is nothing to show ("" when there are rows).
    note: str = ""


def target_label(target: Target) -> str:
    """A target's name in the current language: ``GMV`` / ``支付金额``, ``贡献``, with its
    scope and ``(at most)`` for a ceiling on a metric that is not one by nature."""
    if target.metric == STRATEGIC_LOSS:
        name = TERMS_CN[STRATEGIC_LOSS] if is_chinese() else _("Strategic loss")
    elif target.metric == CONTRIBUTION:
        name = _("Contribution")
    else:
        name = metric_label(target.metric)
    if target.scope:
        name += f" {target.scope}"
    if target.direction == "at_most" and target.metric not in ("spend", STRATEGIC_LOSS):
        name += " " + _("(at most)")
    return name


def period_text(target: Target) -> str:
    """``2026-06`` as written, or ``Jun 1-18`` / ``6月1日-18日``, ``Jun 28-Jul 3`` for days."""
    period = target.period
    if period.is_month() or period.label.upper().endswith(("Q1", "Q2", "Q3", "Q4")):
        return period.label
    if period.days == 1:
        return month_day(period.first)
    if (period.first.year, period.first.month) == (period.last.year, period.last.month):
        # One month: its name once (Jun 1-18, 6月1日-18日).
        return f"{month_day(period.first)}-{period.last.day}" + ("日" if is_chinese() else "")
    return f"{month_day(period.first)}-{month_day(period.last)}"


def plan_row(status: TargetStatus, currency: str, *, no_margin: bool = False) -> PlanRow:
    """``status`` as a row of the Plans screen; ``no_margin``: a contribution or
    strategic-loss target of a store without a margin, which has no figure."""
    t, s = status.target, status.standing
    shown_as = shown_like(t.metric)
    upcoming = status.as_of < t.period.first
    over = status.days_left == 0 or s.status in ("met", "missed")
    needed = ""
    if (
        not is_ratio(t.metric)
        and s.needed_per_day is not None
        and not (over or upcoming or no_margin)
    ):
        needed = figure(shown_as, s.needed_per_day, currency)
    return PlanRow(
        store=t.store,
        name=target_label(t),
        period=period_text(t),
        goal=figure(shown_as, t.value, currency),
        actual=""
        if upcoming
        else _("no margin in the config")
        if no_margin
        else figure(shown_as, status.actual, currency),
        done_share=None if upcoming else s.done_share,
        time_share=s.time_share,
        days_left=status.days_left,
        needed=needed,
        status="upcoming" if upcoming else s.status,
        trend=trend_text(status, currency),
        ceiling=t.direction == "at_most",
        ratio=is_ratio(t.metric),
    )


def shown_targets(targets: list[Target], today: date) -> list[Target]:
    """The targets the screen shows on ``today``: under way, just ended, coming up; under
    way first, the longest period first (the month's plan leads)."""

    def when(t: Target) -> int:
        if t.period.first <= today <= t.period.last:
            return 0
        return 1 if t.period.last < today else 2

    chosen = [
        t
        for t in targets
        if t.period.first - SHOWN_BEFORE_START <= today <= t.period.last + KEPT_AFTER_END
    ]
    return sorted(
        chosen, key=lambda t: (when(t), -t.period.days, t.metric != "gmv", t.metric, t.scope)
    )


def load_plans(
    store: Store,
    engine: MetricsEngine,
    settings: Settings,
    *,
    names: list[str],
    at: datetime,
    live: bool,
    tz_name: str,
) -> PlansView:
    """The Plans screen of the stores ``names`` at ``at`` (each store on its own day)."""
    reader = PlanReader(engine, settings)
    rows: list[PlanRow] = []
    for name in names:
        tz = engine.tz_for(name)
        currency = settings.store(name).currency
        targets = shown_targets(all_targets(settings, store, name), local_day(at, tz))
        rows += [
            plan_row(reader.status(t, tz, at=at), currency, no_margin=needs_margin(t, settings))
            for t in targets
        ]
    note = ""
    if not rows:
        note = _(
            "No targets under way. Add [[targets]] to the config, or load the plan sheet "
            "(store,metric,period,value or 店铺,指标,周期,目标值): opsboard ingest plan.xlsx, "
            "or drop it into a drop folder."
        )
    return PlansView(
        at=at,
        live=live,
        tz_name=tz_name,
        rows=tuple(rows),
        health=tuple(load_health(store)),
        note=note,
    )


def share_text(value: float | None) -> str:
    """A share as the screen writes it: ``41%``."""
    return percent(value, 0)

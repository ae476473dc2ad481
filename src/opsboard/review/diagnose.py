"""Diagnoses from operator practice: each rule reads the day's figures and, when it applies,
says what it saw (evidence) and what operators usually do about it (remedy).

Rules (DESIGN.md section 1): detail-page bounce above 75% (70% for non-standard
categories); main-image or ad CTR below 6%; conversion down while traffic held; ROI below
break-even unless marked as a strategic loss; budget exhausted before the evening peak;
spend on items with clicks but no orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opsboard.config import StoreConfig
from opsboard.output import format_value
from opsboard.review.model import Completeness, Diagnosis, HourSpend, change

BOUNCE_LIMIT = {"standard": 0.75, "non_standard": 0.70}
CTR_TARGET = 0.06
EVENING_PEAK_HOUR = 20
#: Below these volumes a rate is noise, not a finding.
MIN_SKU_VISITORS = 50.0
MIN_IMPRESSIONS = 500.0
MIN_CLICKS = 10.0
#: "Flat" traffic and a real conversion drop, as relative changes.
FLAT_TRAFFIC = 0.10
CONVERSION_DROP = -0.10
#: Spend at this share of the budget counts as the budget reached.
BUDGET_REACHED = 0.98
#: Spend after that point above this share of the budget means the budget was raised.
STILL_SPENDING = 0.10
MAX_PER_RULE = 5

Row = dict[str, Any]


@dataclass(frozen=True)
class BudgetRun:
    """Hourly spend of one budgeted scope (the store, a channel or a campaign) for the day."""

    scope: str
    budget: float
    hours: tuple[HourSpend, ...]


@dataclass
class Facts:
    """What the rules read: the day and last week's same weekday, at every scope."""

    config: StoreConfig
    total: Row
    total_before: Row
    skus: dict[str, Row]
    skus_before: dict[str, Row]
    campaigns: dict[str, Row]
    completeness: Completeness
    budget_runs: list[BudgetRun] = field(default_factory=list)
    cannot_tell: list[str] = field(default_factory=list)

    def usable(self, *metrics: str) -> bool:
        """True when none of ``metrics`` is missing or partial for the day."""
        return self.completeness.status_of(list(metrics)) == "ok"

    @property
    def visitor_value(self) -> float | None:
        """GMV per visitor for the day: what one more (or one lost) visitor is worth."""
        gmv, uv = self.total.get("gmv"), self.total.get("uv")
        return gmv / uv if gmv is not None and uv else None


def _pct(value: float | None) -> str:
    return format_value(value, "conversion_rate")


def _money(value: float | None) -> str:
    return format_value(value, "gmv")


def _count(value: float | None) -> str:
    return format_value(value, "uv")


def bounce(facts: Facts) -> list[Diagnosis]:
    """Items whose detail page loses visitors above the category's bounce limit."""
    if not facts.usable("bounces", "uv"):
        return []
    limit = BOUNCE_LIMIT[facts.config.category]
    value = facts.visitor_value or 0.0
    found = []
    for sku, row in facts.skus.items():
        rate, uv = row.get("bounce_rate"), row.get("uv")
        if rate is None or uv is None or uv < MIN_SKU_VISITORS or rate <= limit:
            continue
        evidence = [f"bounce rate {_pct(rate)} on {_count(uv)} visitors (limit {limit:.0%})"]
        before = facts.skus_before.get(sku, {}).get("bounce_rate")
        if before is not None:
            evidence.append(f"last week {_pct(before)}")
        found.append(
            Diagnosis(
                code="detail_page_bounce",
                title=f"Detail-page bounce above {limit:.0%}",
                subject=f"SKU {sku}",
                evidence=tuple(evidence),
                remedy="Rework the detail page: first screen, main selling points, price and "
                "offer visibility, reviews and Q&A, load speed; check the traffic matches the "
                "item (keywords, crowds).",
                impact=uv * (rate - limit) * value,
            )
        )
    if all(row.get("bounce_rate") is None for row in facts.skus.values()):
        rate, uv = facts.total.get("bounce_rate"), facts.total.get("uv")
        if rate is not None and uv and rate > limit:
            found.append(
                Diagnosis(
                    code="detail_page_bounce",
                    title=f"Store bounce above {limit:.0%}",
                    subject="store",
                    evidence=(f"bounce rate {_pct(rate)} on {_count(uv)} visitors",),
                    remedy="Rework the detail pages of the most visited items first.",
                    impact=uv * (rate - limit) * value,
                )
            )
    return _top(found)


def click_through(facts: Facts) -> list[Diagnosis]:
    """Items (main image) and campaigns (creative) whose CTR is under the 6% target."""
    if not facts.usable("impressions", "clicks"):
        return []
    value = facts.visitor_value or 0.0
    found = []
    scopes = [("SKU", facts.skus), ("campaign", facts.campaigns)]
    if not facts.skus and not facts.campaigns:
        scopes = [("store", {"ads": facts.total})]
    for kind, rows in scopes:
        for key, row in rows.items():
            ctr, shown = row.get("ctr"), row.get("impressions")
            if ctr is None or shown is None or shown < MIN_IMPRESSIONS or ctr >= CTR_TARGET:
                continue
            item = kind == "SKU"
            found.append(
                Diagnosis(
                    code="low_ctr",
                    title=f"{'Main-image' if item else 'Ad'} CTR below {CTR_TARGET:.0%}",
                    subject=f"{kind} {key}" if kind != "store" else "all ads",
                    evidence=(
                        f"CTR {_pct(ctr)} on {_count(shown)} impressions (target {CTR_TARGET:.0%})",
                    ),
                    remedy="Test a new main image: the product clear at thumbnail size, one "
                    "selling point, a price or offer cue; compare with competitors on the "
                    "search page."
                    if item
                    else "Refresh the creatives and titles; drop keywords and crowds with many "
                    "impressions and few clicks.",
                    impact=(CTR_TARGET - ctr) * shown * value,
                )
            )
    return _top(found)


def conversion_drop(facts: Facts) -> list[Diagnosis]:
    """Conversion down while traffic held: the problem is on the page, not the traffic."""
    if not facts.usable("uv", "buyers"):
        return []
    traffic = change(facts.total.get("uv"), facts.total_before.get("uv"))
    now, before = facts.total.get("conversion_rate"), facts.total_before.get("conversion_rate")
    drop = change(now, before)
    if now is None or before is None or traffic is None or drop is None:
        return []
    if abs(traffic) > FLAT_TRAFFIC or drop > CONVERSION_DROP:
        return []
    uv = facts.total.get("uv") or 0.0
    aov = facts.total.get("aov") or 0.0
    evidence = [
        f"conversion {_pct(now)} against {_pct(before)} last week ({drop:+.0%})",
        f"visitors {_count(uv)} against {_count(facts.total_before.get('uv'))} ({traffic:+.0%})",
    ]
    losers = []
    for sku, row in facts.skus.items():
        old = facts.skus_before.get(sku, {}).get("conversion_rate")
        new, visitors = row.get("conversion_rate"), row.get("uv")
        if old is not None and new is not None and visitors and new < old:
            losers.append((visitors * (old - new), sku, old, new))
    for lost, sku, old, new in sorted(losers, reverse=True)[:3]:
        evidence.append(f"SKU {sku}: {_pct(old)} -> {_pct(new)} (about {lost:.0f} buyers lost)")
    return [
        Diagnosis(
            code="conversion_down",
            title="Conversion down while traffic held",
            subject="store",
            evidence=tuple(evidence),
            remedy="Check prices against competitors and your own offers, new bad reviews or "
            "ratings, stock-outs of popular variants, and recent detail-page changes.",
            impact=uv * (before - now) * aov,
        )
    ]


def roi(facts: Facts) -> list[Diagnosis]:
    """Campaigns below break-even ROI; marked strategic losses are shown, not flagged."""
    if not facts.usable("spend", "ad_gmv"):
        return []
    break_even = facts.config.break_even_roi
    spend = facts.total.get("spend")
    if break_even is None:
        if spend:
            facts.cannot_tell.append(
                "ROI against break-even: no margin configured for this store "
                "(set stores.margin in the config)"
            )
        return []
    strategic = set(facts.config.strategic_loss_campaigns)
    rows = facts.campaigns or ({"all ads": facts.total} if spend else {})
    found = []
    for key, row in rows.items():
        value, cost, sales = row.get("roi"), row.get("spend"), row.get("ad_gmv")
        if value is None or not cost or value >= break_even:
            continue
        evidence = (
            f"ROI {value:.2f} on spend {_money(cost)} (break-even {break_even:.2f})",
            f"attributed sales {_money(sales)}",
        )
        subject = key if key == "all ads" else f"campaign {key}"
        if key in strategic:
            found.append(
                Diagnosis(
                    code="strategic_loss",
                    title="Strategic loss (below break-even on purpose)",
                    subject=subject,
                    evidence=evidence,
                    remedy="Marked as a strategic loss: check it still buys what it is for "
                    "(new buyers, ranking, a launch) and that the loss stays within plan.",
                    severity="info",
                    impact=cost - (sales or 0.0) / break_even,
                )
            )
            continue
        found.append(
            Diagnosis(
                code="roi_below_break_even",
                title="ROI below break-even",
                subject=subject,
                evidence=evidence,
                remedy="Lower bids on keywords below break-even, cut keywords and crowds with "
                "spend and no orders, narrow crowd targeting, move budget to campaigns above "
                "break-even.",
                impact=cost - (sales or 0.0) / break_even,
            )
        )
    return _top(found, limit=2 * MAX_PER_RULE)


def budget_exhausted(facts: Facts) -> list[Diagnosis]:
    """Budgets spent before the evening peak (about 20:00 local), which then gets no ads."""
    if not facts.usable("spend"):
        return []
    found = []
    break_even = facts.config.break_even_roi
    store_roi = facts.total.get("roi")
    for run in facts.budget_runs:
        reached = next((h for h in run.hours if h.cumulative >= BUDGET_REACHED * run.budget), None)
        if reached is None or reached.hour + 1 >= EVENING_PEAK_HOUR:
            continue
        out_at = reached.hour + 1
        after = run.hours[-1].cumulative - reached.cumulative
        if after > STILL_SPENDING * run.budget:
            continue  # spend went on (a raised budget): the evening was not left without ads
        active = max(1, out_at - (run.hours[0].hour if run.hours else 0))
        losing = break_even is not None and store_roi is not None and store_roi < break_even
        found.append(
            Diagnosis(
                code="budget_exhausted",
                title="Budget spent before the evening peak",
                subject=run.scope,
                evidence=(
                    f"spend reached {_money(reached.cumulative)} of the {_money(run.budget)} "
                    f"budget by {out_at:02d}:00",
                    f"only {_money(after)} spent from {out_at:02d}:00 to midnight, through "
                    f"the evening peak ({EVENING_PEAK_HOUR}:00-24:00)",
                ),
                remedy=(
                    "Do not raise the budget while ROI is below break-even: lower bids or set "
                    "a schedule so that spend lasts into the evening."
                    if losing
                    else "Raise the daily budget or move it to the evening: set a schedule "
                    "(dayparting) that keeps budget for 20:00-23:00, lower morning bids."
                ),
                # Ad sales the missing hours would have brought at the day's pace.
                impact=(store_roi or 1.0) * min(run.budget, run.budget / active * (24 - out_at)),
            )
        )
    return found


def clicks_without_orders(facts: Facts) -> list[Diagnosis]:
    """Items that took clicks and spend and sold nothing through ads."""
    if not facts.usable("spend", "clicks"):
        return []
    found = []
    spent_skus = {k: r for k, r in facts.skus.items() if r.get("spend")}
    rows = spent_skus or facts.campaigns
    kind = "SKU" if spent_skus else "campaign"
    for key, row in rows.items():
        cost, clicks = row.get("spend"), row.get("clicks")
        orders, sales = row.get("ad_orders"), row.get("ad_gmv")
        sold_nothing = orders == 0 or (orders is None and sales == 0)
        if not cost or clicks is None or clicks < MIN_CLICKS or not sold_nothing:
            continue
        found.append(
            Diagnosis(
                code="clicks_no_orders",
                title="Ad spend with clicks but no orders",
                subject=f"{kind} {key}",
                evidence=(f"{_count(clicks)} clicks, spend {_money(cost)}, no ad orders",),
                remedy="Add negative keywords for the search terms that click without buying; "
                "lower bids or pause the item's promotion until its page converts.",
                impact=cost,
            )
        )
    return _top(found)


RULES = (bounce, click_through, conversion_drop, roi, budget_exhausted, clicks_without_orders)


def diagnose(facts: Facts) -> list[Diagnosis]:
    """Every rule over ``facts``: problems by impact (largest first), then the notes.

    Findings of one kind on several subjects (three SKUs with a bounce problem) are merged
    into one diagnosis, so that each problem and its remedy is read once.
    """
    found = [d for rule in RULES for d in rule(facts)]
    groups: dict[tuple[str, str], list[Diagnosis]] = {}
    for diagnosis in found:
        groups.setdefault((diagnosis.code, diagnosis.title), []).append(diagnosis)
    merged = [_merge(group) for group in groups.values()]
    return sorted(merged, key=lambda d: (d.severity == "info", -d.impact))


def _merge(group: list[Diagnosis]) -> Diagnosis:
    """One diagnosis for several subjects: each subject's evidence on a line of its own."""
    if len(group) == 1:
        return group[0]
    group = sorted(group, key=lambda d: -d.impact)
    kinds = {d.subject.split(" ", 1)[0] for d in group}
    names = [d.subject.split(" ", 1)[-1] for d in group]
    subject = (
        f"{len(group)} {kinds.pop()}s: {', '.join(names)}"
        if len(kinds) == 1
        else ", ".join(d.subject for d in group)
    )
    first = group[0]
    return Diagnosis(
        code=first.code,
        title=first.title,
        subject=subject,
        evidence=tuple(f"{d.subject}: {'; '.join(d.evidence)}" for d in group),
        remedy=first.remedy,
        severity=first.severity,
        impact=sum(d.impact for d in group),
    )


def _top(found: list[Diagnosis], limit: int = MAX_PER_RULE) -> list[Diagnosis]:
    return sorted(found, key=lambda d: -d.impact)[:limit]

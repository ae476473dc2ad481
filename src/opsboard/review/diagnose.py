"""Diagnoses from operator practice: each rule reads the day's figures and, when it applies,
says what it saw (evidence) and what operators usually do about it (remedy).

Rules (DESIGN.md section 1): detail-page bounce above 75% (70% for non-standard
categories); main-image or ad CTR below 6%; conversion down while traffic held; ROI below
break-even unless marked as a strategic loss; budget used up before the evening peak;
spend on items with clicks but no orders. A rule whose figures are incomplete for the day,
or that needs a whole day when the day is not over, is not judged, and the review says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from opsboard import i18n
from opsboard.config.builtin_rules import (
    BOUNCE_LIMIT,
    CTR_TARGET,
    CTR_TARGET_PLATFORMS,
    bounces_too_much,
    clicks_too_little,
)
from opsboard.formatting import percent_change, shorten
from opsboard.i18n import N_, _, ngettext, pgettext
from opsboard.points import OTHER_TERMS
from opsboard.review.budget import budget_exhausted
from opsboard.review.facts import Facts, Row, cash, count, pct
from opsboard.review.model import Diagnosis, change

#: Below these volumes a rate is noise, not a finding.
MIN_SKU_VISITORS = 50.0
MIN_IMPRESSIONS = 500.0
MIN_CLICKS = 10.0
#: "Flat" traffic and a real conversion drop, as relative changes.
FLAT_TRAFFIC = 0.10
CONVERSION_DROP = -0.10
MAX_PER_RULE = 5
#: A search term needs this many clicks before its lack of orders says something.
MIN_TERM_CLICKS = 5.0
#: How many search terms with no orders a finding lists by name, and their width.
MAX_TERMS_LISTED = 8
TERM_WIDTH = 40
#: A better main image or creative plausibly wins up to 30% more clicks (what a good image
#: test gains); the gap to the target is often far larger, and counting all of it would
#: outrank money really lost.
PLAUSIBLE_CLICK_LIFT = 0.3
MAIN_IMAGE_REMEDY = N_(
    "Test a new main image: the product clear at thumbnail size, one selling point, a price "
    "or offer cue; compare with competitors on the search page."
)
CREATIVE_REMEDY = N_(
    "Refresh the creatives and titles; drop keywords and crowds with many impressions and "
    "few clicks."
)


def bounce(facts: Facts) -> list[Diagnosis]:
    """Items whose detail page loses visitors above the category's bounce limit."""
    limit = BOUNCE_LIMIT[facts.config.category]
    value = facts.visitor_value or 0.0
    found = []
    for sku, row in facts.skus.items():
        rate, uv = row.get("bounce_rate"), row.get("uv")
        if rate is None or uv is None or uv < MIN_SKU_VISITORS:
            continue
        if not bounces_too_much(rate, limit):
            continue
        evidence = [
            _("bounce rate {rate} on {visitors} visitors (limit {limit})").format(
                rate=pct(rate), visitors=count(uv), limit=f"{limit:.0%}"
            )
        ]
        before = facts.skus_before.get(sku, {}).get("bounce_rate")
        if before is not None:
            evidence.append(_("last week {rate}").format(rate=pct(before)))
        found.append(
            Diagnosis(
                code="detail_page_bounce",
                title=_("Detail-page bounce above {limit}").format(limit=f"{limit:.0%}"),
                subject=facts.label("SKU", sku),
                evidence=tuple(evidence),
                remedy=_(
                    "Rework the detail page: first screen, main selling points, price and "
                    "offer visibility, reviews and Q&A, load speed; check the traffic matches "
                    "the item (keywords, crowds)."
                ),
                impact=facts.sales_at_stake(uv * (rate - limit) * value),
                stake=facts.sales_basis,
            )
        )
    if all(row.get("bounce_rate") is None for row in facts.skus.values()):
        rate, uv = facts.total.get("bounce_rate"), facts.total.get("uv")
        if rate is not None and uv and bounces_too_much(rate, limit):
            found.append(
                Diagnosis(
                    code="detail_page_bounce",
                    title=_("Store bounce above {limit}").format(limit=f"{limit:.0%}"),
                    subject=pgettext("subject", "store"),
                    evidence=(
                        _("bounce rate {rate} on {visitors} visitors").format(
                            rate=pct(rate), visitors=count(uv)
                        ),
                    ),
                    remedy=_("Rework the detail pages of the most visited items first."),
                    impact=facts.sales_at_stake(uv * (rate - limit) * value),
                    stake=facts.sales_basis,
                )
            )
    return _top(found)


def _ctr_stake(facts: Facts, row: Row) -> float:
    """What moving towards the CTR target is plausibly worth on the day: the extra clicks
    (at most ``PLAUSIBLE_CLICK_LIFT`` of the clicks there were, or of 1% of impressions
    when there were hardly any), at the row's own sales per click, less their cost."""
    ctr, shown, clicks = row["ctr"], row["impressions"], row.get("clicks") or 0.0
    extra = min((CTR_TARGET - ctr) * shown, PLAUSIBLE_CLICK_LIFT * max(clicks, 0.01 * shown))
    ad_sales, spend = row.get("ad_gmv"), row.get("spend")
    if ad_sales is not None and clicks:
        per_click = ad_sales / clicks
    elif row.get("gmv") is not None and row.get("uv"):
        per_click = row["gmv"] / row["uv"]
    else:
        per_click = facts.visitor_value or 0.0
    stake = facts.sales_at_stake(extra * per_click)
    if facts.margin is not None and spend and clicks:
        stake = max(0.0, stake - extra * spend / clicks)
    return stake


def click_through(facts: Facts) -> list[Diagnosis]:
    """Items (main image) and search campaigns (creative) whose CTR is under the 6%
    target, on the platforms where that target holds (``CTR_TARGET_PLATFORMS``); display
    and affiliate campaigns are never held to it.

    When the items' impressions are ad impressions (they carry spend), the campaigns' are
    the same impressions counted again: the two become one finding, counted once.
    """
    if facts.config.platform not in CTR_TARGET_PLATFORMS:
        return []
    search = {k: r for k, r in facts.campaigns.items() if k not in facts.not_search_campaigns}
    scopes = [("SKU", facts.skus), ("campaign", search)]
    if not facts.skus and not facts.campaigns:
        scopes = [("store", {_("all ads"): facts.total})]
    found: dict[str, list[Diagnosis]] = {"SKU": [], "campaign": [], "store": []}
    overlap = False
    for kind, rows in scopes:
        for key, row in rows.items():
            ctr, shown = row.get("ctr"), row.get("impressions")
            if ctr is None or shown is None or shown < MIN_IMPRESSIONS:
                continue
            if not clicks_too_little(ctr, as_shown=True):
                continue
            item = kind == "SKU"
            overlap = overlap or (item and bool(row.get("spend")))
            found[kind].append(
                Diagnosis(
                    code="low_ctr",
                    title=(
                        _("Main-image CTR below {target}") if item else _("Ad CTR below {target}")
                    ).format(target=f"{CTR_TARGET:.0%}"),
                    subject=facts.label(kind, key) if kind != "store" else key,
                    evidence=(
                        _("CTR {ctr} on {impressions} impressions (target {target})").format(
                            ctr=pct(ctr), impressions=count(shown), target=f"{CTR_TARGET:.0%}"
                        ),
                    ),
                    remedy=_(MAIN_IMAGE_REMEDY) if item else _(CREATIVE_REMEDY),
                    impact=_ctr_stake(facts, row),
                    stake=_("margin on the extra clicks' sales, net of their cost")
                    if facts.margin is not None
                    else _("sales of the extra clicks (no margin set)"),
                )
            )
    items, campaigns = _top(found["SKU"]), _top(found["campaign"])
    if not (overlap and items and campaigns):
        return [*items, *campaigns, *found["store"]]
    on_items, on_campaigns = _merge(items), _merge(campaigns)
    return [
        Diagnosis(
            code="low_ctr",
            title=_("Main-image and ad CTR below {target}").format(target=f"{CTR_TARGET:.0%}"),
            subject=on_items.subject + _("; ") + on_campaigns.subject,
            evidence=(*_labelled(items, on_items), *_labelled(campaigns, on_campaigns)),
            # Chinese sentences follow each other without a space.
            remedy=_("{sentence} {next}").format(
                sentence=_(MAIN_IMAGE_REMEDY), next=_(CREATIVE_REMEDY)
            ),
            # The same impressions seen by item and by campaign: counted once.
            impact=max(on_items.impact, on_campaigns.impact),
            stake=on_items.stake,
        )
    ]


def conversion_drop(facts: Facts) -> list[Diagnosis]:
    """Conversion down while traffic held: the problem is on the page, not the traffic."""
    traffic = change(facts.total.get("uv"), facts.total_before.get("uv"))
    now, before = facts.total.get("conversion_rate"), facts.total_before.get("conversion_rate")
    drop = change(now, before)
    if now is None or before is None or traffic is None or drop is None:
        return []
    if abs(traffic) > FLAT_TRAFFIC or drop > CONVERSION_DROP:
        return []
    uv = facts.total.get("uv") or 0.0
    aov = facts.total.get("aov") or facts.total_before.get("aov") or 0.0
    evidence = [
        _("conversion {now} against {before} last week ({change})").format(
            now=pct(now), before=pct(before), change=percent_change(drop)
        ),
        _("visitors {now} against {before} ({change})").format(
            now=count(uv),
            before=count(facts.total_before.get("uv")),
            change=percent_change(traffic),
        ),
    ]
    losers = []
    for sku, row in facts.skus.items():
        old = facts.skus_before.get(sku, {}).get("conversion_rate")
        new, visitors = row.get("conversion_rate"), row.get("uv")
        if old is not None and new is not None and visitors and new < old:
            losers.append((visitors * (old - new), sku, old, new))
    for lost, sku, old, new in sorted(losers, reverse=True)[:3]:
        evidence.append(
            _("{product}: {before} -> {now} (about {lost} buyers lost)").format(
                product=facts.label("SKU", sku), before=pct(old), now=pct(new), lost=f"{lost:.0f}"
            )
        )
    return [
        Diagnosis(
            code="conversion_down",
            title=_("Conversion down while traffic held"),
            subject=pgettext("subject", "store"),
            evidence=tuple(evidence),
            remedy=_(
                "Check prices against competitors and your own offers, new bad reviews or "
                "ratings, stock-outs of popular variants, and recent detail-page changes."
            ),
            impact=facts.sales_at_stake(uv * (before - now) * aov),
            stake=facts.sales_basis,
        )
    ]


def roi(facts: Facts) -> list[Diagnosis]:
    """Campaigns below break-even ROI; marked strategic losses are shown, not flagged."""
    break_even = facts.config.break_even_roi
    spend = facts.total.get("spend")
    if break_even is None:
        if spend:
            facts.cannot_tell.append(
                _(
                    "ROI against break-even: no margin configured for this store "
                    "(set stores.margin in the config)"
                )
            )
        return []
    strategic = set(facts.config.strategic_loss_campaigns)
    all_ads = _("all ads")
    rows = facts.campaigns or ({all_ads: facts.total} if spend else {})
    found = []
    for key, row in rows.items():
        value, cost, sales = row.get("roi"), row.get("spend"), row.get("ad_gmv")
        if value is None or not cost or value >= break_even:
            continue
        evidence = (
            _("ROI {roi} on spend {spend} (break-even {break_even})").format(
                roi=f"{value:.2f}",
                spend=cash(cost, facts.config.currency),
                break_even=f"{break_even:.2f}",
            ),
            _("attributed sales {sales}").format(sales=cash(sales, facts.config.currency)),
        )
        subject = key if key == all_ads else facts.label("campaign", key)
        lost = facts.spent_in_vain(cost - (sales or 0.0) / break_even)
        marked = key in strategic
        found.append(
            Diagnosis(
                code="strategic_loss" if marked else "roi_below_break_even",
                title=_("Strategic loss (below break-even on purpose)")
                if marked
                else _("ROI below break-even"),
                subject=subject,
                evidence=evidence,
                remedy=_(
                    "Marked as a strategic loss: check it still buys what it is for "
                    "(new buyers, ranking, a launch) and that the loss stays within plan."
                )
                if marked
                else _(
                    "Lower bids on keywords below break-even, cut keywords and crowds with "
                    "spend and no orders, narrow crowd targeting, move budget to campaigns "
                    "above break-even."
                ),
                severity="info" if marked else "warning",
                impact=lost,
                stake=_("spend its sales' margin did not pay back"),
            )
        )
    return _top(found, limit=2 * MAX_PER_RULE)


def clicks_without_orders(facts: Facts) -> list[Diagnosis]:
    """Items that took clicks and spend and sold nothing through ads."""
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
                title=_("Ad spend with clicks but no orders"),
                subject=facts.label(kind, key),
                evidence=(
                    _("{clicks} clicks, spend {spend}, no ad orders").format(
                        clicks=count(clicks), spend=cash(cost, facts.config.currency)
                    ),
                ),
                remedy=_(
                    "Add negative keywords for the search terms that click without buying; "
                    "lower bids or pause the item's promotion until its page converts."
                ),
                impact=facts.spent_in_vain(cost),
                stake=_("spend with no orders"),
            )
        )
    return _top(found)


def terms_without_orders(facts: Facts) -> list[Diagnosis]:
    """Search terms that took clicks and spend and sold nothing: negative-keyword
    candidates, by money spent."""
    if facts.terms_days is None:
        return []
    wasted = []
    for term, row in facts.terms.items():
        cost, clicks = row.get("spend"), row.get("clicks")
        orders, sales = row.get("ad_orders"), row.get("ad_gmv")
        sold_nothing = orders == 0 or (orders is None and sales == 0)
        if term == OTHER_TERMS or not cost or not sold_nothing:
            continue
        if clicks is not None and clicks < MIN_TERM_CLICKS:
            continue
        wasted.append((float(cost), term, clicks))
    if not wasted:
        return []
    wasted.sort(key=lambda item: (-item[0], item[1]))
    first, last = facts.terms_days
    days = (last - first).days + 1
    period = f"{first}" if days == 1 else f"{first} .. {last}"
    total = sum(cost for cost, _term, _clicks in wasted)
    evidence = tuple(
        _("“{term}”: spend {spend}").format(
            term=shorten(term, TERM_WIDTH), spend=cash(cost, facts.config.currency)
        )
        + (_(", {clicks} clicks").format(clicks=count(clicks)) if clicks is not None else "")
        + _(", no orders")
        for cost, term, clicks in wasted[:MAX_TERMS_LISTED]
    )
    more = len(wasted) - MAX_TERMS_LISTED
    if more > 0:
        rest = cash(sum(c for c, _t, _k in wasted[MAX_TERMS_LISTED:]), facts.config.currency)
        evidence += (_("and {count} more, spend {spend}").format(count=more, spend=rest),)
    return [
        Diagnosis(
            code="terms_no_orders",
            title=_("Search terms with spend and no orders"),
            subject=ngettext(
                "{count} search term, spend {spend} ({period})",
                "{count} search terms, spend {spend} ({period})",
                len(wasted),
            ).format(count=len(wasted), spend=cash(total, facts.config.currency), period=period),
            evidence=evidence,
            remedy=_(
                "Add the terms that will never buy as negative keywords (exact match); "
                "lower bids on the others or move their budget to terms that sell."
            ),
            # Per day of the window, on the one scale of the reviewed day.
            impact=facts.spent_in_vain(total / days),
            stake=_("spend on search terms with no orders"),
        )
    ]


@dataclass(frozen=True)
class Rule:
    """A rule, the figures it reads, and whether it needs the whole day."""

    name: str
    check: Callable[[Facts], list[Diagnosis]]
    needs: tuple[str, ...]
    whole_day: bool


RULES = (
    Rule(N_("detail-page bounce"), bounce, ("bounces", "uv"), whole_day=False),
    Rule(N_("CTR"), click_through, ("impressions", "clicks"), whole_day=False),
    Rule(N_("conversion drop"), conversion_drop, ("uv", "buyers"), whole_day=True),
    Rule(N_("ROI against break-even"), roi, ("spend", "ad_gmv"), whole_day=True),
    Rule(N_("budget before the evening peak"), budget_exhausted, ("spend",), whole_day=True),
    Rule(N_("spend without orders"), clicks_without_orders, ("spend", "clicks"), whole_day=True),
    Rule(N_("search terms without orders"), terms_without_orders, ("spend",), whole_day=True),
)


def diagnose(facts: Facts) -> tuple[list[Diagnosis], list[str]]:
    """The review's diagnosis of a store's day: every rule over ``facts``; problems by money
    at stake (largest first), then the notes; and the rules that could not be judged, each
    with why.

    Findings of one kind on several subjects (three SKUs with a bounce problem) are merged
    into one diagnosis, so that each problem and its remedy is read once.
    """
    found: list[Diagnosis] = []
    skipped: dict[str, list[str]] = {}
    for rule in RULES:
        has_data = any(facts.total.get(m) is not None for m in rule.needs)
        incomplete = facts.incomplete(*rule.needs)
        if incomplete:
            reason = _("data incomplete for {metrics}").format(
                metrics=", ".join(sorted(incomplete))
            )
            skipped.setdefault(reason, []).append(_(rule.name))
        elif facts.unfinished and rule.whole_day:
            if has_data:  # a rule on figures the store does not have is not worth a line
                skipped.setdefault(_("the day is not over"), []).append(_(rule.name))
        else:
            found += rule.check(facts)
    groups: dict[tuple[str, str], list[Diagnosis]] = {}
    for diagnosis in found:
        groups.setdefault((diagnosis.code, diagnosis.title), []).append(diagnosis)
    merged = [_with_stake(_merge(group), facts) for group in groups.values()]
    ranked = sorted(merged, key=lambda d: (d.severity == "info", -d.impact))
    return ranked, [
        _("{rules} ({reason})").format(rules=_(", ").join(names), reason=reason)
        for reason, names in skipped.items()
    ]


def _with_stake(diagnosis: Diagnosis, facts: Facts) -> Diagnosis:
    """The diagnosis with its money at stake as a last line of evidence, and a note when
    it is judged on a day that is not over."""
    extra: list[str] = []
    if diagnosis.impact >= 0.005 and diagnosis.stake:
        extra.append(
            _("about {amount} {currency} at stake: {stake}").format(
                amount=cash(diagnosis.impact, facts.config.currency),
                currency="" if i18n.is_chinese() else facts.config.currency,
                stake=diagnosis.stake,
            )
        )
    if facts.unfinished:
        extra.append(_("so far: the day is not over"))
    return replace(diagnosis, evidence=(*diagnosis.evidence, *extra)) if extra else diagnosis


def _labelled(group: list[Diagnosis], merged: Diagnosis) -> tuple[str, ...]:
    """The evidence of ``merged`` (made of ``group``) with each line naming its subject."""
    if len(group) > 1:
        return merged.evidence  # merging already put each subject before its evidence
    return (merged.subject + _(": ") + _("; ").join(merged.evidence),)


def _merge(group: list[Diagnosis]) -> Diagnosis:
    """One diagnosis for several subjects: each subject's evidence on a line of its own."""
    if len(group) == 1:
        return group[0]
    group = sorted(group, key=lambda d: -d.impact)
    kinds = {d.subject.split(" ", 1)[0] for d in group}
    names = [d.subject.split(" ", 1)[-1] for d in group]
    subject = (
        _("{count} {kind}s: {names}").format(
            count=len(group), kind=kinds.pop(), names=_(", ").join(names)
        )
        if len(kinds) == 1
        else _(", ").join(d.subject for d in group)
    )
    first = group[0]
    return Diagnosis(
        code=first.code,
        title=first.title,
        subject=subject,
        evidence=tuple(d.subject + _(": ") + _("; ").join(d.evidence) for d in group),
        remedy=first.remedy,
        severity=first.severity,
        impact=sum(d.impact for d in group),
        stake=first.stake,
    )


def _top(found: list[Diagnosis], limit: int = MAX_PER_RULE) -> list[Diagnosis]:
    return sorted(found, key=lambda d: -d.impact)[:limit]

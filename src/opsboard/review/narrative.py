"""The review in a few sentences, to be read aloud: what moved, why, what needs doing first."""

from __future__ import annotations

from datetime import date

from opsboard import i18n
from opsboard.formatting import (
    direction,
    in_prose,
    money_in_full,
    month_day,
    percent_change,
    share,
    signed_in_prose,
)
from opsboard.formatting import weekday as weekday_of
from opsboard.glossary import channel_label
from opsboard.i18n import N_, _, ngettext
from opsboard.review.model import MetricMove, Move, Review

FACTOR_LABELS = {"traffic": N_("traffic"), "conversion": N_("conversion"), "aov": N_("AOV")}
#: What each factor's own change is a change of.
FACTOR_MEASURES = {"traffic": N_("visitors"), "conversion": N_("conversion"), "aov": N_("AOV")}


def factor_label(factor: str) -> str:
    """A factor of the GMV change as the reader's language names it: ``traffic`` / ``流量``."""
    return _(FACTOR_LABELS[factor])


def factor_measure(factor: str) -> str:
    """What a factor's own change is a change of: ``visitors`` / ``访客数``."""
    return _(FACTOR_MEASURES[factor])


def not_assessed_line(review: Review) -> str:
    """The sentence naming the diagnoses the day's data could not judge."""
    return _("Diagnoses not assessed: {rules}.").format(rules=_("; ").join(review.not_assessed))


def long_day(day: date) -> str:
    """``Wednesday 2026-06-17``; in Chinese ``2026年6月17日 周三``."""
    if i18n.is_chinese():
        return f"{day.year}年{month_day(day)} {weekday_of(day)}"
    return f"{day:%A} {day}"


def short_day(iso_day: str) -> str:
    """``Mon 2026-11-23`` from ``2026-11-23``; in Chinese ``11月23日 周一``."""
    try:
        day = date.fromisoformat(iso_day)
    except ValueError:
        return iso_day
    if i18n.is_chinese():
        return f"{month_day(day)} {weekday_of(day)}"
    return f"{day:%a} {iso_day}"


def short_subject(subject: str, limit: int = 60) -> str:
    """A subject short enough to say aloud: ``5 SKUs and 3 campaigns`` for a long list."""
    if len(subject) <= limit:
        return subject
    return _(" and ").join(part.split(_(": "), 1)[0] for part in subject.split(_("; ")))


def movement(move: MetricMove) -> str:
    """``down 30.0% vs last week, down 5.0% vs the 4-week median``, or why not compared."""
    if move.status == "missing":
        return _("not compared: data missing for the day, not a real fall")
    if move.status == "partial":
        return _("not compared: data incomplete for the day, not a real fall")
    if move.status == "so_far":
        return _("so far today; not compared with whole days")
    if move.value is None:
        return _("no data")
    parts = []
    if move.last_week_status != "ok":
        parts.append(_("last week incomplete"))
    if move.vs_last_week is not None:
        parts.append(_("{change} vs last week").format(change=direction(move.vs_last_week)))
    # A one-week median is last week's figure again; it adds nothing.
    if move.vs_median is not None and move.median_weeks > 1:
        parts.append(
            _("{change} vs the {weeks}-week median").format(
                change=direction(move.vs_median), weeks=move.median_weeks
            )
        )
    return _(", ").join(parts) or _("no history to compare with")


def _completeness(review: Review) -> list[str]:
    lines = []
    for note in review.completeness.notes:
        metrics = f" ({', '.join(note.metrics)})" if note.metrics else ""
        fields = {"source": note.source, "detail": note.detail, "metrics": metrics}
        if note.kind == "missing":
            lines.append(
                _(
                    "Data missing: {source} {detail}{metrics}; those figures are missing data, "
                    "not a collapse, and are not compared."
                ).format(**fields)
            )
        elif note.kind == "gap":
            lines.append(
                _(
                    "Data incomplete: {source} has {detail}{metrics}; figures from it are "
                    "partial and are not compared."
                ).format(**fields)
            )
        elif note.kind == "rejected":
            lines.append(_("A file was rejected ({source}): {detail}.").format(**fields))
        else:
            lines.append(_("Source {source} is {detail}.").format(**fields))
    for note in review.completeness.late_notes:
        lines.append(
            _("Arrived late: {source}: {detail}.").format(source=note.source, detail=note.detail)
        )
    for note in review.completeness.baseline_notes:
        lines.append(
            _(
                "Last week is incomplete: {source}: {detail} ({metrics}); changes on last "
                "week are not shown for those figures."
            ).format(source=note.source, detail=note.detail, metrics=", ".join(note.metrics))
        )
    return lines


def channel_line(review: Review) -> str | None:
    """``Visitors by channel: organic_search lost 242 (88% of all channel losses), ...``,
    when the day's visitors are whole and there are channel moves to tell."""
    uv = review.figure("uv")
    if not review.channels or uv is None or uv.status != "ok":
        return None
    return _channel_line(review.channels, review.platform)


def _channel_line(channels: tuple[Move, ...], platform: str = "") -> str | None:
    parts = []
    for losers in (True, False):
        side = [m for m in channels if (m.delta < 0 if losers else m.delta > 0)]
        if not side:
            continue
        lead = max(side, key=lambda m: abs(m.delta))
        of = ""
        if lead.share is not None and len(side) > 1:
            whole = _("all channel losses") if losers else _("all channel gains")
            of = _(" ({share} of {whole})").format(share=share(lead.share), whole=whole)
        name = channel_label(lead.key, platform=platform) if i18n.is_chinese() else lead.key
        said = (
            _("{channel} lost {count}{share}") if losers else _("{channel} gained {count}{share}")
        )
        parts.append(said.format(channel=name, count=in_prose(abs(lead.delta), "uv"), share=of))
    return _("Visitors by channel: {parts}.").format(parts=_(", ").join(parts)) if parts else None


def bridge_line(review: Review) -> str | None:
    """``GMV -5,036.07 CNY vs Mon 2026-11-23: AOV -7,545.31 (-3.1%), ... Mostly AOV.``"""
    bridge = review.bridge
    if bridge is None:
        return None
    effects = sorted(bridge.effects, key=lambda e: -abs(e.amount))
    money = review.currency if i18n.is_chinese() else ""
    parts = [
        f"{factor_label(e.factor)} {signed_in_prose(e.amount, 'gmv', money)}"
        + (
            _(" ({measure}{change})").format(
                measure=_("visitors ") if e.factor == "traffic" else "",
                change=percent_change(e.factor_change),
            )
            if e.factor_change is not None
            else ""
        )
        for e in effects
    ]
    weight = sum(abs(e.amount) for e in effects)
    lead = effects[0]
    mostly = ""
    if weight and abs(lead.amount) / weight >= 0.6:
        mostly = _(" Mostly {factor}.").format(factor=factor_label(lead.factor))
    return (
        _("GMV {change} {currency} vs {day}: {parts}.").format(
            change=signed_in_prose(bridge.total, "gmv", money),
            currency="" if money else review.currency,
            day=short_day(bridge.baseline),
            parts=_(", ").join(parts),
        )
        + mostly
    )


def _diagnosis_lines(review: Review) -> list[str]:
    lines = []
    problems = review.problems
    if problems:
        first = problems[0]
        lines.append(
            ngettext(
                "{count} problem to act on; the biggest: {title} ({subject}): {remedy}",
                "{count} problems to act on; the biggest: {title} ({subject}): {remedy}",
                len(problems),
            ).format(
                count=f"{len(problems):,}",
                title=first.title,
                subject=short_subject(first.subject),
                remedy=first.remedy,
            )
        )
    if review.not_assessed:
        lines.append(not_assessed_line(review))
        if not problems and review.day_has_data:
            lines.append(_("No rule of thumb that could be judged was broken."))
    elif not problems and review.day_has_data:
        lines.append(_("No rule of thumb was broken."))
    for note in (d for d in review.diagnoses if d.severity == "info"):
        lines.append(_("{title}: {subject}.").format(title=note.title, subject=note.subject))
    return lines


def summarise(review: Review) -> list[str]:
    """The sentences at the top of every rendering and of the chat summary."""
    lines = []
    day = long_day(review.day)
    if review.unfinished:
        lines.append(
            _("{day} is not over: figures so far, not compared with whole days.").format(day=day)
        )
    lines += _completeness(review)
    if not review.day_has_data and not review.completeness.missing_metrics:
        latest = (
            _("; the latest data is for {day}").format(day=review.latest_data)
            if review.latest_data
            else ""
        )
        lines.append(_("No data for {day}{latest}.").format(day=review.day, latest=latest))
    gmv = review.figure("gmv")
    if gmv is not None and gmv.value is not None:
        lines.append(
            _("GMV {amount} on {day}: {movement}.").format(
                amount=money_in_prose(gmv.value, review.currency), day=day, movement=movement(gmv)
            )
        )
    elif gmv is not None and gmv.status in ("missing", "partial"):
        lines.append(_("GMV: {movement}.").format(movement=movement(gmv)))
    lines += [line for line in (bridge_line(review), channel_line(review)) if line]
    losers = review.products.get("gmv_losers", ())
    if losers:
        money = review.currency if i18n.is_chinese() else ""
        named = _(", ").join(
            _("SKU {product} {change}").format(
                product=m.label, change=signed_in_prose(m.delta, "gmv", money)
            )
            for m in losers[:3]
        )
        lines.append(_("Biggest GMV losses by product: {products}.").format(products=named))
    lines += _diagnosis_lines(review)
    if review.alerts:
        still_open = sum(a.open for a in review.alerts)
        acked = sum(bool(a.acks) for a in review.alerts)
        lines.append(
            ngettext(
                "{count} alert fired; {open} still open, {acked} acknowledged.",
                "{count} alerts fired; {open} still open, {acked} acknowledged.",
                len(review.alerts),
            ).format(count=f"{len(review.alerts):,}", open=still_open, acked=acked)
        )
    return lines


def money_in_prose(value: float | None, currency: str) -> str:
    """Money in a sentence: ``1,234.50 CNY``; in Chinese ``¥1,234.50`` / ``¥29.9万``."""
    if i18n.is_chinese():
        return in_prose(value, "gmv", currency)
    return money_in_full(value, currency)

"""The sentences every form of the review shares: text, Markdown and HTML write a move,
an alert, a product or the data's completeness in the same words."""

from __future__ import annotations

from datetime import UTC, datetime

from opsboard import i18n
from opsboard.formatting import (
    MISSING_IN_PROSE,
    in_prose,
    percent_change,
    points,
    share,
    signed_in_prose,
)
from opsboard.glossary import channel_label, metric_label
from opsboard.i18n import N_, _
from opsboard.metrics import metric_kind
from opsboard.review.model import AlertOfDay, Diagnosis, MetricMove, Move, Review
from opsboard.review.narrative import long_day, short_day
from opsboard.timeutil import zone

PRODUCT_LISTS = (
    ("gmv_losers", N_("GMV losers")),
    ("gmv_gainers", N_("GMV gainers")),
    ("uv_losers", N_("Visitor losers")),
    ("uv_gainers", N_("Visitor gainers")),
)
#: What a product's share is a share of, by list.
SHARE_OF = {"losers": N_("all product losses"), "gainers": N_("all product gains")}
#: How a product is introduced in a list line.
SKU = N_("SKU")


def money_of(review: Review) -> str:
    """The currency figures carry in Chinese (``¥29.9万``); English names it in the header."""
    return review.currency if i18n.is_chinese() else ""


def value_text(move: MetricMove, value: float | None, currency: str = "") -> str:
    """A headline value as an operator reads it (counts whole, ROI with two decimals; in
    Chinese ``¥29.9万``)."""
    return in_prose(value, move.metric, currency)


def label_text(move: MetricMove, currency: str) -> str:
    """A headline label, with the currency for money figures: ``GMV (CNY)``; in Chinese
    the platforms' name (``支付金额``), the values carrying their ``¥``."""
    if i18n.is_chinese():
        return metric_label(move.metric)
    return f"{move.label} ({currency})" if metric_kind(move.metric) == "money" else move.label


def move_change(move: MetricMove, which: str) -> str:
    """The change column: a relative change (a rate's in percentage points, as the
    dashboard shows it), or why there is none."""
    if move.status == "missing":
        return _("missing")
    if move.status == "partial":
        return _("partial")
    if move.status == "so_far":
        return _("so far")
    if which == "last_week" and move.last_week_status != "ok":
        return _("base gap")
    if metric_kind(move.metric) == "rate":
        base = move.last_week if which == "last_week" else move.median
        return points(move.value, base, missing=MISSING_IN_PROSE)
    return percent_change(move.vs_last_week if which == "last_week" else move.vs_median)


def median_header(review: Review) -> str:
    """``4-wk median``: how many weeks the median column covers."""
    if review.median_weeks:
        return _("{weeks}-wk median").format(weeks=review.median_weeks)
    return _("median")


def comparison(review: Review) -> str:
    """What the day is compared with, as the line under the title says it."""
    last_week = short_day(review.baseline_day.isoformat())
    weeks = review.median_weeks
    if weeks >= 2:
        return _(
            "compared with {day} and the median of the same weekday over the {weeks} weeks before"
        ).format(day=last_week, weeks=weeks)
    if weeks == 1:
        return _("compared with {day}; no longer history for a median").format(day=last_week)
    return _("no data for {day} or the weeks before to compare with").format(day=last_week)


def local_time(text: str | None, timezone: str) -> str:
    """A stored ISO instant as ``06-17 11:00`` in the store's time zone (as is if unreadable)."""
    if not text:
        return ""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return text
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone(timezone)).strftime("%m-%d %H:%M")


def alert_line(alert: AlertOfDay, timezone: str) -> str:
    """``#12 warning gmv_drop (sku 1): text (fired 06-17 11:00; acknowledged by ann ...)``."""
    scope = f" ({alert.scope})" if alert.scope else ""
    acks = _("; ").join(
        _("acknowledged by {who} at {time}").format(who=a.by, time=local_time(a.at, timezone))
        + (_(": ") + a.note if a.note else "")
        for a in alert.acks
    )
    state = (
        _("still open")
        if alert.open
        else _("resolved {time}").format(time=local_time(alert.resolved_at, timezone))
    )
    return _("#{id} {severity} {rule}{scope}: {message} (fired {time}; {acks}{state})").format(
        id=alert.id,
        severity=severity_word(alert.severity),
        rule=alert.rule,
        scope=scope,
        message=alert.message,
        time=local_time(alert.fired_at, timezone),
        acks=acks + _("; ") if acks else "",
        state=state,
    )


_SEVERITIES = {"critical": N_("critical"), "warning": N_("warning"), "info": N_("info")}


def severity_word(severity: str) -> str:
    """``warning`` / ``警告``: an alert's severity as the reader's language says it."""
    return _(_SEVERITIES[severity]) if severity in _SEVERITIES else severity


def move_line(
    move: Move, metric: str, of: str = "", *, currency: str = "", platform: str = ""
) -> str:
    """``paid_search 4,000 -> 2,000 (-2,000, 100% of all channel losses)``.

    ``of`` names the whole the share is part of; by default, the channels' losses or gains
    (a channel then goes by its name on the store's ``platform``: 手淘搜索).
    """
    label = move.label
    if not of:
        label = channel_label(move.key, platform=platform) if i18n.is_chinese() else move.label
    whole = of or (_("all channel losses") if move.delta < 0 else _("all channel gains"))
    part = ""
    if move.share is not None and move.share >= 0.005:
        part = _(", {share} of {whole}").format(share=share(move.share), whole=whole)
    return _("{label} {before} -> {after} ({change}{share})").format(
        label=label,
        before=in_prose(move.before, metric, currency),
        after=in_prose(move.after, metric, currency),
        change=signed_in_prose(move.delta, metric, currency),
        share=part,
    )


def product_line(key: str, move: Move, currency: str = "") -> str:
    """A product move in the list ``key`` (``gmv_losers``...), with its share of that side."""
    metric, side = key.split("_")
    return move_line(move, metric, _(SHARE_OF[side]), currency=currency)


def diagnosis_lines(number_: int, diagnosis: Diagnosis) -> list[str]:
    """A numbered diagnosis with its evidence and remedy, as plain lines."""
    return [
        f"{number_}. {diagnosis.title}" + _(": ") + diagnosis.subject,
        *(f"   - {item}" for item in diagnosis.evidence),
        "   " + _("do: {remedy}").format(remedy=diagnosis.remedy),
    ]


def title(review: Review) -> str:
    """``Morning review: shop, Wednesday 2026-06-17``."""
    return _("Morning review: {store}, {day}").format(store=review.store, day=long_day(review.day))


def completeness_lines(review: Review) -> list[str]:
    """One line per source problem, or the all-clear (never for a day not over)."""
    health = review.completeness
    lines = []
    if health.unfinished:
        until = (
            _(" (data so far through {hour})").format(hour=health.data_until)
            if health.data_until
            else ""
        )
        gaps = "" if health.notes else _("; no gap in the hours so far")
        lines.append(
            _("the day is not over{until}: it cannot be complete yet{gaps}").format(
                until=until, gaps=gaps
            )
        )
    elif not review.day_has_data and health.complete:
        lines.append(_("no source delivered any data for the day"))
    elif health.complete:
        lines.append(_("every source delivered the whole day"))
    for note in (*health.notes, *health.late_notes, *health.baseline_notes, *health.later_notes):
        metrics = f" [{', '.join(note.metrics)}]" if note.metrics else ""
        colon = _(": ")
        lines.append(f"{note.source}{colon}{note_kind(note.kind)}{colon}{note.detail}{metrics}")
    return lines


_NOTE_KINDS = {
    "missing": N_("missing"),
    "gap": N_("gap"),
    "rejected": N_("rejected"),
    "health": N_("health"),
    "late": N_("late"),
    "now": N_("now"),
    "baseline_gap": N_("baseline gap"),
    "baseline_missing": N_("baseline missing"),
}


def note_kind(kind: str) -> str:
    """A completeness note's kind as words: ``gap`` / ``缺小时``."""
    return _(_NOTE_KINDS[kind]) if kind in _NOTE_KINDS else kind.replace("_", " ")


def not_assessed_line(review: Review) -> str:
    """``Not assessed: conversion, ROI: the day is not over``; empty when all were."""
    if not review.not_assessed:
        return ""
    return _("Not assessed: {rules}").format(rules=_("; ").join(review.not_assessed))


def no_findings(review: Review) -> str:
    """Why the diagnoses list is empty: nothing wrong, nothing judged, or nothing to look at."""
    if not review.day_has_data:
        return _("no data to assess")
    if review.not_assessed:
        return _("diagnoses not assessed: {rules}; no rule that could be judged was broken").format(
            rules=_("; ").join(review.not_assessed)
        )
    return _("no rule of thumb was broken")


# CommonMark lets any ASCII punctuation be escaped with a backslash. These are the ones that
# can start emphasis, code, a link or image, raw HTML, an entity, a strikethrough or a

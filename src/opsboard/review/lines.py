"""The sentences every form of the review shares: text, Markdown and HTML write a move,
an alert, a product or the data's completeness in the same words."""

from __future__ import annotations

from datetime import UTC, datetime

from opsboard.formatting import MISSING_IN_PROSE, number, percent_change, points, share, signed
from opsboard.metrics import metric_kind
from opsboard.review.model import AlertOfDay, Diagnosis, MetricMove, Move, Review
from opsboard.review.narrative import short_day
from opsboard.timeutil import zone

PRODUCT_LISTS = (
    ("gmv_losers", "GMV losers"),
    ("gmv_gainers", "GMV gainers"),
    ("uv_losers", "Visitor losers"),
    ("uv_gainers", "Visitor gainers"),
)
#: What a product's share is a share of, by list.
SHARE_OF = {"losers": "all product losses", "gainers": "all product gains"}


def value_text(move: MetricMove, value: float | None) -> str:
    """A headline value as an operator reads it (counts whole, ROI with two decimals)."""
    return number(value, move.metric)


def label_text(move: MetricMove, currency: str) -> str:
    """A headline label, with the currency for money figures: ``GMV (CNY)``."""
    return f"{move.label} ({currency})" if metric_kind(move.metric) == "money" else move.label


def move_change(move: MetricMove, which: str) -> str:
    """The change column: a relative change (a rate's in percentage points, as the
    dashboard shows it), or why there is none."""
    if move.status in ("missing", "partial"):
        return move.status
    if move.status == "so_far":
        return "so far"
    if which == "last_week" and move.last_week_status != "ok":
        return "base gap"
    if metric_kind(move.metric) == "rate":
        base = move.last_week if which == "last_week" else move.median
        return points(move.value, base, missing=MISSING_IN_PROSE)
    return percent_change(move.vs_last_week if which == "last_week" else move.vs_median)


def median_header(review: Review) -> str:
    """``4-wk median``: how many weeks the median column covers."""
    return f"{review.median_weeks}-wk median" if review.median_weeks else "median"


def comparison(review: Review) -> str:
    """What the day is compared with, as the line under the title says it."""
    last_week = short_day(review.baseline_day.isoformat())
    weeks = review.median_weeks
    if weeks >= 2:
        return (
            f"compared with {last_week} and the median of the same weekday over the {weeks} "
            "weeks before"
        )
    if weeks == 1:
        return f"compared with {last_week}; no longer history for a median"
    return f"no data for {last_week} or the weeks before to compare with"


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
    acks = "; ".join(
        f"acknowledged by {a.by} at {local_time(a.at, timezone)}"
        + (f": {a.note}" if a.note else "")
        for a in alert.acks
    )
    state = "still open" if alert.open else f"resolved {local_time(alert.resolved_at, timezone)}"
    return (
        f"#{alert.id} {alert.severity} {alert.rule}{scope}: {alert.message} "
        f"(fired {local_time(alert.fired_at, timezone)}; {acks + '; ' if acks else ''}{state})"
    )


def move_line(move: Move, metric: str, of: str = "") -> str:
    """``paid_search 4,000 -> 2,000 (-2,000, 100% of all channel losses)``.

    ``of`` names the whole the share is part of; by default, the channels' losses or gains.
    """
    whole = of or ("all channel losses" if move.delta < 0 else "all channel gains")
    part = ""
    if move.share is not None and move.share >= 0.005:
        part = f", {share(move.share)} of {whole}"
    return (
        f"{move.label} {number(move.before, metric)} -> {number(move.after, metric)} "
        f"({signed(move.delta, metric)}{part})"
    )


def product_line(key: str, move: Move) -> str:
    """A product move in the list ``key`` (``gmv_losers``...), with its share of that side."""
    metric, side = key.split("_")
    return move_line(move, metric, SHARE_OF[side])


def diagnosis_lines(number_: int, diagnosis: Diagnosis) -> list[str]:
    """A numbered diagnosis with its evidence and remedy, as plain lines."""
    return [
        f"{number_}. {diagnosis.title}: {diagnosis.subject}",
        *(f"   - {item}" for item in diagnosis.evidence),
        f"   do: {diagnosis.remedy}",
    ]


def title(review: Review) -> str:
    """``Morning review: shop, Wednesday 2026-06-17``."""
    return f"Morning review: {review.store}, {review.day.strftime('%A')} {review.day}"


def completeness_lines(review: Review) -> list[str]:
    """One line per source problem, or the all-clear (never for a day not over)."""
    health = review.completeness
    lines = []
    if health.unfinished:
        until = f" (data so far through {health.data_until})" if health.data_until else ""
        gaps = "" if health.notes else "; no gap in the hours so far"
        lines.append(f"the day is not over{until}: it cannot be complete yet{gaps}")
    elif not review.day_has_data and health.complete:
        lines.append("no source delivered any data for the day")
    elif health.complete:
        lines.append("every source delivered the whole day")
    for note in (*health.notes, *health.late_notes, *health.baseline_notes, *health.later_notes):
        metrics = f" [{', '.join(note.metrics)}]" if note.metrics else ""
        lines.append(f"{note.source}: {note.kind.replace('_', ' ')}: {note.detail}{metrics}")
    return lines


def not_assessed_line(review: Review) -> str:
    """``Not assessed: conversion, ROI: the day is not over``; empty when all were."""
    return f"Not assessed: {'; '.join(review.not_assessed)}" if review.not_assessed else ""


def no_findings(review: Review) -> str:
    """Why the diagnoses list is empty: nothing wrong, nothing judged, or nothing to look at."""
    if not review.day_has_data:
        return "no data to assess"
    if review.not_assessed:
        return (
            f"diagnoses not assessed: {'; '.join(review.not_assessed)}; no rule that could be "
            "judged was broken"
        )
    return "no rule of thumb was broken"


# CommonMark lets any ASCII punctuation be escaped with a backslash. These are the ones that
# can start emphasis, code, a link or image, raw HTML, an entity, a strikethrough or a

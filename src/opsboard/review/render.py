"""The review as terminal text, Markdown or JSON (HTML lives in ``review.html``, the JSON
shape in ``review.data``)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime

from opsboard.errors import UsageError
from opsboard.formatting import number, percent_change, share, signed
from opsboard.metrics import metric_kind
from opsboard.review.data import to_data
from opsboard.review.model import AlertOfDay, Diagnosis, MetricMove, Move, Review
from opsboard.review.narrative import FACTOR_LABELS, FACTOR_MEASURES, short_day
from opsboard.timeutil import zone

FORMATS = ("text", "markdown", "html", "json")
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
    """The change column: a relative change, or why there is none."""
    if move.status in ("missing", "partial"):
        return move.status
    if move.status == "so_far":
        return "so far"
    if which == "last_week" and move.last_week_status != "ok":
        return "base gap"
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
        f"{move.key} {number(move.before, metric)} -> {number(move.after, metric)} "
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


def to_text(review: Review) -> str:
    """The review for a terminal: plain text, 100 columns."""
    median = median_header(review)
    out = [
        title(review),
        f"({review.timezone}; {comparison(review)})",
        "",
        "Summary",
        *(_wrap(line, "  * ") for line in review.summary),
        "",
        f"  {'':<20}{'day':>14}{'last week':>14}{'change':>10}{median:>14}{'change':>10}",
    ]
    for move in review.headline:
        out.append(
            f"  {label_text(move, review.currency):<20}{value_text(move, move.value):>14}"
            f"{value_text(move, move.last_week):>14}{move_change(move, 'last_week'):>10}"
            f"{value_text(move, move.median):>14}{move_change(move, 'median'):>10}"
        )
    if review.bridge is not None:
        bridge = review.bridge
        out += [
            "",
            f"Why GMV moved (vs {short_day(bridge.baseline)}, {review.currency}, "
            f"{bridge.method} decomposition)",
            f"  {'factor':<12}{'effect':>14}  factor change",
        ]
        for effect in bridge.effects:
            factor = (
                f"  {FACTOR_MEASURES[effect.factor]} {percent_change(effect.factor_change)}"
                if effect.factor_change is not None
                else ""
            )
            out.append(
                f"  {FACTOR_LABELS[effect.factor]:<12}{signed(effect.amount, 'gmv'):>14}{factor}"
            )
        out.append(f"  {'total':<12}{signed(bridge.total, 'gmv'):>14}")
    if review.channels:
        out += ["", "Visitors by channel"]
        out += [f"  {move_line(m, 'uv')}" for m in review.channels]
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            out += ["", f"{label}"]
            out += [f"  SKU {product_line(key, m)}" for m in moves]
    out += ["", "Diagnoses"]
    if review.diagnoses:
        for n, diagnosis in enumerate(review.diagnoses, start=1):
            out += [_wrap(line, "  ") for line in diagnosis_lines(n, diagnosis)]
        if review.not_assessed:
            out.append(_wrap(not_assessed_line(review), "  "))
    else:
        out.append(_wrap(f"none: {no_findings(review)}", "  "))
    out += ["", "Alerts of the day"]
    out += [_wrap(alert_line(a, review.timezone), "  ") for a in review.alerts] or ["  none fired"]
    out += ["", "Data completeness"]
    out += [_wrap(line, "  ") for line in completeness_lines(review)]
    if review.cannot_tell:
        out += ["", "What this review cannot tell"]
        out += [_wrap(line, "  - ") for line in review.cannot_tell]
    return "\n".join(out)


_HANGING = {"- ": "  ", "do:": "    "}
_NUMBERED = re.compile(r"^\d+\. ")


def _hanging(line: str) -> str:
    numbered = _NUMBERED.match(line)
    return " " * numbered.end() if numbered else _HANGING.get(line[:3], _HANGING.get(line[:2], ""))


def _wrap(line: str, lead: str, width: int = 100) -> str:
    """``line`` wrapped to ``width`` with ``lead`` before it and its continuation indented."""
    indent = " " * (len(lead) + len(line) - len(line.lstrip()))
    return textwrap.fill(
        line.strip(),
        width=width,
        initial_indent=lead + " " * (len(indent) - len(lead)),
        subsequent_indent=indent + _hanging(line.lstrip()),
        break_on_hyphens=False,
    )


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
# table cell anywhere in a line. A linkifying renderer turns "x://", "shop.com" and
# "a@b" into links; escaping the ":" or "." that joins them keeps them text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<&|~@])")
_AUTOLINK = re.compile(r"(:)(?=//)|(?<=[A-Za-z0-9])(\.)(?=[A-Za-z])")


def _md(text: str) -> str:
    """Text from the review (and so from the data) as literal Markdown inside a line: no
    emphasis, link, image, HTML tag, entity or table cell can come from it, so that a
    product or campaign name is always read as text. Newlines become spaces."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _AUTOLINK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), escaped)


def to_markdown(review: Review) -> str:
    """The review as GitHub-flavoured Markdown; every text from the data is escaped."""
    out = [
        f"# {_md(title(review))}",
        "",
        f"*{_md(review.timezone)}; {_md(comparison(review))}.*",
        "",
        "## Summary",
        "",
        *(f"- {_md(line)}" for line in review.summary),
        "",
        "## Headline",
        "",
        f"| metric | day | last week | change | {median_header(review)} | change |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for move in review.headline:
        cells = (
            label_text(move, review.currency),
            value_text(move, move.value),
            value_text(move, move.last_week),
            move_change(move, "last_week"),
            value_text(move, move.median),
            move_change(move, "median"),
        )
        out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if review.bridge is not None:
        bridge = review.bridge
        out += [
            "",
            f"## Why GMV moved (vs {_md(short_day(bridge.baseline))}, {_md(review.currency)})",
            "",
            "| factor | effect | factor change |",
            "|---|--:|--:|",
        ]
        for effect in bridge.effects:
            out.append(
                f"| {FACTOR_LABELS[effect.factor]} | {_md(signed(effect.amount, 'gmv'))} | "
                f"{_md(percent_change(effect.factor_change))} |"
            )
        out.append(f"| **total** | **{_md(signed(bridge.total, 'gmv'))}** | |")
    if review.channels:
        out += ["", "## Visitors by channel", ""]
        out += [f"- {_md(move_line(m, 'uv'))}" for m in review.channels]
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            out += ["", f"## {label}", ""]
            out += [f"- SKU {_md(product_line(key, m))}" for m in moves]
    out += ["", "## Diagnoses", ""]
    if not review.diagnoses:
        out.append(f"None: {_md(no_findings(review))}.")
    for n, diagnosis in enumerate(review.diagnoses, start=1):
        out.append(f"{n}. **{_md(diagnosis.title)}**: {_md(diagnosis.subject)}")
        out += [f"   - {_md(item)}" for item in diagnosis.evidence]
        out.append(f"   - *Do:* {_md(diagnosis.remedy)}")
    if review.diagnoses and review.not_assessed:
        out += ["", _md(not_assessed_line(review))]
    out += ["", "## Alerts of the day", ""]
    out += [f"- {_md(alert_line(a, review.timezone))}" for a in review.alerts] or ["None fired."]
    out += ["", "## Data completeness", ""]
    out += [f"- {_md(line)}" for line in completeness_lines(review)]
    if review.cannot_tell:
        out += ["", "## What this review cannot tell", ""]
        out += [f"- {_md(line)}" for line in review.cannot_tell]
    return "\n".join(out) + "\n"


def render(review: Review, fmt: str) -> str:
    """One review as ``text``, ``markdown``, ``html`` or ``json``."""
    return render_many([review], fmt, single=True)


def render_many(reviews: Sequence[Review], fmt: str, *, single: bool = False) -> str:
    """Several reviews in one output: a JSON array, one HTML page, or texts one after another.

    ``single`` renders JSON as one object instead of an array of one.
    """
    if fmt == "json":
        data = [to_data(r) for r in reviews]
        return json.dumps(data[0] if single else data, ensure_ascii=False, indent=2)
    if fmt == "html":
        from opsboard.review.html import to_html

        return to_html(reviews)
    if fmt == "markdown":
        return "\n---\n\n".join(to_markdown(r) for r in reviews)
    if fmt == "text":
        return ("\n\n" + "=" * 100 + "\n\n").join(to_text(r) for r in reviews)
    raise UsageError(f"unknown review format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))

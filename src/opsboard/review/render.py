"""The review as terminal text, Markdown or JSON (HTML lives in ``review.html``)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from opsboard.errors import UsageError
from opsboard.output import format_value
from opsboard.review.model import AlertOfDay, Diagnosis, MetricMove, Move, Review, SourceNote
from opsboard.review.narrative import FACTOR_LABELS, FACTOR_MEASURES, percent_change, signed
from opsboard.timeutil import zone

FORMATS = ("text", "markdown", "html", "json")
PRODUCT_LISTS = (
    ("gmv_losers", "GMV losers"),
    ("gmv_gainers", "GMV gainers"),
    ("uv_losers", "Visitor losers"),
    ("uv_gainers", "Visitor gainers"),
)
#: What a product's share is a share of, by list.
SHARE_OF = {"losers": "all losses", "gainers": "all gains"}


def value_text(move: MetricMove, value: float | None) -> str:
    """A headline value as an operator reads it (ROI with two decimals)."""
    return format_value(value, move.metric)


def move_change(move: MetricMove, which: str) -> str:
    """The change column: a relative change, or why there is none."""
    if move.status in ("missing", "partial"):
        return move.status
    if which == "last_week" and move.last_week_status != "ok":
        return "base gap"
    return percent_change(move.vs_last_week if which == "last_week" else move.vs_median)


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


def move_line(move: Move, metric: str, of: str = "the change") -> str:
    """``paid_search 4,000 -> 2,000 (-2,000, 100% of the change)``."""
    share = ""
    if move.share is not None and abs(move.share) >= 0.005:
        share = f", {move.share:.0%} of {of}"
    return (
        f"{move.key} {format_value(move.before, metric)} -> {format_value(move.after, metric)} "
        f"({signed(move.delta, metric)}{share})"
    )


def product_line(key: str, move: Move) -> str:
    """A product move in the list ``key`` (``gmv_losers``...), with its share of that side."""
    metric, side = key.split("_")
    return move_line(move, metric, SHARE_OF[side])


def diagnosis_lines(number: int, diagnosis: Diagnosis) -> list[str]:
    """A numbered diagnosis with its evidence and remedy, as plain lines."""
    return [
        f"{number}. {diagnosis.title}: {diagnosis.subject}",
        *(f"   - {item}" for item in diagnosis.evidence),
        f"   do: {diagnosis.remedy}",
    ]


def title(review: Review) -> str:
    """``Morning review: shop, Wednesday 2026-06-17``."""
    return f"Morning review: {review.store}, {review.day.strftime('%A')} {review.day}"


def completeness_lines(review: Review) -> list[str]:
    """One line per source problem, or the all-clear."""
    health = review.completeness
    lines = []
    if not review.day_has_data and health.complete:
        lines.append("no source delivered any data for the day")
    elif health.complete:
        lines.append("every source delivered the whole day")
    for note in (*health.notes, *health.late_notes, *health.baseline_notes):
        metrics = f" [{', '.join(note.metrics)}]" if note.metrics else ""
        lines.append(f"{note.source}: {note.kind.replace('_', ' ')}: {note.detail}{metrics}")
    return lines


def to_text(review: Review) -> str:
    """The review for a terminal: plain text, 100 columns."""
    out = [
        title(review),
        f"({review.timezone}; compared with {review.baseline_day} and the median of the same "
        "weekday over the 4 weeks before)",
        "",
        "Summary",
        *(_wrap(line, "  * ") for line in review.summary),
        "",
        f"  {'':<15}{'day':>14}{'last week':>14}{'change':>10}{'median':>14}{'change':>10}",
    ]
    for move in review.headline:
        out.append(
            f"  {move.label:<15}{value_text(move, move.value):>14}"
            f"{value_text(move, move.last_week):>14}{move_change(move, 'last_week'):>10}"
            f"{value_text(move, move.median):>14}{move_change(move, 'median'):>10}"
        )
    if review.bridge is not None:
        bridge = review.bridge
        out += ["", f"Why GMV moved (on {bridge.baseline}, {bridge.method} decomposition)"]
        for effect in bridge.effects:
            factor = (
                f"  ({FACTOR_MEASURES[effect.factor]} {effect.factor_change:+.1%})"
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
        for number, diagnosis in enumerate(review.diagnoses, start=1):
            out += [_wrap(line, "  ") for line in diagnosis_lines(number, diagnosis)]
    else:
        out.append(f"  none: {no_findings(review)}")
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
    """Why the diagnoses list is empty: nothing wrong, or nothing to look at."""
    return "no rule of thumb was broken" if review.day_has_data else "no data to assess"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(review: Review) -> str:
    """The review as GitHub-flavoured Markdown."""
    out = [
        f"# {title(review)}",
        "",
        f"*{review.timezone}; compared with {review.baseline_day} and the median of the same "
        "weekday over the 4 weeks before.*",
        "",
        "## Summary",
        "",
        *(f"- {_cell(line)}" for line in review.summary),
        "",
        "## Headline",
        "",
        "| metric | day | last week | change | median | change |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for move in review.headline:
        out.append(
            f"| {move.label} | {value_text(move, move.value)} | "
            f"{value_text(move, move.last_week)} | {move_change(move, 'last_week')} | "
            f"{value_text(move, move.median)} | {move_change(move, 'median')} |"
        )
    if review.bridge is not None:
        bridge = review.bridge
        out += [
            "",
            f"## Why GMV moved (on {bridge.baseline})",
            "",
            "| factor | effect | factor change |",
            "|---|--:|--:|",
        ]
        for effect in bridge.effects:
            out.append(
                f"| {FACTOR_LABELS[effect.factor]} | {signed(effect.amount, 'gmv')} | "
                f"{percent_change(effect.factor_change)} |"
            )
        out.append(f"| **total** | **{signed(bridge.total, 'gmv')}** | |")
    if review.channels:
        out += ["", "## Visitors by channel", ""]
        out += [f"- {_cell(move_line(m, 'uv'))}" for m in review.channels]
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            out += ["", f"## {label}", ""]
            out += [f"- SKU {_cell(product_line(key, m))}" for m in moves]
    out += ["", "## Diagnoses", ""]
    if not review.diagnoses:
        out.append(f"None: {no_findings(review)}.")
    for number, diagnosis in enumerate(review.diagnoses, start=1):
        out.append(f"{number}. **{_cell(diagnosis.title)}**: {_cell(diagnosis.subject)}")
        out += [f"   - {_cell(item)}" for item in diagnosis.evidence]
        out.append(f"   - *Do:* {_cell(diagnosis.remedy)}")
    out += ["", "## Alerts of the day", ""]
    out += [f"- {_cell(alert_line(a, review.timezone))}" for a in review.alerts] or ["None fired."]
    out += ["", "## Data completeness", ""]
    out += [f"- {_cell(line)}" for line in completeness_lines(review)]
    if review.cannot_tell:
        out += ["", "## What this review cannot tell", ""]
        out += [f"- {_cell(line)}" for line in review.cannot_tell]
    return "\n".join(out) + "\n"


def to_data(review: Review) -> dict[str, Any]:
    """The review as JSON-ready data (dates as ISO text, computed changes included)."""
    return {
        "store": review.store,
        "day": review.day.isoformat(),
        "baseline_day": review.baseline_day.isoformat(),
        "timezone": review.timezone,
        "currency": review.currency,
        "generated_at": review.generated_at.isoformat(timespec="seconds"),
        "day_has_data": review.day_has_data,
        "latest_data": review.latest_data.isoformat() if review.latest_data else None,
        "summary": list(review.summary),
        "headline": [
            {
                "metric": m.metric,
                "label": m.label,
                "value": m.value,
                "last_week": m.last_week,
                "vs_last_week": m.vs_last_week,
                "median": m.median,
                "median_weeks": m.median_weeks,
                "vs_median": m.vs_median,
                "status": m.status,
                "last_week_status": m.last_week_status,
            }
            for m in review.headline
        ],
        "gmv_bridge": None
        if review.bridge is None
        else {
            "baseline": review.bridge.baseline,
            "before": review.bridge.before,
            "after": review.bridge.after,
            "change": review.bridge.total,
            "method": review.bridge.method,
            "effects": [
                {"factor": e.factor, "amount": e.amount, "factor_change": e.factor_change}
                for e in review.bridge.effects
            ],
        },
        "channels": [_move(m) for m in review.channels],
        "products": {k: [_move(m) for m in v] for k, v in review.products.items()},
        "diagnoses": [
            {
                "code": d.code,
                "title": d.title,
                "subject": d.subject,
                "evidence": list(d.evidence),
                "remedy": d.remedy,
                "severity": d.severity,
                "impact": round(d.impact, 2),
            }
            for d in review.diagnoses
        ],
        "alerts": [
            {
                "id": a.id,
                "rule": a.rule,
                "scope": a.scope,
                "severity": a.severity,
                "state": a.state,
                "open": a.open,
                "message": a.message,
                "fired_at": a.fired_at,
                "resolved_at": a.resolved_at,
                "acknowledgements": [{"by": k.by, "at": k.at, "note": k.note} for k in a.acks],
            }
            for a in review.alerts
        ],
        "completeness": {
            "complete": review.completeness.complete,
            "missing_metrics": list(review.completeness.missing_metrics),
            "partial_metrics": list(review.completeness.partial_metrics),
            "notes": [_note(n) for n in review.completeness.notes],
            "baseline_notes": [_note(n) for n in review.completeness.baseline_notes],
            "late_notes": [_note(n) for n in review.completeness.late_notes],
        },
        "cannot_tell": list(review.cannot_tell),
        "budget": review.budget,
        "hourly_spend": [
            {"hour": h.hour, "spend": h.spend, "cumulative": h.cumulative}
            for h in review.hourly_spend
        ],
    }


def _note(note: SourceNote) -> dict[str, Any]:
    return {
        "source": note.source,
        "kind": note.kind,
        "detail": note.detail,
        "metrics": list(note.metrics),
    }


def _move(move: Move) -> dict[str, Any]:
    return {
        "key": move.key,
        "metric": move.metric,
        "before": move.before,
        "after": move.after,
        "change": move.delta,
        "share_of_change": move.share,
    }


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

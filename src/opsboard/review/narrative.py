"""The review in a few sentences: what moved, why, and what needs doing first."""

from __future__ import annotations

from opsboard.output import format_value
from opsboard.review.model import MetricMove, Review

FACTOR_LABELS = {"traffic": "traffic", "conversion": "conversion", "aov": "AOV"}
#: What each factor's own change is a change of.
FACTOR_MEASURES = {"traffic": "visitors", "conversion": "conversion", "aov": "AOV"}


def signed(value: float, metric: str) -> str:
    """``+1,234.50`` / ``-12`` in the metric's format."""
    text = format_value(abs(value), metric)
    return ("-" if value < 0 else "+") + text


def percent_change(value: float | None) -> str:
    """``+12.3%``, or an em dash when unknown."""
    return "—" if value is None else f"{value:+.1%}"


def weekday(review: Review) -> str:
    """``Wednesday``: the reviewed day's weekday."""
    return review.day.strftime("%A")


def movement(move: MetricMove) -> str:
    """``down 30.0% on last week, -5.0% on the 4-week median`` or why it is not compared."""
    if move.status in ("missing", "partial"):
        return f"not compared: data {move.status} for the day, not a real fall"
    if move.value is None:
        return "no data"
    parts = []
    if move.last_week_status != "ok":
        parts.append("last week incomplete")
    if move.vs_last_week is not None:
        direction = "up" if move.vs_last_week > 0 else "down"
        if abs(move.vs_last_week) < 0.0005:
            parts.append("flat on last week")
        else:
            parts.append(f"{direction} {abs(move.vs_last_week):.1%} on last week")
    if move.vs_median is not None and move.median_weeks > 1:
        parts.append(f"{move.vs_median:+.1%} on the {move.median_weeks}-week median")
    return ", ".join(parts) or "no history to compare with"


def _completeness(review: Review) -> list[str]:
    lines = []
    for note in review.completeness.notes:
        metrics = f" ({', '.join(note.metrics)})" if note.metrics else ""
        if note.kind == "missing":
            lines.append(
                f"Data missing: {note.source} delivered nothing for the day{metrics}; those "
                "figures are missing data, not a collapse, and are not compared."
            )
        elif note.kind == "gap":
            lines.append(
                f"Data incomplete: {note.source} has {note.detail}{metrics}; figures from "
                "it are partial and are not compared."
            )
        elif note.kind == "rejected":
            lines.append(f"A file was rejected ({note.source}): {note.detail}.")
        else:
            lines.append(f"Source {note.source} is {note.detail}.")
    for note in review.completeness.late_notes:
        lines.append(f"Arrived late: {note.source}: {note.detail}.")
    for note in review.completeness.baseline_notes:
        lines.append(
            f"Last week is incomplete: {note.source}: {note.detail} ({', '.join(note.metrics)}); "
            "changes on last week are not shown for those figures."
        )
    return lines


def summarise(review: Review) -> list[str]:
    """The sentences at the top of every rendering and of the chat summary."""
    lines = _completeness(review)
    if not review.day_has_data and not review.completeness.missing_metrics:
        latest = f"; the latest data is for {review.latest_data}" if review.latest_data else ""
        lines.append(f"No data for {review.day}{latest}.")
    gmv = review.figure("gmv")
    if gmv is not None and gmv.value is not None:
        lines.append(
            f"GMV {format_value(gmv.value, 'gmv')} {review.currency} on {weekday(review)} "
            f"{review.day}: {movement(gmv)}."
        )
    elif gmv is not None and gmv.status in ("missing", "partial"):
        lines.append(f"GMV: {movement(gmv)}.")
    if review.bridge is not None:
        bridge = review.bridge
        effects = sorted(bridge.effects, key=lambda e: -abs(e.amount))
        parts = [
            f"{FACTOR_LABELS[e.factor]} {signed(e.amount, 'gmv')}"
            + (
                f" ({'visitors ' if e.factor == 'traffic' else ''}{e.factor_change:+.1%})"
                if e.factor_change is not None
                else ""
            )
            for e in effects
        ]
        weight = sum(abs(e.amount) for e in effects)
        lead = effects[0]
        mostly = ""
        if weight and abs(lead.amount) / weight >= 0.6:
            mostly = f" Mostly {FACTOR_LABELS[lead.factor]}."
        lines.append(
            f"GMV change {signed(bridge.total, 'gmv')} on {bridge.baseline}: "
            + ", ".join(parts)
            + "."
            + mostly
        )
    uv = review.figure("uv")
    if review.channels and uv is not None and uv.status == "ok":
        lead_channel = review.channels[0]
        if lead_channel.delta:
            verb = "lost" if lead_channel.delta < 0 else "gained"
            share = (
                f" ({lead_channel.share:.0%} of the channel change)"
                if lead_channel.share is not None
                else ""
            )
            lines.append(
                f"Visitors: {lead_channel.key} {verb} "
                f"{format_value(abs(lead_channel.delta), 'uv')}{share}."
            )
    losers = review.products.get("gmv_losers", ())
    if losers:
        named = ", ".join(f"SKU {m.key} {signed(m.delta, 'gmv')}" for m in losers[:3])
        lines.append(f"Biggest GMV losses by product: {named}.")
    problems = review.problems
    if problems:
        first = problems[0]
        lines.append(
            f"{len(problems)} problem(s) to act on; the biggest: {first.title} "
            f"({first.subject}): {first.remedy}"
        )
    elif review.day_has_data:
        lines.append("No rule of thumb was broken.")
    for note in (d for d in review.diagnoses if d.severity == "info"):
        lines.append(f"{note.title}: {note.subject}.")
    if review.alerts:
        still_open = sum(a.open for a in review.alerts)
        acked = sum(bool(a.acks) for a in review.alerts)
        lines.append(
            f"{len(review.alerts)} alert(s) fired; {still_open} still open, {acked} acknowledged."
        )
    return lines

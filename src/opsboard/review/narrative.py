"""The review in a few sentences, to be read aloud: what moved, why, what needs doing first."""

from __future__ import annotations

from datetime import date

from opsboard.formatting import direction, money_in_full, number, percent_change, share, signed
from opsboard.review.model import MetricMove, Move, Review

FACTOR_LABELS = {"traffic": "traffic", "conversion": "conversion", "aov": "AOV"}
#: What each factor's own change is a change of.
FACTOR_MEASURES = {"traffic": "visitors", "conversion": "conversion", "aov": "AOV"}


def not_assessed_line(review: Review) -> str:
    """The sentence naming the diagnoses the day's data could not judge."""
    return f"Diagnoses not assessed: {'; '.join(review.not_assessed)}."


def weekday(review: Review) -> str:
    """``Wednesday``: the reviewed day's weekday."""
    return review.day.strftime("%A")


def short_day(iso_day: str) -> str:
    """``Mon 2026-11-23`` from ``2026-11-23``."""
    try:
        return f"{date.fromisoformat(iso_day):%a} {iso_day}"
    except ValueError:
        return iso_day


def short_subject(subject: str, limit: int = 60) -> str:
    """A subject short enough to say aloud: ``5 SKUs and 3 campaigns`` for a long list."""
    if len(subject) <= limit:
        return subject
    return " and ".join(part.split(": ", 1)[0] for part in subject.split("; "))


def plural(n: int, word: str) -> str:
    """``1 problem`` / ``2 problems``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def movement(move: MetricMove) -> str:
    """``down 30.0% vs last week, down 5.0% vs the 4-week median``, or why not compared."""
    if move.status == "missing":
        return "not compared: data missing for the day, not a real fall"
    if move.status == "partial":
        return "not compared: data incomplete for the day, not a real fall"
    if move.status == "so_far":
        return "so far today; not compared with whole days"
    if move.value is None:
        return "no data"
    parts = []
    if move.last_week_status != "ok":
        parts.append("last week incomplete")
    if move.vs_last_week is not None:
        parts.append(f"{direction(move.vs_last_week)} vs last week")
    # A one-week median is last week's figure again; it adds nothing.
    if move.vs_median is not None and move.median_weeks > 1:
        parts.append(f"{direction(move.vs_median)} vs the {move.median_weeks}-week median")
    return ", ".join(parts) or "no history to compare with"


def _completeness(review: Review) -> list[str]:
    lines = []
    for note in review.completeness.notes:
        metrics = f" ({', '.join(note.metrics)})" if note.metrics else ""
        if note.kind == "missing":
            lines.append(
                f"Data missing: {note.source} {note.detail}{metrics}; those figures are "
                "missing data, not a collapse, and are not compared."
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


def channel_line(review: Review) -> str | None:
    """``Visitors by channel: organic_search lost 242 (88% of all channel losses), ...``,
    when the day's visitors are whole and there are channel moves to tell."""
    uv = review.figure("uv")
    if not review.channels or uv is None or uv.status != "ok":
        return None
    return _channel_line(review.channels)


def _channel_line(channels: tuple[Move, ...]) -> str | None:
    parts = []
    for losers in (True, False):
        side = [m for m in channels if (m.delta < 0 if losers else m.delta > 0)]
        if not side:
            continue
        lead = max(side, key=lambda m: abs(m.delta))
        verb = "lost" if losers else "gained"
        of = ""
        if lead.share is not None and len(side) > 1:
            of = f" ({share(lead.share)} of all channel {'losses' if losers else 'gains'})"
        parts.append(f"{lead.key} {verb} {number(abs(lead.delta), 'uv')}{of}")
    return f"Visitors by channel: {', '.join(parts)}." if parts else None


def bridge_line(review: Review) -> str | None:
    """``GMV -5,036.07 CNY vs Mon 2026-11-23: AOV -7,545.31 (-3.1%), ... Mostly AOV.``"""
    bridge = review.bridge
    if bridge is None:
        return None
    effects = sorted(bridge.effects, key=lambda e: -abs(e.amount))
    parts = [
        f"{FACTOR_LABELS[e.factor]} {signed(e.amount, 'gmv')}"
        + (
            f" ({'visitors ' if e.factor == 'traffic' else ''}{percent_change(e.factor_change)})"
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
    return (
        f"GMV {signed(bridge.total, 'gmv')} {review.currency} vs {short_day(bridge.baseline)}: "
        + ", ".join(parts)
        + "."
        + mostly
    )


def _diagnosis_lines(review: Review) -> list[str]:
    lines = []
    problems = review.problems
    if problems:
        first = problems[0]
        lines.append(
            f"{plural(len(problems), 'problem')} to act on; the biggest: {first.title} "
            f"({short_subject(first.subject)}): {first.remedy}"
        )
    if review.not_assessed:
        lines.append(not_assessed_line(review))
        if not problems and review.day_has_data:
            lines.append("No rule of thumb that could be judged was broken.")
    elif not problems and review.day_has_data:
        lines.append("No rule of thumb was broken.")
    for note in (d for d in review.diagnoses if d.severity == "info"):
        lines.append(f"{note.title}: {note.subject}.")
    return lines


def summarise(review: Review) -> list[str]:
    """The sentences at the top of every rendering and of the chat summary."""
    lines = []
    if review.unfinished:
        lines.append(
            f"{weekday(review)} {review.day} is not over: figures so far, not compared with "
            "whole days."
        )
    lines += _completeness(review)
    if not review.day_has_data and not review.completeness.missing_metrics:
        latest = f"; the latest data is for {review.latest_data}" if review.latest_data else ""
        lines.append(f"No data for {review.day}{latest}.")
    gmv = review.figure("gmv")
    if gmv is not None and gmv.value is not None:
        lines.append(
            f"GMV {money_in_full(gmv.value, review.currency)} on {weekday(review)} {review.day}: "
            f"{movement(gmv)}."
        )
    elif gmv is not None and gmv.status in ("missing", "partial"):
        lines.append(f"GMV: {movement(gmv)}.")
    lines += [line for line in (bridge_line(review), channel_line(review)) if line]
    losers = review.products.get("gmv_losers", ())
    if losers:
        named = ", ".join(f"SKU {m.label} {signed(m.delta, 'gmv')}" for m in losers[:3])
        lines.append(f"Biggest GMV losses by product: {named}.")
    lines += _diagnosis_lines(review)
    if review.alerts:
        still_open = sum(a.open for a in review.alerts)
        acked = sum(bool(a.acks) for a in review.alerts)
        lines.append(
            f"{plural(len(review.alerts), 'alert')} fired; {still_open} still open, "
            f"{acked} acknowledged."
        )
    return lines

"""The review as terminal text, Markdown or JSON (HTML lives in ``review.html``, the JSON
shape in ``review.data``, the sentences all of them share in ``review.lines``)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence

from opsboard.errors import UsageError
from opsboard.formatting import percent_change, signed
from opsboard.i18n import _
from opsboard.review.data import to_data
from opsboard.review.lines import (
    PRODUCT_LISTS,
    alert_line,
    comparison,
    completeness_lines,
    diagnosis_lines,
    label_text,
    median_header,
    move_change,
    move_line,
    no_findings,
    not_assessed_line,
    product_line,
    title,
    value_text,
)
from opsboard.review.model import Review
from opsboard.review.narrative import FACTOR_LABELS, FACTOR_MEASURES, short_day
from opsboard.text import inert_json, inert_lines

FORMATS = ("text", "markdown", "html", "json")


def to_text(review: Review) -> str:
    """The review for a terminal: plain text, 100 columns."""
    median = median_header(review)
    out = [
        title(review),
        f"({review.timezone}; {comparison(review)})",
        "",
        *(
            ["Against plan", *(_wrap(line, "  * ") for line in review.plan), ""]
            if review.plan
            else []
        ),
        *(
            [_("Contribution"), *(_wrap(line, "  * ") for line in review.contribution), ""]
            if review.contribution
            else []
        ),
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
        *(
            ["## Against plan", "", *(f"- {_md(line)}" for line in review.plan), ""]
            if review.plan
            else []
        ),
        *(
            [f"## {_('Contribution')}", "", *(f"- {_md(line)}" for line in review.contribution), ""]
            if review.contribution
            else []
        ),
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

    ``single`` renders JSON as one object instead of an array of one. Names and ids come
    from files and APIs: whatever the format, no control character of theirs reaches the
    output (they are shown escaped), so that printing or paging a review is safe.
    """
    if fmt == "json":
        return inert_json(_render(reviews, fmt, single=single))
    return inert_lines(_render(reviews, fmt, single=single))


def _render(reviews: Sequence[Review], fmt: str, *, single: bool) -> str:
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

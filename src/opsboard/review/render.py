"""The review as terminal text, Markdown or JSON (HTML lives in ``review.html``, the JSON
shape in ``review.data``, the sentences all of them share in ``review.lines``)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence

from opsboard.errors import UsageError
from opsboard.formatting import cells, pad, percent_change, signed_in_prose
from opsboard.i18n import N_, _
from opsboard.review.data import to_data
from opsboard.review.lines import (
    PRODUCT_LISTS,
    SKU,
    alert_line,
    comparison,
    completeness_lines,
    diagnosis_lines,
    label_text,
    median_header,
    money_of,
    move_change,
    move_line,
    no_findings,
    not_assessed_line,
    product_line,
    title,
    value_text,
)
from opsboard.review.model import Review
from opsboard.review.narrative import factor_label, factor_measure, short_day
from opsboard.text import inert_json, inert_lines

FORMATS = ("text", "markdown", "html", "json")


_METHODS = {"log": N_("log"), "shapley": N_("Shapley")}


def method_name(method: str) -> str:
    """The decomposition's name: ``log`` / ``对数``."""
    return _(_METHODS[method]) if method in _METHODS else method


def to_text(review: Review) -> str:
    """The review for a terminal: plain text, 100 columns (CJK characters count two)."""
    median = median_header(review)
    money = money_of(review)
    out = [
        title(review),
        _("({zone}; {comparison})").format(zone=review.timezone, comparison=comparison(review)),
        "",
        *(
            [_("Against plan"), *(_wrap(line, "  * ") for line in review.plan), ""]
            if review.plan
            else []
        ),
        *(
            [_("Contribution"), *(_wrap(line, "  * ") for line in review.contribution), ""]
            if review.contribution
            else []
        ),
        _("Summary"),
        *(_wrap(line, "  * ") for line in review.summary),
        "",
        "  "
        + pad("", 20, right=False)
        + "".join(
            pad(head, width)
            for head, width in (
                (_("day"), 14),
                (_("last week"), 14),
                (_("change"), 10),
                (median, 14),
                (_("change"), 10),
            )
        ),
    ]
    for move in review.headline:
        out.append(
            "  "
            + pad(label_text(move, review.currency), 20, right=False)
            + pad(value_text(move, move.value, money), 14)
            + pad(value_text(move, move.last_week, money), 14)
            + pad(move_change(move, "last_week"), 10)
            + pad(value_text(move, move.median, money), 14)
            + pad(move_change(move, "median"), 10)
        )
    if review.bridge is not None:
        bridge = review.bridge
        out += [
            "",
            _("Why GMV moved (vs {day}, {currency}, {method} decomposition)").format(
                day=short_day(bridge.baseline),
                currency=review.currency,
                method=method_name(bridge.method),
            ),
            "  "
            + pad(_("factor"), 12, right=False)
            + pad(_("effect"), 14)
            + "  "
            + _("factor change"),
        ]
        for effect in bridge.effects:
            factor = (
                f"  {factor_measure(effect.factor)} {percent_change(effect.factor_change)}"
                if effect.factor_change is not None
                else ""
            )
            out.append(
                "  "
                + pad(factor_label(effect.factor), 12, right=False)
                + pad(signed_in_prose(effect.amount, "gmv", money), 14)
                + factor
            )
        out.append(
            "  "
            + pad(_("total"), 12, right=False)
            + pad(signed_in_prose(bridge.total, "gmv", money), 14)
        )
    if review.channels:
        out += ["", _("Visitors by channel")]
        out += [f"  {move_line(m, 'uv', platform=review.platform)}" for m in review.channels]
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            out += ["", _(label)]
            sku = _(SKU)
            out += [f"  {sku} {product_line(key, m, money)}" for m in moves]
    out += ["", _("Diagnoses")]
    if review.diagnoses:
        for n, diagnosis in enumerate(review.diagnoses, start=1):
            out += [_wrap(line, "  ") for line in diagnosis_lines(n, diagnosis)]
        if review.not_assessed:
            out.append(_wrap(not_assessed_line(review), "  "))
    else:
        out.append(_wrap(_("none: {why}").format(why=no_findings(review)), "  "))
    out += ["", _("Alerts of the day")]
    out += [_wrap(alert_line(a, review.timezone), "  ") for a in review.alerts] or [
        "  " + _("none fired")
    ]
    out += ["", _("Data completeness")]
    out += [_wrap(line, "  ") for line in completeness_lines(review)]
    if review.cannot_tell:
        out += ["", _("What this review cannot tell")]
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
    if cells(line) != len(line):
        return _wrap_wide(
            line.strip(),
            lead + " " * (len(indent) - len(lead)),
            indent + _hanging(line.lstrip()),
            width,
        )
    return textwrap.fill(
        line.strip(),
        width=width,
        initial_indent=lead + " " * (len(indent) - len(lead)),
        subsequent_indent=indent + _hanging(line.lstrip()),
        break_on_hyphens=False,
    )


# A word of Latin letters or digits stays whole; a CJK character may end a line anywhere.
_TOKENS = re.compile(r"\s+|[^\s\u2e80-\uffff]+|.")
#: Closing punctuation never starts a line (the Chinese typesetting rule).
_NO_LINE_START = frozenset("，。；：）、！？”》")


def _wrap_wide(text: str, first: str, then: str, width: int) -> str:
    """``text`` wrapped to ``width`` terminal cells (a CJK character takes two), after
    ``first`` on its first line and ``then`` on the others."""
    lines: list[str] = []
    line, used, spaced, empty = first, cells(first), False, True
    for token in _TOKENS.findall(text):
        if token.isspace():
            spaced = True
            continue
        gap = 1 if spaced and not empty else 0
        size = cells(token)
        if not empty and used + gap + size > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used, gap = then, cells(then), 0
        line += " " * gap + token
        used += gap + size
        spaced, empty = False, False
    lines.append(line)
    return "\n".join(lines)


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
    money = money_of(review)
    out = [
        f"# {_md(title(review))}",
        "",
        "*"
        + _("{zone}; {comparison}.").format(
            zone=_md(review.timezone), comparison=_md(comparison(review))
        )
        + "*",
        "",
        *(
            ["## " + _("Against plan"), "", *(f"- {_md(line)}" for line in review.plan), ""]
            if review.plan
            else []
        ),
        *(
            ["## " + _("Contribution"), "", *(f"- {_md(line)}" for line in review.contribution), ""]
            if review.contribution
            else []
        ),
        "## " + _("Summary"),
        "",
        *(f"- {_md(line)}" for line in review.summary),
        "",
        "## " + _("Headline"),
        "",
        "| "
        + " | ".join(
            (_("metric"), _("day"), _("last week"), _("change"), median_header(review), _("change"))
        )
        + " |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for move in review.headline:
        row = (
            label_text(move, review.currency),
            value_text(move, move.value, money),
            value_text(move, move.last_week, money),
            move_change(move, "last_week"),
            value_text(move, move.median, money),
            move_change(move, "median"),
        )
        out.append("| " + " | ".join(_md(c) for c in row) + " |")
    if review.bridge is not None:
        bridge = review.bridge
        out += [
            "",
            "## "
            + _("Why GMV moved (vs {day}, {currency})").format(
                day=_md(short_day(bridge.baseline)), currency=_md(review.currency)
            ),
            "",
            "| " + " | ".join((_("factor"), _("effect"), _("factor change"))) + " |",
            "|---|--:|--:|",
        ]
        for effect in bridge.effects:
            out.append(
                f"| {factor_label(effect.factor)} | "
                f"{_md(signed_in_prose(effect.amount, 'gmv', money))} | "
                f"{_md(percent_change(effect.factor_change))} |"
            )
        out.append(
            "| **" + _("total") + f"** | **{_md(signed_in_prose(bridge.total, 'gmv', money))}** | |"
        )
    if review.channels:
        out += ["", "## " + _("Visitors by channel"), ""]
        out += [f"- {_md(move_line(m, 'uv', platform=review.platform))}" for m in review.channels]
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            sku = _(SKU)
            out += ["", "## " + _(label), ""]
            out += [f"- {sku} {_md(product_line(key, m, money))}" for m in moves]
    out += ["", "## " + _("Diagnoses"), ""]
    if not review.diagnoses:
        out.append(_("None: {why}.").format(why=_md(no_findings(review))))
    colon, do = _(": "), _("Do:")
    for n, diagnosis in enumerate(review.diagnoses, start=1):
        out.append(f"{n}. **{_md(diagnosis.title)}**{colon}{_md(diagnosis.subject)}")
        out += [f"   - {_md(item)}" for item in diagnosis.evidence]
        out.append(f"   - *{do}* {_md(diagnosis.remedy)}")
    if review.diagnoses and review.not_assessed:
        out += ["", _md(not_assessed_line(review))]
    out += ["", "## " + _("Alerts of the day"), ""]
    out += [f"- {_md(alert_line(a, review.timezone))}" for a in review.alerts] or [_("None fired.")]
    out += ["", "## " + _("Data completeness"), ""]
    out += [f"- {_md(line)}" for line in completeness_lines(review)]
    if review.cannot_tell:
        out += ["", "## " + _("What this review cannot tell"), ""]
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
    raise UsageError(
        _("unknown review format {format!r}").format(format=fmt),
        hint=_("use one of: {choices}").format(choices=", ".join(FORMATS)),
    )

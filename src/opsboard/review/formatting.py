"""How the review writes numbers and data-derived text.

Counts (visitors, buyers, clicks) are whole numbers even when a platform restates them as
fractions or a median falls between two days; money has two decimals; nothing is ever
shown as a negative zero. Markdown escaping lives here too, so that a product or campaign
name from the data is always read as text, never as formatting or HTML.
"""

from __future__ import annotations

import re

from opsboard.metrics import metric_kind

#: Shown where a figure is not known.
UNKNOWN = "—"


def _no_negative_zero(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals``, with -0.0 turned into 0.0."""
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 else rounded


def number(value: float | None, metric: str) -> str:
    """``12,345`` / ``1,234.50`` / ``3.26%`` / ``4.22`` as the metric is read."""
    if value is None:
        return UNKNOWN
    kind = metric_kind(metric)
    if kind == "count":
        return f"{_no_negative_zero(value, 0):,.0f}"
    if kind == "rate":
        return f"{_no_negative_zero(value * 100, 2):.2f}%"
    return f"{_no_negative_zero(value, 2):,.2f}"


def money(value: float | None, currency: str = "") -> str:
    """``1,234.50`` or ``1,234.50 CNY``."""
    text = number(value, "gmv")
    return f"{text} {currency}" if currency and value is not None else text


def signed(value: float, metric: str) -> str:
    """``+1,234.50`` / ``-12``; a change that rounds to nothing has no sign."""
    text = number(abs(value), metric)
    if number(value, metric) == number(0.0, metric):
        return text
    return ("-" if value < 0 else "+") + text


def percent_change(value: float | None) -> str:
    """``+12.3%``, ``0.0%`` for a change that rounds to nothing, an em dash when unknown."""
    if value is None:
        return UNKNOWN
    shown = _no_negative_zero(value * 100, 1)
    return "0.0%" if shown == 0 else f"{shown:+.1f}%"


def direction(value: float, *, flat: float = 0.0005) -> str:
    """``up 2.1%`` / ``down 7.0%`` / ``flat``: a relative change read aloud."""
    if abs(value) < flat:
        return "flat"
    return f"{'up' if value > 0 else 'down'} {abs(value):.1%}"


def share(value: float) -> str:
    """A share of a whole as ``37%`` (never negative, never above 100%)."""
    return f"{min(max(value, 0.0), 1.0):.0%}"


# CommonMark lets any ASCII punctuation be escaped with a backslash. These are the ones that
# can start emphasis, code, a link or image, raw HTML, an entity, a strikethrough or a
# table cell anywhere in a line. A linkifying renderer turns "x://", "shop.com" and
# "a@b" into links; escaping the ":" or "." that joins them keeps them text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<&|~@])")
_AUTOLINK = re.compile(r"(:)(?=//)|(?<=[A-Za-z0-9])(\.)(?=[A-Za-z])")


def markdown_text(text: str) -> str:
    """``text`` escaped so that Markdown shows it literally inside a line: no emphasis,
    link, image, HTML tag, entity or table cell can come from it. Newlines become spaces.
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _AUTOLINK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), escaped)

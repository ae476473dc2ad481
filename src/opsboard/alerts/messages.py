"""How alert messages read: figures precise enough to tell apart, templates filled in safely,
and the words of a resolution.

A rule's template is the operator's text, checked by `config check` but still filled in here
defensively: a template that cannot be filled (a format spec that does not fit, an attribute
or index lookup) falls back to the kind's default message with one warning per rule, so one
broken rule never silences the others.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from typing import Any

from opsboard.config.builtin_rules import DEFAULT_MESSAGES, DEFAULT_RESOLVED
from opsboard.config.rules import RuleConfig
from opsboard.metrics import metric_kind

log = logging.getLogger(__name__)

#: How many decimals beyond a style's own a figure may gain to differ from its threshold.
EXTRA_DECIMALS = 3
# (rule, template) pairs already warned about: a broken template is reported once.
_warned: set[tuple[str, str]] = set()


class Figure:
    """A number with the text an operator reads: ``{value}`` gives the text, a format spec
    (``{value:.0f}``, ``{value:.1%}``) formats the number itself."""

    __slots__ = ("number", "text")

    def __init__(self, number: float | None, text: str) -> None:
        self.number = number
        self.text = text

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.text
        if self.number is None:
            return format(self.text, spec)
        return format(self.number, spec)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)


def style_of(metric: str | None) -> str:
    """How a metric's figures are written: ``rate`` (3.2%), ``count`` (1,234) or ``ratio``."""
    if not metric:
        return "ratio"
    kind = metric_kind(metric)
    return kind if kind in ("rate", "count") else "ratio"


_DECIMALS = {"rate": 1, "count": 0, "ratio": 2, "change": 0}


def _written(value: float, style: str, decimals: int) -> str:
    if style == "rate":
        return f"{value * 100:.{decimals}f}%"
    if style == "change":
        return f"{value * 100:+.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def _rounded(value: float, style: str, decimals: int) -> float:
    return round(value * 100 if style in ("rate", "change") else value, decimals)


def figure(value: float | None, style: str, *apart_from: float | None) -> str:
    """``value`` written in ``style``, with just enough extra decimals (up to
    ``EXTRA_DECIMALS``) that it does not read the same as any of ``apart_from`` that differs
    from it: a CTR of 5.97% against a 6.0% target, not 6.0% against 6.0%."""
    if value is None:
        return "—"
    base = _DECIMALS.get(style, 2)
    others = [o for o in apart_from if o is not None and o != value]
    decimals = base
    while decimals < base + EXTRA_DECIMALS and any(
        _rounded(value, style, decimals) == _rounded(o, style, decimals) for o in others
    ):
        decimals += 1
    return _written(value, style, decimals)


def show(value: float | None, metric: str | None) -> str:
    """A figure as an operator reads it in a message (a threshold, a spend)."""
    return figure(value, style_of(metric))


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


# Templates already checked to name fields only (no attribute access, no indexing).
_plain: set[str] = set()


def _check_plain(template: str) -> None:
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name is not None and ("." in name or "[" in name):
            raise ValueError(f"{{{name}}}: attribute access and indexing are not allowed")


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """``template`` filled in from ``fields`` (unknown fields read "—"); raises ``ValueError``
    (or ``TypeError``) when the template cannot be filled."""
    if template not in _plain:
        _check_plain(template)
        _plain.add(template)
    return template.format_map(_Fields(fields))


def render(rule: RuleConfig, fields: Mapping[str, Any], *, resolved: bool = False) -> str:
    """The rule's message (or its resolution) for ``fields``; a template that cannot be
    filled falls back to the kind's default, with a warning logged once per rule."""
    default = (DEFAULT_RESOLVED if resolved else DEFAULT_MESSAGES)[rule.kind]
    own: str | None = getattr(rule, "resolved_message", None) if resolved else rule.message
    if own:
        try:
            return fill(own, fields)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            if (rule.name, own) not in _warned:
                _warned.add((rule.name, own))
                which = "resolved_message" if resolved else "message"
                log.warning(
                    "rule %s: its %s template cannot be filled in (%s); using the default "
                    "wording until it is fixed",
                    rule.name,
                    which,
                    exc,
                )
    return fill(default, fields)

"""How alert messages read: templates filled in safely and the words of a resolution (the
figures in them are written by ``opsboard.formatting``: ``precise``, ``show``, ``ShownValue``).

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

from opsboard import i18n
from opsboard.config.builtin_rules import DEFAULT_MESSAGES, DEFAULT_RESOLVED
from opsboard.config.rules import RuleConfig
from opsboard.formatting import MISSING_IN_PROSE
from opsboard.glossary import health_label, metric_label
from opsboard.i18n import _

log = logging.getLogger(__name__)

# (rule, template) pairs already warned about: a broken template is reported once.
_warned: set[tuple[str, str]] = set()


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return MISSING_IN_PROSE


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


def in_language(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """``fields`` as a message in the current language shows them: in Chinese the metric
    and a source's state in the platforms' words (``访客数``, ``被限流``). Only the text
    changes; the stored fields keep their keys and values."""
    if not i18n.is_chinese():
        return fields
    shown = dict(fields)
    if isinstance(shown.get("metric"), str) and shown["metric"]:
        shown["metric"] = metric_label(shown["metric"])
    if isinstance(shown.get("state"), str):
        shown["state"] = health_label(shown["state"])
    return shown


def render(rule: RuleConfig, fields: Mapping[str, Any], *, resolved: bool = False) -> str:
    """The rule's message (or its resolution) for ``fields``; a template that cannot be
    filled falls back to the kind's default, with a warning logged once per rule.

    The built-in templates are said in the current language; an operator's own template
    is not in the catalog and stays in the language it was written in."""
    fields = in_language(fields)
    kind = "plan_used" if rule.kind == "plan" and rule.measure == "used" else rule.kind
    default = _((DEFAULT_RESOLVED if resolved else DEFAULT_MESSAGES)[kind])
    own: str | None = getattr(rule, "resolved_message", None) if resolved else rule.message
    if own:
        own = _(own)
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

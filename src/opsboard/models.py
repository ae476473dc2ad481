"""Frozen value types shared by the core, the adapters and the front ends."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from opsboard.i18n import _


class Grain(enum.StrEnum):
    """The length of the period a point covers."""

    HOUR = "hour"
    DAY = "day"


#: Traffic and ad channels a point may belong to; ``""`` means all channels.
CHANNELS: tuple[str, ...] = (
    "organic_search",
    "recommendation",
    "paid_search",
    "display",
    "affiliate",
    "campaign",
    "content",
    "direct",
    "other",
)


#: A store name: a letter or digit (any script, so 天猫旗舰店 is fine), then letters, digits
#: and ``- _ .``, at most 64 characters. No spaces, slashes or punctuation that would need
#: quoting in a shell, a file name or a chat message.
STORE_NAME_PATTERN = r"^[^\W_][\w.-]{0,63}$"
_STORE_NAME = re.compile(STORE_NAME_PATTERN)


def store_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a store name, or None when it can.

    Every way a store name enters (config, ``--store``, a file's store column, a folder
    name) is checked with this, so that a name stored once can always be used again.
    """
    if _STORE_NAME.fullmatch(name):
        return None
    if not name:
        return _("the store name is empty")
    if len(name) > 64:
        return _("store name {name!r}... is longer than 64 characters").format(name=name[:20])
    return _(
        "store name {name!r} is not allowed: use letters (any script), digits and - _ . "
        "and start with a letter or digit, e.g. tmall-flagship or 天猫旗舰店"
    ).format(name=name)


class MetricPoint(NamedTuple):
    """One number for one period and one scope (DESIGN.md section 3).

    ``ts`` is the start of the period as an aware UTC datetime; for day grain it is the
    store's local midnight. Empty ``channel``/``campaign``/``sku`` mean "all".
    A NamedTuple keeps the hot ingest path cheap.
    """

    store: str
    ts: datetime
    grain: str
    metric: str
    value: float
    channel: str = ""
    campaign: str = ""
    sku: str = ""


class HealthState(enum.StrEnum):
    """How a data source is doing, as shown in the status bar and alerted on."""

    OK = "ok"
    SLOW = "slow"
    STALE = "stale"
    RATE_LIMITED = "rate_limited"
    FAILING = "failing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """The latest health report of one source (an adapter instance) for one store.

    ``store`` is ``""`` when the report concerns the whole source. ``since`` is when the
    source entered ``state``; ``last_ok`` when it last delivered data.
    """

    source: str
    state: HealthState
    since: datetime
    store: str = ""
    reason: str = ""
    last_ok: datetime | None = None
    detail: dict[str, object] = field(default_factory=dict)


class AlertState(enum.StrEnum):
    """Where an alert stands. An alert goes pending -> firing -> resolved (a pending alert
    that clears before its ``for`` is dropped); a strategic loss is a campaign run below
    break-even on purpose: shown, never sent."""

    PENDING = "pending"
    FIRING = "firing"
    STRATEGIC = "strategic"
    RESOLVED = "resolved"


#: States of an alert that is still open (not resolved).
OPEN_STATES: tuple[AlertState, ...] = (AlertState.PENDING, AlertState.FIRING, AlertState.STRATEGIC)
#: The order alerts are listed in by state: firing first, resolved last.
_LISTING_ORDER = (AlertState.FIRING, AlertState.PENDING, AlertState.STRATEGIC, AlertState.RESOLVED)
STATE_RANK: dict[str, int] = {state: rank for rank, state in enumerate(_LISTING_ORDER)}


class Severity(enum.StrEnum):
    """How bad an alert is; the config's ``severity`` and ``min_severity`` are these names."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


#: Severities in increasing order of badness: the one rank every viewer and notifier uses.
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(Severity)}

"""Frozen value types shared by the core, the adapters and the front ends."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


class Grain(enum.StrEnum):
    """The length of the period a point covers."""

    HOUR = "hour"
    DAY = "day"


#: Traffic and ad channels a point may belong to; ``""`` means all channels.
CHANNELS: tuple[str, ...] = (
    "organic_search",
    "paid_search",
    "display",
    "affiliate",
    "campaign",
    "content",
    "direct",
    "other",
)


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

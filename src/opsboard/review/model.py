"""The morning review as plain data: what the builder finds and every renderer shows.

Every figure here comes from ``MetricsEngine.query`` (ratios of sums). ``None`` always means
"not known" (no data), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Headline status of a figure: complete, from a source that delivered nothing, from hourly
#: data with hours missing, simply absent from this store's data, or a day not over yet.
STATUSES = ("ok", "missing", "partial", "no_data", "so_far")


def change(current: float | None, baseline: float | None) -> float | None:
    """The relative change ``current / baseline - 1``; None when either side is unknown or 0."""
    if current is None or baseline is None or baseline == 0:
        return None
    return current / baseline - 1.0


@dataclass(frozen=True, slots=True)
class MetricMove:
    """One headline figure for the day against its two baselines."""

    metric: str
    label: str
    value: float | None
    last_week: float | None
    median: float | None
    median_weeks: int
    status: str = "ok"
    last_week_status: str = "ok"

    @property
    def vs_last_week(self) -> float | None:
        """Relative change against the same weekday last week (None when not comparable)."""
        if self.status != "ok" or self.last_week_status != "ok":
            return None
        return change(self.value, self.last_week)

    @property
    def vs_median(self) -> float | None:
        """Relative change against the trailing same-weekday median."""
        return None if self.status != "ok" else change(self.value, self.median)


@dataclass(frozen=True, slots=True)
class Effect:
    """The part of the GMV change that one factor (traffic, conversion, AOV) explains."""

    factor: str
    amount: float
    factor_change: float | None


@dataclass(frozen=True, slots=True)
class GmvBridge:
    """GMV = visitors x conversion x AOV; the change split so that the parts add up."""

    baseline: str
    before: float
    after: float
    effects: tuple[Effect, ...]
    method: str

    @property
    def total(self) -> float:
        """The GMV change the effects add up to."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Move:
    """How one channel or product moved on one metric against last week.

    ``share`` is the part of its own side: a loser's share of all that the losers lost, a
    gainer's share of all that the gainers gained (0 to 1), so that it never exceeds 100%
    or turns negative when gains and losses nearly cancel out.
    """

    key: str
    metric: str
    before: float | None
    after: float | None
    share: float | None = None
    #: The platform's name of a product (``示例绞肉机``), or ``""``.
    name: str = ""

    @property
    def label(self) -> str:
        """The key as prose names it: ``示例绞肉机 (741747883413)``, the key alone without
        a name."""
        return f"{self.name} ({self.key})" if self.name else self.key

    @property
    def delta(self) -> float:
        """After minus before, unknown sides counted as nothing (a new or vanished item)."""
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A finding from operator practice, with its evidence and the usual remedy.

    ``impact`` is the money at stake on the day, in the store's currency, on one scale for
    every rule so that findings can be ranked: margin on sales lost (or GMV where no margin
    is configured) and money spent in vain, never more than the day's GMV; ``stake`` says
    what it measures. ``severity`` is ``warning`` for problems and ``info`` for things the
    operator should see but that need no action (a marked strategic loss).
    """

    code: str
    title: str
    subject: str
    evidence: tuple[str, ...]
    remedy: str
    severity: str = "warning"
    impact: float = 0.0
    stake: str = ""


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Who acknowledged an alert, when, and what they noted."""

    by: str
    at: str
    note: str


@dataclass(frozen=True, slots=True)
class AlertOfDay:
    """An alert that was firing at some point of the reviewed day."""

    id: int
    rule: str
    scope: str
    severity: str
    state: str
    message: str
    fired_at: str
    resolved_at: str | None
    acks: tuple[Acknowledgement, ...]

    @property
    def open(self) -> bool:
        """Still firing (or pending) now."""
        return self.state != "resolved"


@dataclass(frozen=True, slots=True)
class SourceNote:
    """A completeness problem with one source.

    ``kind`` is ``missing``, ``gap``, ``health`` or ``rejected`` (the day may be incomplete),
    ``baseline_gap`` (last week's day is), ``late`` (complete now, but it came late) or
    ``now`` (a source problem that began after the day, so it does not touch it).
    """

    source: str
    kind: str
    detail: str
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Completeness:
    """Whether the day's data can be trusted, and which metrics it cannot be trusted for."""

    notes: tuple[SourceNote, ...] = ()
    missing_metrics: tuple[str, ...] = ()
    partial_metrics: tuple[str, ...] = ()
    hours_expected: int = 0
    baseline_notes: tuple[SourceNote, ...] = ()
    baseline_partial_metrics: tuple[str, ...] = ()
    late_notes: tuple[SourceNote, ...] = ()
    later_notes: tuple[SourceNote, ...] = ()
    #: The day is not over: its data can only be complete "so far".
    unfinished: bool = False
    #: For a day not over, the latest local hour it has hourly data for (``14:00-15:00``).
    data_until: str = ""

    @property
    def complete(self) -> bool:
        """The day is over and no source was missing, had an hourly gap, a rejected file or
        trouble during the day."""
        return not self.notes and not self.unfinished

    def status_of(self, inputs: list[str]) -> str:
        """``missing``, ``partial`` or ``ok`` for a figure built from ``inputs``."""
        if any(m in self.missing_metrics for m in inputs):
            return "missing"
        if any(m in self.partial_metrics for m in inputs):
            return "partial"
        return "ok"

    def comparable(self, metric: str, dimension: str) -> bool:
        """True when ``metric`` by ``dimension`` (``channel``, ``SKU``) is whole on both days,
        so that a move in it is a real move and not a delivery gap."""
        if self.status_of([metric]) != "ok" or self.baseline_status_of([metric]) != "ok":
            return False
        prefix = f"{metric} by "
        return not any(
            label.startswith(prefix) and dimension in label
            for note in self.notes
            if note.kind == "missing"
            for label in note.metrics
        )

    def baseline_status_of(self, inputs: list[str]) -> str:
        """``partial`` when last week's figure from ``inputs`` lacks hours, else ``ok``."""
        return "partial" if any(m in self.baseline_partial_metrics for m in inputs) else "ok"


@dataclass(frozen=True, slots=True)
class HourSpend:
    """Spend in one local hour of the day and the running total, for the pacing chart."""

    hour: int
    spend: float
    cumulative: float


@dataclass(frozen=True)
class Review:
    """Yesterday (or any day) of one store: what moved, why, and what to do."""

    store: str
    day: date
    baseline_day: date
    timezone: str
    currency: str
    generated_at: datetime
    headline: tuple[MetricMove, ...]
    summary: tuple[str, ...]
    bridge: GmvBridge | None
    channels: tuple[Move, ...]
    products: dict[str, tuple[Move, ...]]
    diagnoses: tuple[Diagnosis, ...]
    alerts: tuple[AlertOfDay, ...]
    completeness: Completeness
    cannot_tell: tuple[str, ...]
    hourly_spend: tuple[HourSpend, ...] = ()
    budget: float | None = None
    gmv_history: tuple[tuple[date, float | None], ...] = field(default=())
    day_has_data: bool = True
    latest_data: date | None = None
    #: Diagnoses that could not be judged, each with why (data incomplete, day not over).
    not_assessed: tuple[str, ...] = ()
    #: How many of the weeks before have data for the trailing median (up to 4).
    median_weeks: int = 0
    #: The day against plan and each target's period to date (none without targets).
    plan: tuple[str, ...] = ()
    #: The same as data: `opsboard targets`' keys with the day's plan and figure.
    plan_targets: tuple[dict[str, Any], ...] = ()
    #: The store's platform (``tmall``, ``jd``): its own channel names in Chinese.
    platform: str = ""
    #: The day's and the month's contribution, store ROI and spend share.
    contribution: tuple[str, ...] = ()

    @property
    def unfinished(self) -> bool:
        """The reviewed day is not over yet."""
        return self.completeness.unfinished

    @property
    def problems(self) -> list[Diagnosis]:
        """Diagnoses that call for action, the biggest first."""
        return [d for d in self.diagnoses if d.severity != "info"]

    def figure(self, metric: str) -> MetricMove | None:
        """The headline figure for ``metric``, if the review has one."""
        for move in self.headline:
            if move.metric == metric:
                return move
        return None

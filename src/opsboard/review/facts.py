"""What the diagnosis rules read, and the one money scale on which their findings rank.

Every finding's ``impact`` is the money at stake on the reviewed day in the store's
currency: the margin on sales lost (GMV itself where no margin is configured, which then
says so) and money spent in vain (spend below break-even, spend with no orders). No
estimate exceeds the day's GMV (or last week's, when the day collapsed), so that one
generous guess cannot push a real loss off the top three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from opsboard.config.models import StoreConfig
from opsboard.formatting import in_prose, named, number
from opsboard.i18n import N_, _
from opsboard.review.model import Completeness, HourSpend

Row = dict[str, Any]


@dataclass(frozen=True)
class BudgetRun:
    """Hourly spend of one budgeted scope (the store, a channel or a campaign) for the day."""

    scope: str
    budget: float
    hours: tuple[HourSpend, ...]
    roi: float | None = None


@dataclass
class Facts:
    """What the rules read: the day and last week's same weekday, at every scope."""

    config: StoreConfig
    total: Row
    total_before: Row
    skus: dict[str, Row]
    skus_before: dict[str, Row]
    campaigns: dict[str, Row]
    completeness: Completeness
    budget_runs: list[BudgetRun] = field(default_factory=list)
    cannot_tell: list[str] = field(default_factory=list)
    #: Visitors by local hour, for how much of the day's traffic came after a given hour.
    hourly_visitors: dict[int, float] = field(default_factory=dict)
    #: The platform's names of the day's products and plans: {(kind, key): name}.
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Search terms' ad figures, summed over campaigns, of ``terms_days``: the day, or the
    #: latest week or month ending on it when the store's term reports cover a range.
    terms: dict[str, Row] = field(default_factory=dict)
    terms_days: tuple[date, date] | None = None
    #: Campaigns of channels never held to the CTR target (display, affiliate).
    not_search_campaigns: frozenset[str] = frozenset()

    def label(self, kind: str, key: str) -> str:
        """A SKU or campaign as a finding names it: ``campaign 春季新品推广 (77012003172)``;
        ``kind`` is ``SKU`` or ``campaign``."""
        said = _(_KINDS[kind]) if kind in _KINDS else kind
        return f"{said} {named(key, self.names.get((kind.lower(), key)))}"

    def traffic_after(self, hour: int) -> float | None:
        """The share of the day's visitors that came from ``hour`` on (None without hourly
        visitors)."""
        total = sum(self.hourly_visitors.values())
        if not total:
            return None
        return sum(v for h, v in self.hourly_visitors.items() if h >= hour) / total

    def incomplete(self, *metrics: str) -> list[str]:
        """Those of ``metrics`` that are missing or partial for the day."""
        return [m for m in metrics if self.completeness.status_of([m]) != "ok"]

    @property
    def unfinished(self) -> bool:
        """The day is not over: rules that need the whole day cannot be judged."""
        return self.completeness.unfinished

    @property
    def visitor_value(self) -> float | None:
        """GMV per visitor for the day: what one more (or one lost) visitor is worth."""
        gmv, uv = self.total.get("gmv"), self.total.get("uv")
        return gmv / uv if gmv is not None and uv else None

    @property
    def margin(self) -> float | None:
        """The share of a sale the store keeps (1 / break-even ROI), if configured."""
        break_even = self.config.break_even_roi
        return 1.0 / break_even if break_even else None

    @property
    def cap(self) -> float:
        """The most any one finding can put at stake: the day's (or last week's) GMV."""
        amounts = [self.total.get("gmv"), self.total_before.get("gmv")]
        known = [float(a) for a in amounts if a]
        return max(known) if known else float("inf")

    def sales_at_stake(self, gmv: float) -> float:
        """Lost sales ``gmv`` as money at stake: its margin, or GMV without a margin."""
        capped = min(max(gmv, 0.0), self.cap)
        return capped * self.margin if self.margin is not None else capped

    @property
    def sales_basis(self) -> str:
        """What ``sales_at_stake`` measures, for the reader."""
        if self.margin is not None:
            return _("margin on lost sales")
        return _("lost sales (no margin set)")

    def spent_in_vain(self, amount: float) -> float:
        """Money spent for nothing, capped like every other stake."""
        return min(max(amount, 0.0), self.cap)


def pct(value: float | None) -> str:
    """A rate as ``3.26%``."""
    return number(value, "conversion_rate")


def cash(value: float | None, currency: str = "") -> str:
    """Money as ``1,234.50``; in Chinese with the ``currency``'s symbol and 万 from ten
    thousand up (``¥2.99万``)."""
    return in_prose(value, "gmv", currency)


def count(value: float | None) -> str:
    """A count as ``12,345`` (``2.99万`` in Chinese)."""
    return in_prose(value, "uv")


#: What a finding's subject is, as its first word (``SKU 示例绞肉机``, ``商品 示例绞肉机``).
_KINDS = {"SKU": N_("SKU"), "campaign": N_("campaign")}

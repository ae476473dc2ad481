"""The store's contribution, total ROI and ad spend share: the figures a plan is about.

contribution (贡献) = GMV x margin - refunds - ad spend, with the store's ``margin`` from
the config; refunds where the data has them, else 0, and the reader is told so. Without a
margin there is no contribution (never a figure made up from a default margin).
全店投产比 (``store_roi``) = GMV / ad spend across all ads, 推广费占比 (``spend_share``) =
ad spend / GMV; both computed by the engine like every derived metric.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsboard.config.models import Settings
from opsboard.formatting import figure
from opsboard.i18n import _
from opsboard.query.engine import MetricsEngine
from opsboard.query.scope import Filters, Period


@dataclass(frozen=True, slots=True)
class Contribution:
    """One store's contribution and its parts over a period."""

    gmv: float | None
    #: None: the data has no refunds for the period (counted as 0, and said so).
    refunds: float | None
    spend: float | None
    #: The store's configured margin; None: no contribution can be given.
    margin: float | None
    store_roi: float | None
    spend_share: float | None

    @property
    def value(self) -> float | None:
        """GMV x margin - refunds - ad spend; None without a margin or any GMV."""
        if self.margin is None or self.gmv is None:
            return None
        return self.gmv * self.margin - (self.refunds or 0.0) - (self.spend or 0.0)

    @property
    def refunds_known(self) -> bool:
        """True when the data has refunds for the period."""
        return self.refunds is not None


def contribution(
    engine: MetricsEngine,
    settings: Settings,
    store: str,
    period: Period,
    filters: Filters = Filters(),
) -> Contribution:
    """``store``'s contribution over ``period`` (one store: money never crosses currencies)."""
    rows = engine.query(
        ["gmv", "refunds", "spend", "store_roi", "spend_share"],
        stores=[store],
        period=period,
        filters=filters,
    )
    row = rows[0] if rows else {}

    def value(metric: str) -> float | None:
        found = row.get(metric)
        return None if found is None else float(found)

    return Contribution(
        gmv=value("gmv"),
        refunds=value("refunds"),
        spend=value("spend"),
        margin=settings.store(store).margin,
        store_roi=value("store_roi"),
        spend_share=value("spend_share"),
    )


def contribution_line(found: Contribution, currency: str, *, how: bool = False) -> str:
    """``Contribution ¥78.5k · Store ROI 5.21 · Spend share 19.2%`` (73 cells at most: one
    line of an 80-column overview), with what the reader must know: no margin configured,
    or no refunds in the data (counted as 0); ``how`` adds how the
    contribution is reached (the review): ``(GMV ¥377k x 40% - ad spend ¥72.4k; ...)``."""
    if found.margin is None:
        head = _("Contribution unknown (no margin in the config)")
    else:
        head = _("Contribution {amount}").format(amount=figure("gmv", found.value, currency))
    no_refunds = found.margin is not None and found.gmv is not None and not found.refunds_known
    if how and found.margin is not None and found.gmv is not None:
        head = _("{contribution} ({how})").format(
            contribution=head, how=contribution_sum(found, currency)
        )
    elif no_refunds:
        head = _("{contribution} (no refunds data)").format(contribution=head)
    return " · ".join(
        [
            head,
            _("Store ROI {roi}").format(roi=figure("store_roi", found.store_roi)),
            _("Spend share {share}").format(share=figure("spend_share", found.spend_share)),
        ]
    )


def contribution_sum(found: Contribution, currency: str) -> str:
    """How the contribution is reached: ``GMV ¥377k x 40% - refunds ¥1,200 - ad spend
    ¥72.4k``, or without refunds in the data ``GMV ¥377k x 40% - ad spend ¥72.4k; no
    refunds in the data, counted as 0``; "" without a margin or any GMV."""
    if found.margin is None or found.gmv is None:
        return ""
    values = {
        "gmv": figure("gmv", found.gmv, currency),
        "margin": f"{found.margin:.0%}",
        "spend": figure("gmv", found.spend or 0.0, currency),
    }
    if found.refunds_known:
        return _("GMV {gmv} x {margin} - refunds {refunds} - ad spend {spend}").format(
            refunds=figure("gmv", found.refunds, currency), **values
        )
    return _(
        "GMV {gmv} x {margin} - ad spend {spend}; no refunds in the data, counted as 0"
    ).format(**values)

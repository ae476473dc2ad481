"""Paid promotion on the Overview: spend against budget with pacing, ROI against break-even,
and spend on SKUs with no orders; each store over its own day, in its own currency.

Textual-free: built by ``opsboard.views.overview.OverviewLoader`` in a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from opsboard.config.models import StoreConfig
from opsboard.metrics import ratio
from opsboard.query import pacing
from opsboard.query.engine import MetricsEngine, Period
from opsboard.query.pacing import pace
from opsboard.storage import points
from opsboard.storage.store import Store

AD_METRICS = [
    "spend",
    "budget",
    "ad_gmv",
    "clicks",
    "impressions",
    "ad_orders",
    "roi",
    "cpc",
    "ctr",
]
#: Local hour at which the evening peak starts; a budget spent out before it loses the peak.
EVENING_PEAK_HOUR = 20
#: How many SKUs with spend and no orders the Overview lists.
UNSOLD_SHOWN = 8


@dataclass(frozen=True, slots=True)
class PromotionRow:
    """Spend and return of one channel (``campaign == ""``) or one campaign today."""

    store: str
    channel: str
    campaign: str
    spend: float | None
    budget: float | None
    #: Spend as a share of the day's budget.
    budget_used: float | None
    pacing: float | None
    pacing_state: str
    roi: float | None
    cpc: float | None
    ctr: float | None
    strategic_loss: bool = False
    below_break_even: bool = False
    #: The platform's name of the campaign (``春季新品推广``), or ``""``.
    name: str = ""
    #: The store's own currency (ISO 4217) of ``spend``, ``budget`` and ``cpc``.
    currency: str = ""
    #: The store's platform (``tmall``, ``jd``, ``amazon``), for the channel's own name.
    platform: str = ""


@dataclass(frozen=True, slots=True)
class UnsoldSpend:
    """Spend today on a SKU that has no orders."""

    sku: str
    spend: float
    clicks: float | None
    #: The platform's name of the product, or ``""``.
    name: str = ""
    #: The store's own currency of ``spend``.
    currency: str = ""
    store: str = ""


def clean(value: Any) -> float | None:
    """A query's value as a float, None for no value (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def pacing_state(
    spend: float | None, budget: float | None, share: float, at: datetime, tz: tzinfo
) -> str:
    """``on track``, ``ahead``, ``behind``, ``spent out`` or ``out by HH:MM`` (before the
    evening peak); see ``opsboard.query.pacing.pacing_state``."""
    return pacing.pacing_state(spend, budget, share, at, tz, EVENING_PEAK_HOUR)


def promotion_rows(
    store: Store, engine: MetricsEngine, config: StoreConfig, period: Period, at: datetime
) -> list[PromotionRow]:
    """One store's channels with spend, each followed by its campaigns with spend."""
    name = config.name
    store_tz = engine.tz_for(name)
    share = pacing.today_share(at, store_tz)
    by_channel = engine.query(AD_METRICS, stores=[name], by="channel", period=period)
    campaigns = points.campaign_channels(store, name, "spend")
    plan_names = store.names_of(name, "campaign", campaigns)
    by_campaign = {
        r["campaign"]: r
        for r in engine.query(AD_METRICS, stores=[name], by="campaign", period=period)
    }
    out: list[PromotionRow] = []
    for row in by_channel:
        if row["spend"] is None:
            continue
        channel = row["channel"]
        budget = clean(row["budget"]) or config.budgets.get(channel)
        out.append(_row(config, channel, "", row, budget, share, at, store_tz, False))
        for campaign in sorted(c for c, ch in campaigns.items() if ch == channel):
            crow = by_campaign.get(campaign)
            if crow is None or crow["spend"] is None:
                continue
            cbudget = clean(crow["budget"]) or config.budgets.get(campaign)
            strategic = campaign in config.strategic_loss_campaigns
            promoted = _row(
                config, channel, campaign, crow, cbudget, share, at, store_tz, strategic
            )
            out.append(replace(promoted, name=plan_names.get((name, campaign), "")))
    return out


def _row(
    config: StoreConfig,
    channel: str,
    campaign: str,
    row: dict[str, Any],
    budget: float | None,
    share: float,
    at: datetime,
    tz: tzinfo,
    strategic: bool,
) -> PromotionRow:
    spend = clean(row["spend"])
    roi = clean(row["roi"])
    break_even = config.break_even_roi
    return PromotionRow(
        store=config.name,
        channel=channel,
        campaign=campaign,
        spend=spend,
        budget=budget,
        budget_used=ratio(spend, budget),
        pacing=pace(spend, budget, share),
        pacing_state=pacing_state(spend, budget, share, at, tz),
        roi=roi,
        cpc=clean(row["cpc"]),
        ctr=clean(row["ctr"]),
        strategic_loss=strategic,
        below_break_even=roi is not None and break_even is not None and roi < break_even,
        currency=config.currency,
        platform=config.platform,
    )


def unsold_spend(
    store: Store, engine: MetricsEngine, configs: list[StoreConfig], period: Period
) -> tuple[UnsoldSpend, ...]:
    """The SKUs with the most spend and no orders, each store over its own ``period``."""
    out: list[tuple[int, int, UnsoldSpend]] = []
    for order, config in enumerate(configs):
        rows = engine.query(
            ["spend", "ad_orders", "orders", "clicks"],
            stores=[config.name],
            by="sku",
            period=period,
        )
        unsold = sorted(
            (
                UnsoldSpend(
                    r["sku"],
                    float(r["spend"]),
                    clean(r["clicks"]),
                    "",
                    config.currency,
                    config.name,
                )
                for r in rows
                if r["spend"] and not r["ad_orders"] and not r["orders"]
            ),
            key=lambda u: -u.spend,
        )
        out.extend((rank, order, u) for rank, u in enumerate(unsold))
    # Amounts in different currencies are not compared: each store's largest first, in
    # turn, so that one store cannot crowd out the others.
    shown = [u for _rank, _order, u in sorted(out, key=lambda t: t[:2])][:UNSOLD_SHOWN]
    names: dict[tuple[str, str], str] = {}
    for config in configs:
        skus = [u.sku for u in shown if u.store == config.name]
        if skus:
            names.update(store.names_of(config.name, "sku", skus))
    return tuple(replace(u, name=names.get((u.store, u.sku), "")) for u in shown)

"""What the Overview shows, read from the store at one instant (live, or in a replay).

Textual-free: a worker thread builds an ``Overview`` and the screen hands each panel its
part; panels compare it with what they show and redraw only when it changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.config.models import Settings
from opsboard.metrics import ratio, uses_money
from opsboard.query import pacing
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.query.pacing import pace
from opsboard.storage import points
from opsboard.storage.store import Store
from opsboard.timeutil import (
    DEFAULT_TIMEZONE,
    floor_hour,
    local_midnight,
    zone,
)
from opsboard.views.alerts import AlertRow, HealthRow, load_alerts, load_health

#: The traffic figures of the Overview, in the order operators read them.
TRAFFIC_METRICS = ("uv", "pv", "bounce_rate", "conversion_rate", "buyers", "gmv", "aov")
#: Metrics the hourly chart can show (cycled with a key).
CHART_METRICS = ("uv", "gmv", "buyers", "spend")
#: Why money is blank for stores of different currencies, and what to do.
MIXED_CURRENCIES = "mixed currencies: press s for a store"
_AD_METRICS = [
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


@dataclass(frozen=True, slots=True)
class TrafficFigure:
    """One traffic figure today, and the same hours yesterday and last week."""

    metric: str
    today: float | None
    yesterday: float | None
    last_week: float | None
    vs_yesterday: float | None
    vs_last_week: float | None


@dataclass(frozen=True, slots=True)
class HourlySeries:
    """One metric per local hour of today, yesterday and the same day last week."""

    metric: str
    hours: tuple[int, ...]
    today: tuple[float | None, ...]
    yesterday: tuple[float | None, ...]
    last_week: tuple[float | None, ...]
    now_hour: int
    #: Why the chart is empty when it must be (money over stores in different currencies).
    note: str = ""


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """Traffic of one channel today."""

    channel: str
    uv: float | None
    share: float | None
    buyers: float | None
    gmv: float | None
    conversion_rate: float | None


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


@dataclass(frozen=True, slots=True)
class UnsoldSpend:
    """Spend today on a SKU that has no orders."""

    sku: str
    spend: float
    clicks: float | None
    #: The platform's name of the product, or ``""``.
    name: str = ""


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the Overview shows for one store (or all) at one instant."""

    at: datetime
    live: bool
    store: str | None
    stores: tuple[str, ...]
    currency: str
    tz_name: str
    figures: tuple[TrafficFigure, ...]
    hourly: HourlySeries
    channels: tuple[ChannelRow, ...]
    promotion: tuple[PromotionRow, ...]
    unsold: tuple[UnsoldSpend, ...]
    break_even_roi: float | None
    alerts: tuple[AlertRow, ...]
    health: tuple[HealthRow, ...]


def _clean(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


NO_FILTERS = Filters()


def hourly_series(
    engine: MetricsEngine,
    metric: str,
    stores: list[str] | None,
    at: datetime,
    tz: tzinfo,
    filters: Filters = NO_FILTERS,
) -> HourlySeries:
    """``metric`` per local hour today (up to ``at``), yesterday and on the day last week.

    ``stores`` None means every store; an empty list gives an empty chart.
    """
    local_now = at.astimezone(tz)
    series: list[tuple[float | None, ...]] = []
    for days_back in (0, 1, 7):
        day = local_now.date() - timedelta(days=days_back)
        start = local_midnight(day, tz)
        end = local_midnight(day + timedelta(days=1), tz)
        if days_back == 0:
            end = min(end, floor_hour(at) + timedelta(hours=1))
        values: list[float | None] = [None] * 24
        if stores is None or stores:
            for row in engine.query(
                [metric],
                stores=stores,
                by="hour",
                period=Period(start=start, end=end),
                filters=filters,
            ):
                values[datetime.fromisoformat(row["hour"]).astimezone(tz).hour] = _clean(
                    row[metric]
                )
        series.append(tuple(values))
    return HourlySeries(metric, tuple(range(24)), series[0], series[1], series[2], local_now.hour)


class OverviewLoader:
    """Builds ``Overview`` snapshots from a store; one per dashboard, used by its workers."""

    def __init__(self, store: Store, engine: MetricsEngine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings

    def _tz(self, names: list[str]) -> tzinfo:
        return self.engine.tz_for(names[0]) if names else zone(DEFAULT_TIMEZONE)

    def _window(self, at: datetime, live: bool, tz: tzinfo, days_back: int = 0) -> Period:
        """Today so far (live: whole days, so day-grain reports count), shifted back."""
        day = at.astimezone(tz).date() - timedelta(days=days_back)
        if live and days_back == 0:
            return Period(first_day=day, last_day=day)
        start = local_midnight(day, tz)
        end = start + (
            floor_hour(at) + timedelta(hours=1) - local_midnight(at.astimezone(tz).date(), tz)
        )
        return Period(start=start, end=end)

    def load(
        self, *, store_name: str | None, at: datetime, live: bool, chart_metric: str
    ) -> Overview:
        """The Overview of ``store_name`` (None: every store) at ``at``."""
        known = self.store.stores()
        names = (
            [store_name] if store_name and store_name in known else ([] if store_name else known)
        )
        configs = [self.settings.store(n) for n in names]
        currencies = {c.currency for c in configs}
        mixed = len(currencies) > 1
        configured = [s.name for s in self.settings.stores if s.name in names]
        tz = self._tz(configured or names)
        stores_arg = names or None
        figures: tuple[TrafficFigure, ...] = ()
        if names:
            compared = self.engine.compare(TRAFFIC_METRICS, stores=stores_arg, at=at)
            figures = tuple(
                TrafficFigure(
                    m,
                    *(
                        _clean(compared[m][k])
                        for k in ("today", "yesterday", "last_week", "vs_yesterday", "vs_last_week")
                    ),
                )
                for m in TRAFFIC_METRICS
            )
            if mixed:
                # Money in different currencies does not add up: shown per store only.
                figures = tuple(
                    TrafficFigure(f.metric, None, None, None, None, None)
                    if uses_money(f.metric)
                    else f
                    for f in figures
                )
        return Overview(
            at=at,
            live=live,
            store=store_name,
            stores=tuple(known),
            currency=currencies.pop() if len(currencies) == 1 else "",
            tz_name=str(tz),
            figures=figures,
            hourly=self._hourly(stores_arg, names, at, tz, chart_metric, mixed=mixed),
            channels=self._channels(stores_arg, names, at, live, tz, mixed=mixed),
            promotion=self._promotion(names, at, live, tz),
            unsold=self._unsold(stores_arg, names, at, live, tz),
            break_even_roi=configs[0].break_even_roi if len(configs) == 1 else None,
            alerts=tuple(load_alerts(self.store, at=at, live=live, store_name=store_name)),
            health=tuple(load_health(self.store)),
        )

    def _hourly(
        self,
        stores: list[str] | None,
        names: list[str],
        at: datetime,
        tz: tzinfo,
        metric: str,
        *,
        mixed: bool = False,
    ) -> HourlySeries:
        if mixed and uses_money(metric):
            empty = hourly_series(self.engine, metric, [], at, tz)
            return replace(empty, note=MIXED_CURRENCIES)
        return hourly_series(self.engine, metric, stores if names else [], at, tz)

    def _channels(
        self,
        stores: list[str] | None,
        names: list[str],
        at: datetime,
        live: bool,
        tz: tzinfo,
        *,
        mixed: bool = False,
    ) -> tuple[ChannelRow, ...]:
        """Each channel's traffic; its GMV only where every store counts in one currency."""
        if not names:
            return ()
        rows = self.engine.query(
            ["uv", "buyers", "gmv", "conversion_rate"],
            stores=stores,
            by="channel",
            period=self._window(at, live, tz),
        )
        total = sum(r["uv"] or 0.0 for r in rows)
        out = [
            ChannelRow(
                r["channel"],
                _clean(r["uv"]),
                (r["uv"] / total) if r["uv"] and total else None,
                _clean(r["buyers"]),
                None if mixed else _clean(r["gmv"]),
                _clean(r["conversion_rate"]),
            )
            for r in rows
            if r["uv"] is not None or r["gmv"] is not None
        ]
        out.sort(key=lambda c: -(c.uv or 0.0))
        return tuple(out)

    def _promotion(
        self, names: list[str], at: datetime, live: bool, tz: tzinfo
    ) -> tuple[PromotionRow, ...]:
        out: list[PromotionRow] = []
        for name in names:
            config = self.settings.store(name)
            store_tz = self.engine.tz_for(name)
            period = self._window(at, live, store_tz)
            share = pacing.today_share(at, store_tz)
            by_channel = self.engine.query(_AD_METRICS, stores=[name], by="channel", period=period)
            campaigns = self._campaign_channels(name)
            plan_names = self.store.names_of(name, "campaign", campaigns)
            by_campaign = {
                r["campaign"]: r
                for r in self.engine.query(_AD_METRICS, stores=[name], by="campaign", period=period)
            }
            for row in by_channel:
                if row["spend"] is None:
                    continue
                channel = row["channel"]
                budget = _clean(row["budget"]) or config.budgets.get(channel)
                out.append(
                    self._row(
                        name,
                        channel,
                        "",
                        row,
                        budget,
                        share,
                        at,
                        store_tz,
                        config.break_even_roi,
                        False,
                    )
                )
                for campaign in sorted(c for c, ch in campaigns.items() if ch == channel):
                    crow = by_campaign.get(campaign)
                    if crow is None or crow["spend"] is None:
                        continue
                    cbudget = _clean(crow["budget"]) or config.budgets.get(campaign)
                    strategic = campaign in config.strategic_loss_campaigns
                    promoted = self._row(
                        name,
                        channel,
                        campaign,
                        crow,
                        cbudget,
                        share,
                        at,
                        store_tz,
                        config.break_even_roi,
                        strategic,
                    )
                    out.append(replace(promoted, name=plan_names.get((name, campaign), "")))
        return tuple(out)

    def _campaign_channels(self, store_name: str) -> dict[str, str]:
        return points.campaign_channels(self.store, store_name, "spend")

    @staticmethod
    def _row(
        store_name: str,
        channel: str,
        campaign: str,
        row: dict[str, Any],
        budget: float | None,
        share: float,
        at: datetime,
        tz: tzinfo,
        break_even: float | None,
        strategic: bool,
    ) -> PromotionRow:
        spend = _clean(row["spend"])
        roi = _clean(row["roi"])
        return PromotionRow(
            store=store_name,
            channel=channel,
            campaign=campaign,
            spend=spend,
            budget=budget,
            budget_used=ratio(spend, budget),
            pacing=pace(spend, budget, share),
            pacing_state=pacing_state(spend, budget, share, at, tz),
            roi=roi,
            cpc=_clean(row["cpc"]),
            ctr=_clean(row["ctr"]),
            strategic_loss=strategic,
            below_break_even=roi is not None and break_even is not None and roi < break_even,
        )

    def _unsold(
        self, stores: list[str] | None, names: list[str], at: datetime, live: bool, tz: tzinfo
    ) -> tuple[UnsoldSpend, ...]:
        if not names:
            return ()
        rows = self.engine.query(
            ["spend", "ad_orders", "orders", "clicks"],
            stores=stores,
            by="sku",
            period=self._window(at, live, tz),
        )
        out = [
            UnsoldSpend(r["sku"], float(r["spend"]), _clean(r["clicks"]))
            for r in rows
            if r["spend"] and not r["ad_orders"] and not r["orders"]
        ]
        out.sort(key=lambda u: -u.spend)
        found = self.store.names_of(stores or names, "sku", [u.sku for u in out[:8]])
        first: dict[str, str] = {}
        for (_, sku), title in sorted(found.items()):
            first.setdefault(sku, title)
        return tuple(replace(u, name=first.get(u.sku, "")) for u in out[:8])


def pacing_state(
    spend: float | None, budget: float | None, share: float, at: datetime, tz: tzinfo
) -> str:
    """``on track``, ``ahead``, ``behind``, ``spent out`` or ``out by HH:MM`` (before the
    evening peak); see ``opsboard.query.pacing.pacing_state``."""
    return pacing.pacing_state(spend, budget, share, at, tz, EVENING_PEAK_HOUR)

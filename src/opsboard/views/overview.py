"""What the Overview shows, read from the store at one instant (live, or in a replay).

Textual-free: a worker thread builds an ``Overview`` and the screen hands each panel its
part; panels compare it with what they show and redraw only when it changed.

Every figure is each store's own local period ("today" is Shanghai's today for a Shanghai
store and Los Angeles' today for a Los Angeles store), summed across stores; money is
summed only in one currency (``opsboard.query.currency``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from opsboard.config.models import Settings
from opsboard.metrics import uses_money
from opsboard.query.contribution import contribution, contribution_line
from opsboard.query.currency import MIXED_CURRENCIES, MoneyAcross, money_across
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.storage.store import Store
from opsboard.timeutil import DEFAULT_TIMEZONE, zone
from opsboard.views.alerts import AlertRow, HealthRow, load_alerts, load_health
from opsboard.views.plan_strip import PlanLine, PlanLines
from opsboard.views.promotion import (
    PromotionRow,
    UnsoldSpend,
    clean,
    pacing_state,
    promotion_rows,
    unsold_spend,
)
from opsboard.views.store_strip import StoreRow, shown_day, store_rows

__all__ = [
    "CHART_METRICS",
    "MIXED_CURRENCIES",
    "TRAFFIC_METRICS",
    "ChannelRow",
    "HourlySeries",
    "Overview",
    "OverviewLoader",
    "PlanLine",
    "PromotionRow",
    "StoreRow",
    "TrafficFigure",
    "UnsoldSpend",
    "hourly_series",
    "pacing_state",
]

#: The traffic figures of the Overview, in the order operators read them.
TRAFFIC_METRICS = ("uv", "pv", "bounce_rate", "conversion_rate", "buyers", "gmv", "aov")
#: Metrics the hourly chart can show (cycled with a key).
CHART_METRICS = ("uv", "gmv", "buyers", "spend")


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
    #: The currency of a money metric's values (``CNY``), "" for counts and rates.
    currency: str = ""


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
    #: True when ``currency`` sums are converted at configured rates (shown with ≈).
    converted: bool = False
    #: What a reader of the all-stores money figures must know ("" when nothing).
    money_note: str = ""
    #: One row per store, each over its own day (all-stores views only).
    stores_strip: tuple[StoreRow, ...] = ()
    #: The store's latest day with data, shown because it has none for its today (one
    #: store views only; None: today is shown).
    latest_day: date | None = None
    #: Each target under way against its plan so far (none without targets).
    plans: tuple[PlanLine, ...] = ()
    #: One store's day so far: contribution, store ROI and spend share ("" for all stores).
    contribution: str = ""


NO_FILTERS = Filters()


def hourly_series(
    engine: MetricsEngine,
    metric: str,
    stores: list[str] | None,
    at: datetime,
    tz: tzinfo,
    filters: Filters = NO_FILTERS,
    rates: Mapping[str, float] | None = None,
) -> HourlySeries:
    """``metric`` per local hour today (up to ``at``), yesterday and on the day last week.

    Each store's hours are read on its own days in its own zone and the same local hour
    of every store added up; ``tz`` only says which hour is "now" on the chart.
    ``stores`` None means every store; an empty list gives an empty chart.
    """
    series: list[tuple[float | None, ...]] = []
    for days_back in (0, 1, 7):
        values: list[float | None] = [None] * 24
        if stores is None or stores:
            found = engine.by_local_hour(
                [metric],
                stores=stores,
                period=Period.own_day(days_back, at, so_far=days_back == 0),
                filters=filters,
                rates=rates,
            )
            for hour, row in found.items():
                values[hour] = clean(row[metric])
        series.append(tuple(values))
    now_hour = at.astimezone(tz).hour
    return HourlySeries(metric, tuple(range(24)), series[0], series[1], series[2], now_hour)


class OverviewLoader:
    """Builds ``Overview`` snapshots from a store; one per dashboard, used by its workers."""

    def __init__(self, store: Store, engine: MetricsEngine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self.plan_lines = PlanLines(store, engine, settings)

    def _tz(self, names: list[str]) -> tzinfo:
        return self.engine.tz_for(names[0]) if names else zone(DEFAULT_TIMEZONE)

    @staticmethod
    def _window(at: datetime, whole: bool) -> Period:
        """Each store's today: whole (live, so day-grain reports count) or so far."""
        return Period.own_day(0, at, so_far=not whole)

    def load(
        self, *, store_name: str | None, at: datetime, live: bool, chart_metric: str
    ) -> Overview:
        """The Overview of ``store_name`` (None: every store) at ``at``."""
        known = self.store.stores()
        names = (
            [store_name] if store_name and store_name in known else ([] if store_name else known)
        )
        configs = [self.settings.store(n) for n in names]
        money = money_across(self.settings, names)
        configured = [s.name for s in self.settings.stores if s.name in names]
        tz = self._tz(configured or names)
        alerts = tuple(load_alerts(self.store, at=at, live=live, store_name=store_name))
        # One store without data for its today shows its latest day with data instead.
        latest: date | None = None
        shown_at, whole = at, live
        if store_name and names:
            shown = shown_day(self.store, self.engine, names[0], at)
            if shown.latest:
                latest, shown_at, whole = shown.day, shown.at, True
        stores_arg = names or None
        return Overview(
            at=at,
            live=live,
            store=store_name,
            stores=tuple(known),
            currency=money.currency,
            tz_name=str(tz),
            figures=self._figures(stores_arg, names, shown_at, money, so_far=latest is None),
            hourly=self._hourly(stores_arg, names, shown_at, tz, chart_metric, money),
            channels=self._channels(stores_arg, names, shown_at, whole, money),
            promotion=tuple(
                row
                for config in configs
                for row in promotion_rows(
                    self.store, self.engine, config, self._window(shown_at, whole), shown_at
                )
            ),
            unsold=unsold_spend(self.store, self.engine, configs, self._window(shown_at, whole)),
            break_even_roi=configs[0].break_even_roi if len(configs) == 1 else None,
            alerts=alerts,
            health=tuple(load_health(self.store)),
            converted=money.converted,
            money_note=money.note,
            stores_strip=store_rows(
                self.store, self.engine, self.settings, names, alerts, at=at, live=live
            )
            if store_name is None
            else (),
            latest_day=latest,
            plans=self.plan_lines.lines(names, at),
            contribution=self._contribution(store_name, names, shown_at, whole),
        )

    def _contribution(
        self, store_name: str | None, names: list[str], at: datetime, whole: bool
    ) -> str:
        """One store's contribution line over the day shown (money stays in one currency)."""
        if not store_name or not names:
            return ""
        found = contribution(self.engine, self.settings, names[0], self._window(at, whole))
        if found.gmv is None and found.spend is None:
            return ""
        return contribution_line(found, self.settings.store(names[0]).currency)

    def _figures(
        self,
        stores: list[str] | None,
        names: list[str],
        at: datetime,
        money: MoneyAcross,
        *,
        so_far: bool,
    ) -> tuple[TrafficFigure, ...]:
        """Each traffic figure over each store's own today, yesterday and last week."""
        if not names:
            return ()
        compared = self.engine.compare(
            TRAFFIC_METRICS, stores=stores, at=at, rates=money.rates, so_far=so_far
        )
        keys = ("today", "yesterday", "last_week", "vs_yesterday", "vs_last_week")
        return tuple(
            # Money in different currencies does not add up: shown per store only.
            TrafficFigure(m, None, None, None, None, None)
            if uses_money(m) and not money.summable
            else TrafficFigure(m, *(clean(compared[m][k]) for k in keys))
            for m in TRAFFIC_METRICS
        )

    def _hourly(
        self,
        stores: list[str] | None,
        names: list[str],
        at: datetime,
        tz: tzinfo,
        metric: str,
        money: MoneyAcross,
    ) -> HourlySeries:
        if uses_money(metric) and not money.summable:
            empty = hourly_series(self.engine, metric, [], at, tz)
            return replace(empty, note=MIXED_CURRENCIES)
        series = hourly_series(
            self.engine, metric, stores if names else [], at, tz, rates=money.rates
        )
        if not uses_money(metric):
            return series
        return replace(series, note=money.note, currency=money.currency)

    def _channels(
        self,
        stores: list[str] | None,
        names: list[str],
        at: datetime,
        whole: bool,
        money: MoneyAcross,
    ) -> tuple[ChannelRow, ...]:
        """Each channel's traffic; its GMV only where the stores' money adds up."""
        if not names:
            return ()
        rows = self.engine.query(
            ["uv", "buyers", "gmv", "conversion_rate"],
            stores=stores,
            by="channel",
            period=self._window(at, whole),
            rates=money.rates,
        )
        total = sum(r["uv"] or 0.0 for r in rows)
        out = [
            ChannelRow(
                r["channel"],
                clean(r["uv"]),
                (r["uv"] / total) if r["uv"] and total else None,
                clean(r["buyers"]),
                clean(r["gmv"]) if money.summable else None,
                clean(r["conversion_rate"]),
            )
            for r in rows
            if r["uv"] is not None or r["gmv"] is not None
        ]
        out.sort(key=lambda c: -(c.uv or 0.0))
        return tuple(out)

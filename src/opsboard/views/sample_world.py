"""Demo-like seeded data for screenshots, tests and benchmarks: two stores, eight days.

Deterministic for a given seed and instant. The data carries what the dashboard is for:
a daily cycle with an evening peak, channels and campaigns, SKUs of which one loses its
traffic, one bounces, one has a weak main image and one spends without selling; a
campaign that will run out of budget before the evening; alerts firing and acknowledged.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opsboard.config.models import Settings, StoreConfig
from opsboard.models import HealthState, SourceHealth
from opsboard.points import RawPoint
from opsboard.storage.lock import COLLECTOR_KEY, CollectorInfo
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock, floor_hour, local_midnight, zone

#: The instant the screenshots and tests are taken at: 14:30 in Shanghai, 618 week.
SAMPLE_NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)

_HOURLY = (
    0.020, 0.010, 0.006, 0.004, 0.004, 0.006, 0.012, 0.022, 0.034, 0.046, 0.056, 0.058,
    0.052, 0.050, 0.054, 0.056, 0.052, 0.048, 0.050, 0.060, 0.074, 0.082, 0.074, 0.040,
)  # fmt: skip
_CHANNELS = {
    "organic_search": 0.40, "paid_search": 0.24, "display": 0.10, "affiliate": 0.05,
    "content": 0.08, "direct": 0.13,
}  # fmt: skip
_CAMPAIGNS = {
    # campaign: (channel, daily budget, share of the channel's clicks, ROI multiplier)
    "kw-brand": ("paid_search", 1800.0, 0.35, 1.8),
    "kw-generic": ("paid_search", 4500.0, 0.65, 1.0),
    "crowd-retarget": ("display", 2000.0, 1.0, 0.55),
    "tbk-cps": ("affiliate", 750.0, 1.0, 1.7),
}  # fmt: skip


#: Click-through rate of each campaign: the display plan's creative is the weak one.
_CTR = {"kw-brand": 0.082, "kw-generic": 0.068, "crowd-retarget": 0.021, "tbk-cps": 0.071}


#: The platform's names of the sample campaigns and products, as the exports give them.
CAMPAIGN_NAMES = {
    "kw-brand": "品牌词推广_旗舰店",
    "kw-generic": "关键词推广_家用大容量绞肉机",
    "crowd-retarget": "人群推广_老客召回",
    "tbk-cps": "淘宝客_通用计划",
}
_PRODUCT_NAMES = (
    "示例家用大容量绞肉机 不锈钢",
    "示例电动切肉机 商用",
    "示例料理机 多功能",
    "示例破壁机 静音",
    "示例榨汁杯 便携",
    "示例和面机 家用",
    "示例绞肉机刀片 配件",
    "示例打蛋器 无线",
    "示例电饭煲 4L",
    "示例空气炸锅 5L",
)


def sample_names(store_index: int) -> dict[tuple[str, str], str]:
    """The names of a sample store's campaigns and SKUs: {(kind, key): name}."""
    found = {("campaign", key): name for key, name in CAMPAIGN_NAMES.items()}
    found.update(
        {("sku", sku): name for sku, name in zip(skus(store_index), _PRODUCT_NAMES, strict=True)}
    )
    return found


def _campaign_budgets() -> dict[str, float]:
    budgets = {name: spec[1] for name, spec in _CAMPAIGNS.items()}
    budgets.update({"paid_search": 6300.0, "display": 2000.0, "affiliate": 750.0})
    return budgets


#: The sample stores, defined once for the screenshots, the tests, the benchmarks and the
#: demo: name, platform, zone, currency, category, margin and budgets. The seeded world
#: holds the first two (``SEEDED_STORES``); the demo's simulated platform hosts
#: tmall-flagship, jd-official and amazon-us and its drop folder feeds shopify-dtc.
SAMPLE_STORES: dict[str, StoreConfig] = {
    store.name: store
    for store in (
        StoreConfig(
            name="tmall-flagship",
            platform="tmall",
            timezone="Asia/Shanghai",
            currency="CNY",
            margin=0.4,
            daily_budget=4000.0,
            budgets=_campaign_budgets(),
            strategic_loss_campaigns=["crowd-retarget"],
        ),
        StoreConfig(
            name="amazon-us",
            platform="amazon",
            timezone="America/Los_Angeles",
            currency="USD",
            margin=0.3,
            daily_budget=600.0,
            budgets={k: v / 5 for k, v in _campaign_budgets().items()},
        ),
        StoreConfig(
            name="jd-official",
            platform="jd",
            timezone="Asia/Shanghai",
            currency="CNY",
            margin=0.28,
        ),
        StoreConfig(
            name="shopify-dtc",
            platform="shopify",
            timezone="America/New_York",
            currency="USD",
            margin=0.45,
            daily_budget=300.0,
        ),
    )
}
#: The stores the seeded world has data for.
SEEDED_STORES = ("tmall-flagship", "amazon-us")
#: The sample world's home zone: the flagship's, in which the tests' frozen clock is read.
SAMPLE_ZONE = SAMPLE_STORES["tmall-flagship"].timezone


def sample_settings() -> Settings:
    """Settings for the seeded sample stores (budgets, margins, a strategic-loss campaign)."""
    return Settings(stores=[SAMPLE_STORES[name] for name in SEEDED_STORES])


def skus(store_index: int) -> list[str]:
    """The sample SKU ids of a store: 12-digit text ids."""
    return [f"1002003004{store_index}{n}" for n in range(10)]


def seed(
    store: Store,
    *,
    now: datetime = SAMPLE_NOW,
    seed_value: int = 7,
    settings: Settings | None = None,
) -> int:
    """Write eight days of hourly data up to ``now`` plus alert and health state, for the
    seeded sample stores or the stores of ``settings`` (the first at full size, the
    others at a quarter, each on its own local days)."""
    rng = random.Random(seed_value)
    settings = settings or sample_settings()
    total = 0
    for index, config in enumerate(settings.stores):
        scale = 1.0 if index == 0 else 0.25
        rows = list(_store_points(config.name, zone(config.timezone), now, rng, scale, index))
        with store.batch(source="sample", origin=f"sample:{config.name}", store=config.name) as tx:
            total += tx.add_raw(rows)
            names = sample_names(index)
            tx.add_names({(config.name, kind, key): name for (kind, key), name in names.items()})
    _seed_state(store, now, settings)
    return total


def _store_points(
    name: str, tz: object, now: datetime, rng: random.Random, scale: float, index: int
) -> list[RawPoint]:
    from datetime import tzinfo

    assert isinstance(tz, tzinfo)
    today = now.astimezone(tz).date()
    start = local_midnight(today - timedelta(days=8), tz)
    end = floor_hour(now) + timedelta(hours=1)
    sku_ids = skus(index)
    points: list[RawPoint] = []
    hour = start
    while hour < end:
        local = hour.astimezone(tz)
        is_today = local.date() == today
        weekday = 1.1 if local.weekday() >= 5 else 1.0
        uv_total = 12000 * scale * _HOURLY[local.hour] * weekday * rng.uniform(0.9, 1.1)
        if is_today:
            uv_total *= 1.15  # a promotion day
        ts = int(hour.timestamp())

        def add(
            metric: str,
            value: float,
            channel: str = "",
            campaign: str = "",
            sku: str = "",
            ts: int = ts,
        ) -> None:
            points.append((name, "hour", ts, channel, campaign, sku, metric, round(value, 2)))

        buyers_total = gmv_total = 0.0
        for channel, share in _CHANNELS.items():
            uv = round(uv_total * share * rng.uniform(0.85, 1.15))
            buyers = round(uv * 0.032 * rng.uniform(0.8, 1.2))
            gmv = buyers * 118 * rng.uniform(0.9, 1.1)
            buyers_total += buyers
            gmv_total += gmv
            add("uv", uv, channel)
            add("buyers", buyers, channel)
            add("gmv", gmv, channel)
        uv_store = round(uv_total)
        add("uv", uv_store)
        add("pv", round(uv_store * 2.9 * rng.uniform(0.95, 1.05)))
        add("bounces", round(uv_store * 0.56 * rng.uniform(0.95, 1.05)))
        add("buyers", buyers_total)
        add("orders", round(buyers_total * 1.08))
        add("gmv", gmv_total)
        spend_total = 0.0
        for campaign, (channel, _budget, click_share, roi_k) in _CAMPAIGNS.items():
            clicks = round(uv_total * _CHANNELS[channel] * click_share * 0.9)
            cpc = (1.6 if campaign != "kw-generic" else 2.6) * scale**0.5
            if campaign == "kw-generic" and is_today:
                cpc *= 1.6  # a bid war: this plan burns its budget before the evening
            spend = clicks * cpc * rng.uniform(0.9, 1.1)
            ad_orders = round(clicks * 0.03 * roi_k)
            spend_total += spend
            add("clicks", clicks, channel, campaign)
            add("impressions", round(clicks / _CTR[campaign]), channel, campaign)
            add("spend", spend, channel, campaign)
            add("ad_orders", ad_orders, channel, campaign)
            add("ad_gmv", ad_orders * 118 * rng.uniform(0.9, 1.1), channel, campaign)
        add("spend", spend_total)
        for n, sku in enumerate(sku_ids):
            weight = (10 - n) / 55
            sku_uv = uv_total * weight * rng.uniform(0.85, 1.15)
            bounce, conversion, ctr = 0.52, 0.035, 0.07
            if n == 1 and is_today and local.hour >= 9:
                sku_uv *= 0.35  # lost its search rank this morning
            if n == 3:
                bounce = 0.81 if is_today else 0.6
            if n == 4:
                ctr = 0.031
            spend = spend_total * weight
            orders = 0 if n == 6 else round(sku_uv * conversion)
            if n == 6:
                spend *= 3
            uv = round(sku_uv)
            add("uv", uv, sku=sku)
            add("bounces", round(uv * bounce), sku=sku)
            add("detail_bounces", round(uv * bounce), sku=sku)  # the item page's own
            add("buyers", orders, sku=sku)
            add("orders", orders, sku=sku)
            add("gmv", orders * 118.0, sku=sku)
            add("clicks", round(uv * 0.3), sku=sku)
            add("impressions", round(uv * 0.3 / ctr), sku=sku)
            add("spend", spend, sku=sku)
            add("ad_orders", round(orders * 0.3), sku=sku)
        hour += timedelta(hours=1)
    return points


def _seed_state(store: Store, now: datetime, settings: Settings) -> None:
    """Source health, then the alerts the real engine raises over the morning, one ack.

    The engine is evaluated at the end of every hour since yesterday began, as a collector
    would have, so the alerts, their ages and their states are what the rules make of
    the data, not made up.
    """
    from opsboard.alerts import ack, active_alerts
    from opsboard.alerts.engine import AlertEngine

    store.set_health(
        SourceHealth("sycm-drop", HealthState.OK, now - timedelta(hours=9), last_ok=now)
    )
    store.set_health(
        SourceHealth(
            "platform-api",
            HealthState.RATE_LIMITED,
            now - timedelta(minutes=3),
            reason="429: retrying in 30s",
            last_ok=now - timedelta(minutes=3),
        )
    )
    zones = {s.name: zone(s.timezone) for s in settings.stores}

    def evaluate(at: datetime, *, replay: bool) -> None:
        engine = AlertEngine(
            store, settings, FrozenClock(at), tz_for=zones.__getitem__, replay=replay
        )
        engine.evaluate()

    # Replayed at the end of each hour since yesterday's start: the engine reads only what
    # was known by then.
    first = settings.stores[0].name
    home = zones[first]
    at = local_midnight(now.astimezone(home).date() - timedelta(days=1), home)
    while at + timedelta(hours=1) <= now:
        at += timedelta(hours=1)
        evaluate(at, replay=True)
    evaluate(now, replay=False)
    bounce = [
        alert.id
        for alert in active_alerts(store, first, now=now, resolved_within=timedelta(days=36500))
        if alert.rule == "detail-page-bounce"
    ]
    if bounce:
        ack(store, min(bounce), "li.wei", "new detail page tonight", now=now - timedelta(hours=2))


#: The collector the sample world shows as running: another process on the team server.
SAMPLE_COLLECTOR = CollectorInfo(4242, "ops-server", "ops", "2026-06-18T01:00:00+00:00")


def hold_sample_collector(db_path: Path) -> Store:
    """Hold the collector lock of ``db_path`` as the sample world's collector (pid 4242 on
    ops-server, polled 12 s before ``SAMPLE_NOW``), so that a dashboard opened on it views,
    as beside a team's collector; close the returned store to let go."""
    holder = Store.open(db_path)
    holder.acquire_collector_lock()
    holder.set_meta(COLLECTOR_KEY, SAMPLE_COLLECTOR.dumps())
    holder.record_poll(SAMPLE_NOW - timedelta(seconds=12))
    return holder

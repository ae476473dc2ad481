"""The simulated platform's stores, products and ad campaigns, built from a seed.

Three stores (a Tmall flagship in Shanghai time, a JD store, an Amazon US store in
Los Angeles time) with a few hundred SKUs between them, each with a daily traffic curve,
weekday effects, promotion days with a warm-up, and the planted problems an operator
should spot: a SKU whose traffic collapses, a detail page with bounce above 75%, a
campaign below break-even ROI and one that exhausts its budget early.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from opsboard_simulator.promotions import (
    BLACK_FRIDAY,
    PRIME_DAY,
    Promotion,
    busiest,
    once,
    yearly,
)

#: Share of a day's visitors in each local hour: quiet nights, a lunch bump, an evening peak.
DAILY_CURVE: tuple[float, ...] = (
    0.030, 0.018, 0.010, 0.006, 0.005, 0.006, 0.012, 0.022, 0.034, 0.045, 0.052, 0.054,
    0.050, 0.048, 0.050, 0.051, 0.050, 0.049, 0.050, 0.058, 0.068, 0.072, 0.064, 0.046,
)  # fmt: skip
_CURVE_TOTAL = sum(DAILY_CURVE)
HOUR_SHARE: tuple[float, ...] = tuple(v / _CURVE_TOTAL for v in DAILY_CURVE)
#: Share of the day's planned ad spend gone before each local hour starts.
SHARE_BEFORE: tuple[float, ...] = tuple(sum(HOUR_SHARE[:h]) for h in range(24))

#: Monday .. Sunday.
WEEKDAY_FACTOR: tuple[float, ...] = (0.96, 0.97, 0.98, 0.99, 1.0, 1.08, 1.1)

#: Traffic channels: (channel, share of visitors, bounce rate, conversion multiplier).
CHANNEL_MIX: tuple[tuple[str, float, float, float], ...] = (
    ("organic_search", 0.38, 0.42, 1.10),
    ("paid_search", 0.18, 0.46, 1.00),
    ("display", 0.10, 0.58, 0.55),
    ("affiliate", 0.06, 0.50, 1.25),
    ("content", 0.10, 0.55, 0.70),
    ("direct", 0.14, 0.30, 1.60),
    ("other", 0.04, 0.60, 0.50),
)

#: The simulated stores' ids, the same for every seed.
STORE_IDS: tuple[str, ...] = ("tmall-flagship", "jd-official", "amazon-us")


@dataclass(frozen=True)
class Campaign:
    """An ad campaign (plan) with its daily budget and how it performs."""

    id: str
    name: str
    channel: str
    daily_budget: float
    roi: float
    """Attributed GMV per unit of spend, on average."""
    spend_ratio: float
    """Planned spend as a share of the budget; above 1 the budget runs out early."""
    cpc: float
    ctr: float
    skus: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreSpec:
    """One simulated store and what drives its numbers."""

    id: str
    name: str
    platform: str
    timezone: str
    currency: str
    margin: float
    daily_uv: float
    conversion: float
    aov: float
    skus: tuple[str, ...]
    sku_weights: tuple[float, ...]
    campaigns: tuple[Campaign, ...]
    promotions: tuple[Promotion, ...]
    collapsing_sku: str = ""
    """A SKU whose traffic collapses a few hours before the simulation starts."""
    bouncing_sku: str = ""
    """A SKU whose detail page loses more than 75% of its visitors."""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def daily_budget(self) -> float:
        """The store's total daily ad budget (sum of its campaigns)."""
        return round(sum(c.daily_budget for c in self.campaigns), 2)

    def describe(self) -> dict[str, object]:
        """The store as the API lists it."""
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform,
            "timezone": self.timezone,
            "currency": self.currency,
            "margin": self.margin,
            "daily_budget": self.daily_budget,
            "sku_count": len(self.skus),
        }

    def promotion_factor(self, day: date, hour: int) -> float:
        """How much busier than an ordinary day this local day and hour is."""
        return busiest(self.promotions, day, hour)


def _zipf(count: int, rng: random.Random) -> tuple[float, ...]:
    raw = [1.0 / (rank + 1) ** 0.9 * rng.uniform(0.8, 1.2) for rank in range(count)]
    total = sum(raw)
    return tuple(w / total for w in raw)


def _skus(prefix: str, count: int, digits: int, rng: random.Random) -> tuple[str, ...]:
    seen: list[str] = []
    while len(seen) < count:
        body = "".join(rng.choice("0123456789") for _ in range(digits - len(prefix)))
        sku = prefix + body
        if sku not in seen:
            seen.append(sku)
    return tuple(seen)


def _asins(count: int, rng: random.Random) -> tuple[str, ...]:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    seen: list[str] = []
    while len(seen) < count:
        asin = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
        if asin not in seen:
            seen.append(asin)
    return tuple(seen)


def build_catalog(seed: int, anniversary: date | None = None) -> tuple[StoreSpec, ...]:
    """The three simulated stores, identical for the same seed and anniversary.

    ``anniversary`` is the day the Tmall store celebrates its anniversary (店庆), with a
    three-day warm-up; None for none.
    """
    rng = random.Random(f"{seed}:catalog")
    tmall_skus = _skus("6", 120, 12, rng)
    jd_skus = _skus("10", 80, 13, rng)
    amazon_skus = _asins(60, rng)
    double11 = Promotion("Double 11", 3.5, yearly(11, 11), warmup_days=10)
    tmall_promotions: tuple[Promotion, ...] = (
        double11,
        Promotion("618", 2.5, yearly(6, 18), warmup_days=7),
    )
    if anniversary is not None:
        store_day = Promotion("Store anniversary", 2.4, once(anniversary), warmup_days=3)
        tmall_promotions += (store_day,)
    tmall = StoreSpec(
        id=STORE_IDS[0],
        name="Tmall flagship store",
        platform="tmall",
        timezone="Asia/Shanghai",
        currency="CNY",
        margin=0.35,
        daily_uv=48000,
        conversion=0.028,
        aov=168.0,
        skus=tmall_skus,
        sku_weights=_zipf(len(tmall_skus), rng),
        campaigns=(
            Campaign(
                "tm-kw-brand",
                "Keyword: brand terms",
                "paid_search",
                3000,
                6.0,
                0.8,
                1.1,
                0.06,
                tmall_skus[0:4],
            ),
            Campaign(
                "tm-kw-generic",
                "Keyword: category terms",
                "paid_search",
                4000,
                3.4,
                1.7,
                1.6,
                0.03,
                tmall_skus[4:8],
            ),
            Campaign(
                "tm-crowd-retarget",
                "Audience: retargeting",
                "display",
                2500,
                4.2,
                0.85,
                0.9,
                0.02,
                tmall_skus[0:3],
            ),
            Campaign(
                "tm-crowd-prospect",
                "Audience: prospecting",
                "display",
                3500,
                1.5,
                0.9,
                0.7,
                0.012,
                tmall_skus[8:12],
            ),
            Campaign(
                "tm-cps", "Affiliate (CPS)", "affiliate", 1500, 8.0, 0.7, 2.5, 0.05, tmall_skus[0:6]
            ),
        ),
        promotions=tmall_promotions,
        collapsing_sku=tmall_skus[2],
    )
    jd = StoreSpec(
        id=STORE_IDS[1],
        name="JD official store",
        platform="jd",
        timezone="Asia/Shanghai",
        currency="CNY",
        margin=0.28,
        daily_uv=26000,
        conversion=0.024,
        aov=215.0,
        skus=jd_skus,
        sku_weights=_zipf(len(jd_skus), rng),
        campaigns=(
            Campaign(
                "jd-search", "JZT search", "paid_search", 2800, 4.6, 0.85, 1.4, 0.04, jd_skus[0:4]
            ),
            Campaign(
                "jd-display", "JZT display", "display", 1800, 2.9, 0.9, 0.8, 0.015, jd_skus[4:8]
            ),
            Campaign(
                "jd-item",
                "JZT item promotion",
                "paid_search",
                1200,
                5.1,
                0.75,
                1.2,
                0.035,
                jd_skus[1:5],
            ),
        ),
        promotions=(double11, Promotion("618", 3.0, yearly(6, 18), warmup_days=10)),
        bouncing_sku=jd_skus[4],
    )
    amazon = StoreSpec(
        id=STORE_IDS[2],
        name="Amazon US store",
        platform="amazon",
        timezone="America/Los_Angeles",
        currency="USD",
        margin=0.4,
        daily_uv=9000,
        conversion=0.09,
        aov=34.0,
        skus=amazon_skus,
        sku_weights=_zipf(len(amazon_skus), rng),
        campaigns=(
            Campaign(
                "sp-auto",
                "Sponsored Products auto",
                "paid_search",
                400,
                4.0,
                0.9,
                0.85,
                0.004,
                amazon_skus[0:4],
            ),
            Campaign(
                "sp-exact",
                "Sponsored Products exact",
                "paid_search",
                300,
                5.5,
                0.8,
                1.1,
                0.006,
                amazon_skus[0:2],
            ),
            Campaign(
                "sd-retarget",
                "Sponsored Display retargeting",
                "display",
                250,
                1.8,
                0.9,
                0.6,
                0.003,
                amazon_skus[2:6],
            ),
        ),
        promotions=(
            Promotion("Black Friday", 2.8, BLACK_FRIDAY, warmup_days=5, midnight_rush=False),
            Promotion("Prime Day", 2.5, PRIME_DAY, warmup_days=2, midnight_rush=False),
        ),
    )
    return (tmall, jd, amazon)

"""The simulated platform's data: generated on demand per store and hour, never stored.

Every hour's figures come from a random generator seeded by (seed, store, hour), so that
the same seed always gives the same history and nothing but a small cache is kept in
memory. Time is simulated: it starts at an origin and runs ``speed`` times faster than
the wall clock (``speed`` 0 stands still until ``advance`` is called).

Records are read in the order they were last updated, so that a client that remembers
the newest ``updated_at`` it has seen can ask only for what changed since (``since``).
Yesterday's ad figures are restated a few hours after the store's day ends (invalid
clicks refunded, late orders attributed): the restated records get a new ``updated_at``
and a higher ``revision``.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from opsboard_api.wire import TRAFFIC_METRICS

from opsboard_simulator.catalog import (
    CHANNEL_MIX,
    HOUR_SHARE,
    SHARE_BEFORE,
    WEEKDAY_FACTOR,
    Campaign,
    StoreSpec,
    build_catalog,
)

HOUR = 3600
#: How much history exists before the simulation's origin.
HISTORY = timedelta(days=14)
#: Hours after a store's local midnight at which yesterday's ad figures are restated.
RESTATE_AFTER_HOURS = 4
#: Store-hours of records kept once made: a poll reads the hours under way again and again,
#: a backfill reads each hour once (more would only hold a history nobody reads twice).
_CACHED_HOURS = 128
#: The zone of the store whose anniversary is placed relative to the start (tmall-flagship).
ANNIVERSARY_ZONE = ZoneInfo("Asia/Shanghai")

Record = dict[str, object]


@dataclass(frozen=True)
class Slot:
    """One hour of one dataset as seen at some instant: when it last changed, and how."""

    updated_at: int
    hour: int
    partial: bool
    revision: int


def floor_hour_epoch(epoch: float) -> int:
    """The start of the UTC hour containing ``epoch``."""
    return int(epoch) // HOUR * HOUR


def iso(epoch: float) -> str:
    """An epoch instant as an ISO 8601 UTC string with a ``Z``."""
    text = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


class SimClock:
    """Simulated time: ``origin`` plus the wall time elapsed times ``speed``, plus jumps."""

    def __init__(self, origin: datetime, speed: float) -> None:
        if origin.tzinfo is None:
            raise ValueError("the simulation's start must be an aware datetime")
        self.origin = origin.astimezone(UTC).timestamp()
        self.speed = speed
        self._started = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """The simulated instant, as epoch seconds."""
        with self._lock:
            elapsed = (time.monotonic() - self._started) * self.speed
            return self.origin + self._offset + elapsed

    def advance(self, delta: timedelta) -> None:
        """Jump simulated time forward by ``delta``."""
        with self._lock:
            self._offset += delta.total_seconds()


class Simulation:
    """The data of the simulated platform, deterministic from ``seed`` and the origin.

    The Tmall store's anniversary peaks ``promo_in`` days after the origin's date (None:
    no anniversary), so that the history served holds a promotion whatever the date.
    """

    def __init__(self, seed: int, clock: SimClock, *, promo_in: int | None = 0) -> None:
        self.seed = seed
        self.clock = clock
        # The anniversary's day counts in the Tmall store's calendar (Shanghai).
        start_day = datetime.fromtimestamp(clock.origin, ANNIVERSARY_ZONE).date()
        anniversary = None if promo_in is None else start_day + timedelta(days=promo_in)
        self.stores = {spec.id: spec for spec in build_catalog(seed, anniversary)}
        self.history_start = floor_hour_epoch(clock.origin - HISTORY.total_seconds())
        self._zones = {spec.id: ZoneInfo(spec.timezone) for spec in self.stores.values()}
        self._cache: OrderedDict[tuple[str, str, int], list[Record]] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- time ------------------------------------------------------------------------------

    def local(self, store: str, epoch: int) -> datetime:
        """``epoch`` in the store's time zone."""
        return datetime.fromtimestamp(epoch, self._zones[store])

    def restated_at(self, store: str, hour: int) -> int:
        """When the ad figures of ``hour`` are restated: a few hours after its local day."""
        local = self.local(store, hour)
        next_day = (local + timedelta(days=1)).date()
        midnight = datetime(next_day.year, next_day.month, next_day.day, tzinfo=local.tzinfo)
        return int(midnight.timestamp()) + RESTATE_AFTER_HOURS * HOUR

    def slots(
        self,
        store: str,
        dataset: str,
        *,
        as_of: float,
        since: float | None,
        start: float | None,
        end: float | None,
    ) -> list[Slot]:
        """The hours a query covers, ordered by when they last changed."""
        first = self.history_start
        if start is not None:
            first = max(first, floor_hour_epoch(start) + (HOUR if start % HOUR else 0))
        current = floor_hour_epoch(as_of)
        last = current if end is None else min(current, floor_hour_epoch(end - 1))
        slots = []
        for hour in range(first, last + 1, HOUR):
            partial = hour == current
            if partial and as_of <= hour:
                continue
            updated, revision = (int(as_of), 0) if partial else (hour + HOUR, 0)
            if dataset == "ads" and not partial:
                restated = self.restated_at(store, hour)
                if restated <= as_of:
                    updated, revision = restated, 1
            if since is not None and updated < since:
                continue
            slots.append(Slot(updated, hour, partial, revision))
        slots.sort(key=lambda s: (s.updated_at, s.hour))
        return slots

    # -- records ---------------------------------------------------------------------------

    def per_hour(self, store: str, dataset: str) -> int:
        """How many records one hour of ``dataset`` holds (the same for every hour)."""
        spec = self.stores[store]
        if dataset == "traffic":
            return 1 + len(CHANNEL_MIX) + len(spec.skus)
        return sum(1 + len(c.skus) for c in spec.campaigns)

    def page(
        self, store: str, dataset: str, slots: list[Slot], offset: int, limit: int, as_of: float
    ) -> list[Record]:
        """``limit`` records from ``offset`` in the order of ``slots``."""
        size = self.per_hour(store, dataset)
        out: list[Record] = []
        index, skip = divmod(offset, size)
        while len(out) < limit and index < len(slots):
            records = self.records(store, dataset, slots[index], as_of)
            take = records[skip : skip + limit - len(out)]
            out.extend(take)
            index, skip = index + 1, 0
        return out

    def records(self, store: str, dataset: str, slot: Slot, as_of: float) -> list[Record]:
        """Every record of one hour as it stood at ``as_of``."""
        full = self._full_hour(store, dataset, slot.hour, slot.revision)
        share = min(1.0, (as_of - slot.hour) / HOUR) if slot.partial else 1.0
        out = []
        for base in full:
            metrics = base["metrics"]
            assert isinstance(metrics, dict)
            if share < 1.0:
                metrics = {
                    name: (round(v * share, 2) if name in ("gmv", "spend", "ad_gmv")
                           else int(v * share))
                    for name, v in metrics.items()
                }  # fmt: skip
            out.append(
                {
                    **base,
                    "metrics": metrics,
                    "partial": slot.partial,
                    "updated_at": iso(slot.updated_at),
                    "revision": slot.revision,
                }
            )
        return out

    def _full_hour(self, store: str, dataset: str, hour: int, revision: int) -> list[Record]:
        key = (store, dataset, hour * 2 + revision)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        rng = random.Random(f"{self.seed}:{store}:{dataset}:{hour}")
        spec = self.stores[store]
        if dataset == "traffic":
            made = list(self._traffic(spec, hour, rng))
        else:
            made = list(self._ads(spec, hour, rng, restated=revision > 0))
        with self._cache_lock:
            self._cache[key] = made
            while len(self._cache) > _CACHED_HOURS:
                self._cache.popitem(last=False)
        return made

    def _expected_uv(self, spec: StoreSpec, hour: int) -> float:
        local = self.local(spec.id, hour)
        return (
            spec.daily_uv
            * HOUR_SHARE[local.hour]
            * WEEKDAY_FACTOR[local.weekday()]
            * spec.promotion_factor(local.date(), local.hour)
        )

    def _traffic(self, spec: StoreSpec, hour: int, rng: random.Random) -> Iterator[Record]:
        expected = self._expected_uv(spec, hour)
        local = self.local(spec.id, hour)
        promo = spec.promotion_factor(local.date(), local.hour)
        conversion = spec.conversion * (1.6 if promo > 2 else 1.0)
        stamp = iso(hour)
        # Counts stay integers (the API documents them so); only GMV is an amount.
        totals: dict[str, float] = dict.fromkeys(TRAFFIC_METRICS, 0)
        channels = []
        for channel, share, bounce_rate, cvr in CHANNEL_MIX:
            metrics = _visits(expected * share, bounce_rate, conversion * cvr, spec.aov, rng)
            for name, value in metrics.items():
                totals[name] += value
            channels.append(self._record(spec.id, "ch", stamp, hour, metrics, channel=channel))
        # The store's own figures: a visitor arriving through two channels counts once.
        uv = round(totals["uv"] * 0.92)
        store_metrics: dict[str, float] = {
            "uv": uv,
            "pv": totals["pv"],
            "bounces": min(uv, round(totals["bounces"] * 0.9)),
            "buyers": round(totals["buyers"] * 0.97),
            "orders": totals["orders"],
            "gmv": round(totals["gmv"], 2),
            "cart_adds": totals["cart_adds"],
        }
        yield self._record(spec.id, "store", stamp, hour, store_metrics)
        yield from channels
        collapse_from = floor_hour_epoch(self.clock.origin) - 4 * HOUR
        for sku, weight in zip(spec.skus, spec.sku_weights, strict=True):
            visitors = expected * 1.25 * weight
            bounce_rate = 0.45
            if sku == spec.collapsing_sku and hour >= collapse_from:
                visitors *= 0.12
            if sku == spec.bouncing_sku:
                bounce_rate = 0.82
            metrics = _visits(visitors, bounce_rate, conversion * 1.05, spec.aov, rng)
            yield self._record(spec.id, "sku", stamp, hour, metrics, sku=sku)

    def _ads(
        self, spec: StoreSpec, hour: int, rng: random.Random, *, restated: bool
    ) -> Iterator[Record]:
        local = self.local(spec.id, hour)
        day_promo = spec.promotion_factor(local.date(), 12)
        stamp = iso(hour)
        # Restatement draws come from their own generator so the other figures stay put.
        restatement = random.Random(f"{self.seed}:{spec.id}:restate:{hour}")
        for campaign in spec.campaigns:
            budget = budget_for(campaign, day_promo)
            planned = budget * campaign.spend_ratio
            left = max(0.0, budget - planned * SHARE_BEFORE[local.hour])
            spend = min(left, planned * HOUR_SHARE[local.hour] * rng.lognormvariate(0, 0.12))
            cpc = campaign.cpc * rng.uniform(0.9, 1.1)
            clicks = round(spend / cpc)
            impressions = round(clicks / (campaign.ctr * rng.uniform(0.85, 1.15)))
            ad_gmv = spend * campaign.roi * rng.lognormvariate(0, 0.2)
            if restated:
                # Invalid clicks refunded, late orders attributed.
                refund = restatement.uniform(0.955, 0.99)
                spend *= refund
                clicks = round(clicks * refund)
                ad_gmv *= restatement.uniform(1.0, 1.04)
            spend = round(spend, 2)
            ad_gmv = round(ad_gmv, 2)
            metrics: dict[str, float] = {
                "impressions": impressions,
                "clicks": clicks,
                "spend": spend,
                "ad_orders": round(ad_gmv / spec.aov),
                "ad_gmv": ad_gmv,
            }
            record = self._record(
                spec.id, "cmp", stamp, hour, metrics, channel=campaign.channel,
                campaign=campaign.id,
            )  # fmt: skip
            # The platform names its plans: the name comes with the plan's figures.
            record["campaign_name"] = campaign.name
            yield record
            shares = [rng.uniform(0.5, 1.5) for _ in campaign.skus]
            total = sum(shares)
            for sku, share in zip(campaign.skus, shares, strict=True):
                part = share / total
                yield self._record(
                    spec.id, "cmp-sku", stamp, hour,
                    {name: (round(v * part, 2) if name in ("spend", "ad_gmv")
                            else round(v * part)) for name, v in metrics.items()},
                    channel=campaign.channel, campaign=campaign.id, sku=sku,
                )  # fmt: skip

    @staticmethod
    def _record(
        store: str,
        kind: str,
        stamp: str,
        hour: int,
        metrics: dict[str, float],
        *,
        channel: str = "",
        campaign: str = "",
        sku: str = "",
    ) -> Record:
        scope = ":".join(part for part in (channel, campaign, sku) if part)
        return {
            "id": f"{store}:{hour}:{kind}{':' + scope if scope else ''}",
            "store": store,
            "hour": stamp,
            "channel": channel or None,
            "campaign": campaign or None,
            "sku": sku or None,
            "metrics": metrics,
        }

    # -- budgets ---------------------------------------------------------------------------

    def budgets(self, store: str, first: datetime, last: datetime) -> list[Record]:
        """Each campaign's budget for each local day from ``first`` to ``last``."""
        spec = self.stores[store]
        out: list[Record] = []
        day = first.date()
        while day <= last.date():
            promo = spec.promotion_factor(day, 12)
            for campaign in spec.campaigns:
                out.append(
                    {
                        "id": f"{store}:{day.isoformat()}:{campaign.id}",
                        "store": store,
                        "day": day.isoformat(),
                        "channel": campaign.channel,
                        "campaign": campaign.id,
                        "budget": budget_for(campaign, promo),
                        "currency": spec.currency,
                    }
                )
            day += timedelta(days=1)
        return out


def budget_for(campaign: Campaign, promo: float) -> float:
    """A campaign's budget on a day: raised on promotion and warm-up days."""
    return round(campaign.daily_budget * (1.0 if promo <= 1.0 else min(3.0, promo)), 2)


def _visits(
    visitors: float, bounce_rate: float, conversion: float, aov: float, rng: random.Random
) -> dict[str, float]:
    """One scope's traffic figures for an hour with ``visitors`` expected visitors."""
    uv = max(0, round(visitors * rng.lognormvariate(0, 0.08)))
    bounce = min(0.97, max(0.05, bounce_rate + rng.gauss(0, 0.02)))
    buyers = min(uv, round(uv * conversion * rng.lognormvariate(0, 0.15)))
    orders = buyers + round(buyers * 0.08 * rng.random())
    return {
        "uv": uv,
        "pv": round(uv * rng.uniform(2.4, 3.6)),
        "bounces": round(uv * bounce),
        "buyers": buyers,
        "orders": orders,
        "gmv": round(orders * aov * rng.lognormvariate(0, 0.1), 2),
        "cart_adds": round(uv * 0.085 * rng.lognormvariate(0, 0.1)),
    }

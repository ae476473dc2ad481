"""Building the review of one store and one day from the metrics engine.

Every figure comes from ``MetricsEngine.query`` (ratios of sums over the asked scope). The
day is compared with the same weekday last week and with the median of the same weekday
over the four weeks before; data completeness is assessed first, so that figures from a
source that delivered nothing, or only some hours, are reported as missing, not as a fall.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from opsboard.errors import UsageError
from opsboard.metrics import base_inputs
from opsboard.models import CHANNELS
from opsboard.query import Filters, MetricsEngine, Period
from opsboard.review.alerts_of_day import alerts_of_day
from opsboard.review.completeness import assess
from opsboard.review.decompose import gmv_effects
from opsboard.review.diagnose import BudgetRun, Facts, diagnose
from opsboard.review.model import (
    Completeness,
    GmvBridge,
    HourSpend,
    MetricMove,
    Move,
    Review,
)
from opsboard.review.narrative import summarise
from opsboard.review.stores import check_store
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import day_bounds

HEADLINE: tuple[tuple[str, str], ...] = (
    ("uv", "Visitors"),
    ("conversion_rate", "Conversion"),
    ("buyers", "Paying buyers"),
    ("gmv", "GMV"),
    ("aov", "AOV"),
    ("spend", "Ad spend"),
    ("roi", "ROI"),
)
DAY_METRICS = [
    *(m for m, _ in HEADLINE),
    "ad_gmv",
    "bounces",
    "bounce_rate",
    "impressions",
    "clicks",
    "ctr",
    "budget",
    "ad_orders",
]
SKU_METRICS = [
    "uv",
    "buyers",
    "gmv",
    "conversion_rate",
    "bounces",
    "bounce_rate",
    "impressions",
    "clicks",
    "ctr",
    "spend",
    "ad_orders",
    "ad_gmv",
]
CAMPAIGN_METRICS = ["impressions", "clicks", "ctr", "spend", "ad_orders", "ad_gmv", "roi", "budget"]
CHANNEL_METRICS = ["uv", "buyers", "gmv"]
WEEKS = 4
TOP_PRODUCTS = 5
#: At most this many campaigns get their hourly spend checked against their budget.
MAX_BUDGET_CAMPAIGNS = 20

Row = dict[str, Any]


def _by(rows: list[Row], key: str) -> dict[str, Row]:
    return {str(row[key]): row for row in rows}


def _median(values: list[float | None]) -> tuple[float | None, int]:
    known = [v for v in values if v is not None]
    return (statistics.median(known) if known else None), len(known)


class _Builder:
    """Holds the query context of one review while its parts are assembled."""

    def __init__(self, runtime: Runtime, store: Store, store_name: str, day: date) -> None:
        self.runtime = runtime
        self.store = store
        self.name = store_name
        self.day = day
        self.before_day = day - timedelta(days=7)
        self.config = runtime.settings.store(store_name)
        self.tz = runtime.tz_for(store_name)
        self.engine: MetricsEngine = runtime.engine(store)
        self.now = runtime.clock.now()
        self.start, self.end = day_bounds(day, self.tz)
        self.has_data = store_name in store.stores()
        self.unfinished = self.end > self.now
        self.cannot_tell: list[str] = []

    def query(self, metrics: list[str], by: str, day: date, **filters: str) -> list[Row]:
        """``MetricsEngine.query`` for this store and one local day."""
        if not self.has_data:
            return [{}] if by == "total" else []
        return self.engine.query(
            metrics,
            stores=[self.name],
            by=by,
            period=Period(first_day=day, last_day=day),
            filters=Filters(**filters),
        )

    def history(self) -> dict[str, Row]:
        """The day and the same weekday of the weeks before, one query per day, so that the
        days in between are never read."""
        if not self.has_data:
            return {}
        found = {}
        for k in range(WEEKS + 1):
            day = self.day - timedelta(days=7 * k)
            [row] = self.query(DAY_METRICS, "total", day)
            found[day.isoformat()] = row
        return found

    def headline(self, today: Row, weeks: list[Row], health: Completeness) -> list[MetricMove]:
        """The headline figures against last week and the trailing median, with a status."""
        moves = []
        for metric, label in HEADLINE:
            value = today.get(metric)
            median, count = _median([w.get(metric) for w in weeks])
            inputs = base_inputs([metric])
            status = health.status_of(inputs)
            if value is None and status == "ok":
                status = "no_data"
            elif status == "ok" and self.unfinished:
                status = "partial"  # a day so far is not comparable with whole days
            moves.append(
                MetricMove(
                    metric=metric,
                    label=label,
                    value=value,
                    last_week=weeks[0].get(metric),
                    median=median,
                    median_weeks=count,
                    status=status,
                    last_week_status=health.baseline_status_of(inputs),
                )
            )
        return moves

    def bridge(self, today: Row, before: Row, health: Completeness) -> GmvBridge | None:
        """The GMV change split into traffic, conversion and AOV; None when it cannot be."""
        parts = ("uv", "buyers", "gmv")
        if self.unfinished:
            self.cannot_tell.append(f"why GMV moved: {self.day} is not over")
            return None
        if health.status_of(list(parts)) != "ok":
            self.cannot_tell.append(
                "why GMV moved: visitors, buyers or GMV are incomplete for the day"
            )
            return None
        if health.baseline_status_of(list(parts)) != "ok":
            self.cannot_tell.append(
                f"why GMV moved: visitors, buyers or GMV are incomplete for {self.before_day}"
            )
            return None
        now = [today.get(m) for m in parts]
        then = [before.get(m) for m in parts]
        if any(v is None for v in now) or any(v is None for v in then):
            if all(v is not None for v in now):
                self.cannot_tell.append(
                    f"why GMV moved: no visitors, buyers and GMV for {self.before_day} "
                    "to compare with"
                )
            return None
        result = gmv_effects(
            (float(then[0] or 0), float(then[1] or 0), float(then[2] or 0)),
            (float(now[0] or 0), float(now[1] or 0), float(now[2] or 0)),
        )
        if result is None:
            self.cannot_tell.append("why GMV moved: GMV, buyers and visitors disagree")
            return None
        effects, method = result
        return GmvBridge(
            baseline=self.before_day.isoformat(),
            before=float(then[2] or 0),
            after=float(now[2] or 0),
            effects=effects,
            method=method,
        )

    def moves(self, today: dict[str, Row], before: dict[str, Row], metric: str) -> list[Move]:
        """Each key's move on ``metric``, with its share of the net change of all keys."""
        raw = [
            Move(key, metric, before.get(key, {}).get(metric), today.get(key, {}).get(metric))
            for key in sorted(set(today) | set(before))
        ]
        raw = [m for m in raw if m.before is not None or m.after is not None]
        net = sum(m.delta for m in raw)
        return [
            Move(m.key, m.metric, m.before, m.after, (m.delta / net) if net else None) for m in raw
        ]

    def comparable(
        self,
        health: Completeness,
        metric: str,
        dimension: str,
        now: dict[str, Row],
        then: dict[str, Row],
    ) -> bool:
        """Whether moves of ``metric`` by ``dimension`` can be shown; says why not."""
        has_now = any(r.get(metric) is not None for r in now.values())
        has_then = any(r.get(metric) is not None for r in then.values())
        if not has_now and not has_then:
            return False
        what = f"{'visitors' if metric == 'uv' else metric.upper()} by {dimension}"
        if self.unfinished:
            reason = f"{self.day} is not over"
        elif not health.comparable(metric, dimension):
            reason = "its data is incomplete on one of the two days"
        elif not has_now or not has_then:
            day = self.before_day if not has_then else self.day
            reason = f"there is no such data for {day}"
        else:
            return True
        self.cannot_tell.append(f"moves in {what}: {reason}")
        return False

    def hourly(self, **filters: str) -> tuple[HourSpend, ...]:
        """Spend by local hour of the day and its running total."""
        if not self.has_data:
            return ()
        rows = self.engine.query(
            ["spend"],
            stores=[self.name],
            by="hour",
            period=Period(start=self.start, end=self.end),
            filters=Filters(**filters),
        )
        hours = []
        total = 0.0
        for row in rows:
            if row.get("spend") is None:
                continue
            total += row["spend"]
            hour = datetime.fromisoformat(row["hour"]).astimezone(self.tz).hour
            hours.append(HourSpend(hour=hour, spend=row["spend"], cumulative=total))
        return tuple(hours)

    def budget_runs(
        self, today: Row, campaigns: dict[str, Row], store_hours: tuple[HourSpend, ...]
    ) -> tuple[list[BudgetRun], float | None]:
        """The budgeted scopes (store, configured channels and campaigns, campaigns with a
        budget in the data) with their hourly spend, and the store's budget."""
        runs = []
        store_budget = today.get("budget")
        if store_budget is None:
            store_budget = self.config.daily_budget
        if store_budget and store_hours:
            runs.append(BudgetRun("store", store_budget, store_hours))
        elif store_budget and (today.get("spend") or 0) >= 0.98 * store_budget:
            self.cannot_tell.append(
                "when the budget ran out: the day's spend used it up, but there is no hourly "
                "spend to tell when"
            )
        budgets: dict[tuple[str, str], float] = {}
        for key, amount in self.config.budgets.items():
            kind = "channel" if key in CHANNELS else "campaign"
            budgets[(kind, key)] = amount
        ranked = sorted(campaigns.items(), key=lambda kv: -(kv[1].get("spend") or 0.0))
        for key, row in ranked[:MAX_BUDGET_CAMPAIGNS]:
            if row.get("budget"):
                budgets[("campaign", key)] = float(row["budget"])
        for (kind, key), amount in sorted(budgets.items()):
            if amount <= 0:
                continue
            hours = self.hourly(**{kind: key})
            if hours:
                runs.append(BudgetRun(f"{kind} {key}", amount, hours))
        return runs, store_budget

    def build(self) -> Review:
        """The whole review."""
        history = self.history()
        today = history.get(self.day.isoformat(), {})
        weeks = [
            history.get((self.day - timedelta(days=7 * k)).isoformat(), {})
            for k in range(1, WEEKS + 1)
        ]
        before = weeks[0]
        health = assess(
            self.store, self.name, start=self.start, end=self.end, now=self.now, tz=self.tz
        )
        headline = self.headline(today, weeks, health)
        bridge = self.bridge(today, before, health)
        channels_now = _by(self.query(CHANNEL_METRICS, "channel", self.day), "channel")
        channels_then = _by(self.query(CHANNEL_METRICS, "channel", self.before_day), "channel")
        skus_now = _by(self.query(SKU_METRICS, "sku", self.day), "sku")
        skus_then = _by(self.query(SKU_METRICS, "sku", self.before_day), "sku")
        campaigns = _by(self.query(CAMPAIGN_METRICS, "campaign", self.day), "campaign")
        channel_moves: list[Move] = []
        if self.comparable(health, "uv", "channel", channels_now, channels_then):
            channel_moves = sorted(
                self.moves(channels_now, channels_then, "uv"), key=lambda m: -abs(m.delta)
            )
        products: dict[str, tuple[Move, ...]] = {}
        for metric in ("gmv", "uv"):
            if not self.comparable(health, metric, "SKU", skus_now, skus_then):
                continue
            moves = self.moves(skus_now, skus_then, metric)
            products[f"{metric}_losers"] = _side(moves, losers=True)
            products[f"{metric}_gainers"] = _side(moves, losers=False)
        store_hours = self.hourly()
        runs, budget = self.budget_runs(today, campaigns, store_hours)
        facts = Facts(
            config=self.config,
            total=today,
            total_before=before,
            skus=skus_now,
            skus_before=skus_then,
            campaigns=campaigns,
            completeness=health,
            budget_runs=runs,
            cannot_tell=self.cannot_tell,
        )
        diagnoses = diagnose(facts)
        self._limits(today, weeks, health)
        alerts = alerts_of_day(self.store, self.name, self.start, self.end)
        review = Review(
            store=self.name,
            day=self.day,
            baseline_day=self.before_day,
            timezone=str(self.config.timezone),
            currency=self.config.currency,
            generated_at=self.now,
            headline=tuple(headline),
            summary=(),
            bridge=bridge,
            channels=tuple(channel_moves),
            products=products,
            diagnoses=tuple(diagnoses),
            alerts=alerts,
            completeness=health,
            cannot_tell=tuple(dict.fromkeys(self.cannot_tell)),
            hourly_spend=store_hours,
            budget=budget,
            day_has_data=any(v is not None for v in today.values()),
            latest_data=self.latest_day() if self.has_data else None,
            gmv_history=tuple(
                (self.day - timedelta(days=7 * k), (today if k == 0 else weeks[k - 1]).get("gmv"))
                for k in range(WEEKS, -1, -1)
            ),
        )
        return _with_summary(review)

    def latest_day(self) -> date | None:
        """The last local day with any data for the store."""
        row = self.store.conn.execute(
            "SELECT max((SELECT max(ts) FROM points WHERE series_id = s.id)) "
            "FROM series s WHERE s.store = ?",
            (self.name,),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return datetime.fromtimestamp(int(row[0]), UTC).astimezone(self.tz).date()

    def _limits(self, today: Row, weeks: list[Row], health: Completeness) -> None:
        """Say what the review cannot tell, and why."""
        notes = self.cannot_tell
        if not self.has_data:
            notes.insert(0, f"anything about {self.name}: the store has no data at all yet")
            return
        if self.unfinished:
            notes.insert(
                0, f"the whole day: {self.day} is not over; figures so far are not compared"
            )
        if not any(v is not None for v in today.values()) and not health.missing_metrics:
            latest = self.latest_day()
            where = f" (the latest data is for {latest})" if latest else ""
            notes.insert(0, f"how {self.day} went: there is no data for that day{where}")
        if not any(any(v is not None for v in w.values()) for w in weeks):
            notes.append(
                f"changes: no data for the same weekday in the {WEEKS} weeks before "
                f"(a new store, or history not loaded)"
            )
        elif not any(v is not None for v in weeks[0].values()):
            notes.append(
                f"the change on last week: no data for {self.before_day}; "
                "the trailing median is shown instead"
            )
        unmatched = [
            label
            for metric, label in HEADLINE
            if today.get(metric) is not None and all(w.get(metric) is None for w in weeks)
        ]
        if unmatched and any(any(v is not None for v in w.values()) for w in weeks):
            notes.append(
                f"changes in {', '.join(unmatched)}: no such data on the same weekday in the "
                f"{WEEKS} weeks before"
            )
        if all(today.get(m) is None for m in ("spend", "impressions", "clicks")) and all(
            w.get("spend") is None for w in weeks
        ):
            notes.append("ad performance: there is no ad data for this store")


def _side(moves: list[Move], *, losers: bool) -> tuple[Move, ...]:
    """The top losers (or gainers), each with its share of all that the losers lost (or the
    gainers gained), so that the shares of one side add up to 100%."""
    chosen = [m for m in moves if (m.delta < 0 if losers else m.delta > 0)]
    gross = sum(m.delta for m in chosen)
    ranked = sorted(chosen, key=lambda m: abs(m.delta), reverse=True)[:TOP_PRODUCTS]
    return tuple(replace(m, share=m.delta / gross if gross else None) for m in ranked)


def _with_summary(review: Review) -> Review:
    return replace(review, summary=tuple(summarise(review)))


def build_review(runtime: Runtime, store: Store, store_name: str, day: date) -> Review:
    """The review of ``store_name`` for the local ``day``.

    Raises ``UsageError`` for an unknown store or a day that has not begun.
    """
    check_store(runtime, store, store_name)
    tz = runtime.tz_for(store_name)
    today = runtime.clock.now().astimezone(tz).date()
    if day > today:
        raise UsageError(
            f"{day} is in the future for {store_name} (today there is {today})",
            hint="give a past day, e.g. --date yesterday or --date -7d",
        )
    return _Builder(runtime, store, store_name, day).build()

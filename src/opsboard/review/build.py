"""Building the review of one store and one day from the metrics engine.

Every figure comes from ``MetricsEngine.query`` (ratios of sums over the asked scope). The
day is compared with the same weekday last week and with the median of the same weekday
over the four weeks before; data completeness is assessed first, so that figures from a
source that delivered nothing, or only some hours, are reported as missing, not as a fall.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from opsboard import i18n
from opsboard.config.builtin_rules import CTR_TARGET_EXEMPT_CHANNELS
from opsboard.errors import UsageError
from opsboard.glossary import metric_label
from opsboard.i18n import _
from opsboard.metrics import base_inputs
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.review.alerts_of_day import alerts_of_day
from opsboard.review.completeness import assess
from opsboard.review.decompose import gmv_effects
from opsboard.review.diagnose import diagnose
from opsboard.review.facts import Facts
from opsboard.review.hours import DayHours, budget_runs
from opsboard.review.limits import WEEKS, Scope, limits
from opsboard.review.model import (
    Completeness,
    GmvBridge,
    MetricMove,
    Move,
    Review,
)
from opsboard.review.narrative import summarise
from opsboard.review.plan import contribution_texts, day_statuses, plan_data, plan_texts
from opsboard.review.stores import check_store, default_day, review_stores
from opsboard.runtime import Runtime
from opsboard.storage import points
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
TERM_METRICS = ["spend", "clicks", "ad_orders", "ad_gmv"]
#: How many days, ending on the reviewed day, the search terms are read over: the day where
#: term reports come daily, else the week or month a summary report covers (DESIGN 3: a
#: span answers only a period that holds it whole).
TERM_WINDOWS = (1, 7, 31)
TOP_PRODUCTS = 5

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

    def terms(self) -> tuple[dict[str, Row], tuple[date, date] | None]:
        """The search terms' ad figures over the shortest window ending on the day that
        has some, and that window."""
        if not self.has_data:
            return {}, None
        for days in TERM_WINDOWS:
            first = self.day - timedelta(days=days - 1)
            rows = self.engine.query(
                TERM_METRICS,
                stores=[self.name],
                by="term",
                period=Period(first_day=first, last_day=self.day),
            )
            found = {str(r["term"]): r for r in rows if r["term"] and r.get("spend")}
            if found:
                return found, (first, self.day)
        return {}, None

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
                status = "so_far"  # a day so far is not comparable with whole days
            moves.append(
                MetricMove(
                    metric=metric,
                    label=metric_label(metric) if i18n.is_chinese() else label,
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
            self.cannot_tell.append(_("why GMV moved: {day} is not over").format(day=self.day))
            return None
        if health.status_of(list(parts)) != "ok":
            self.cannot_tell.append(
                _("why GMV moved: visitors, buyers or GMV are incomplete for the day")
            )
            return None
        if health.baseline_status_of(list(parts)) != "ok":
            self.cannot_tell.append(
                _("why GMV moved: visitors, buyers or GMV are incomplete for {day}").format(
                    day=self.before_day
                )
            )
            return None
        now = [today.get(m) for m in parts]
        then = [before.get(m) for m in parts]
        if any(v is None for v in now) or any(v is None for v in then):
            if all(v is not None for v in now):
                self.cannot_tell.append(
                    _(
                        "why GMV moved: no visitors, buyers and GMV for {day} to compare with"
                    ).format(day=self.before_day)
                )
            return None
        result = gmv_effects(
            (float(then[0] or 0), float(then[1] or 0), float(then[2] or 0)),
            (float(now[0] or 0), float(now[1] or 0), float(now[2] or 0)),
        )
        if result is None:
            self.cannot_tell.append(_("why GMV moved: GMV, buyers and visitors disagree"))
            return None
        effects, method = result
        return GmvBridge(
            baseline=self.before_day.isoformat(),
            before=float(then[2] or 0),
            after=float(now[2] or 0),
            effects=effects,
            method=method,
        )

    def names(self, skus: Iterable[str], campaigns: Iterable[str]) -> dict[tuple[str, str], str]:
        """The platform's names of the store's ``skus`` and ``campaigns``: {(kind, key): name}."""
        found: dict[tuple[str, str], str] = {}
        for kind, keys in (("sku", skus), ("campaign", campaigns)):
            for (_store, key), name in self.store.names_of(self.name, kind, keys).items():
                found[(kind, key)] = name
        return found

    def moves(self, today: dict[str, Row], before: dict[str, Row], metric: str) -> list[Move]:
        """Each key's move on ``metric``, with its share of its side: of all that the
        losers lost, or of all that the gainers gained."""
        raw = [
            Move(key, metric, before.get(key, {}).get(metric), today.get(key, {}).get(metric))
            for key in sorted(set(today) | set(before))
        ]
        raw = [m for m in raw if m.before is not None or m.after is not None]
        lost = sum(m.delta for m in raw if m.delta < 0)
        gained = sum(m.delta for m in raw if m.delta > 0)
        return [replace(m, share=_share_of_side(m.delta, lost, gained)) for m in raw]

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
        what = _("{metric} by {dimension}").format(
            metric=_("visitors") if metric == "uv" else _("GMV") if metric == "gmv" else metric,
            dimension=_("SKU") if dimension == "SKU" else _("channel"),
        )
        if self.unfinished:
            reason = _("{day} is not over").format(day=self.day)
        elif not health.comparable(metric, dimension):
            reason = _("its data is incomplete on one of the two days")
        elif not has_now or not has_then:
            day = self.before_day if not has_then else self.day
            reason = _("there is no such data for {day}").format(day=day)
        else:
            return True
        self.cannot_tell.append(_("moves in {what}: {reason}").format(what=what, reason=reason))
        return False

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
        not_search = frozenset(
            str(row["campaign"])
            for channel in CTR_TARGET_EXEMPT_CHANNELS
            for row in self.query(["impressions"], "campaign", self.day, channel=channel)
        )
        channel_moves: list[Move] = []
        if self.comparable(health, "uv", "channel", channels_now, channels_then):
            channel_moves = sorted(
                self.moves(channels_now, channels_then, "uv"), key=lambda m: -abs(m.delta)
            )
        names = self.names(skus_now.keys() | skus_then.keys(), campaigns.keys())
        products: dict[str, tuple[Move, ...]] = {}
        for metric in ("gmv", "uv"):
            if not self.comparable(health, metric, "SKU", skus_now, skus_then):
                continue
            moves = [
                replace(m, name=names.get(("sku", m.key), ""))
                for m in self.moves(skus_now, skus_then, metric)
            ]
            products[f"{metric}_losers"] = _side(moves, losers=True)
            products[f"{metric}_gainers"] = _side(moves, losers=False)
        hours = DayHours(self.engine, self.name, self.start, self.end, self.tz, self.has_data)
        store_hours = hours.spend()
        runs, budget = budget_runs(
            self.config, hours, today, campaigns, store_hours, self.cannot_tell, names
        )
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
            hourly_visitors=hours.visitors() if runs and not self.unfinished else {},
            names=names,
            not_search_campaigns=not_search,
        )
        facts.terms, facts.terms_days = self.terms()
        diagnoses, not_assessed = diagnose(facts)
        median_weeks = sum(any(v is not None for v in w.values()) for w in weeks)
        day_has_data = any(v is not None for v in today.values())
        latest = self.latest_day() if self.has_data else None
        scope = Scope(
            store=self.name,
            day=self.day,
            before_day=self.before_day,
            has_data=self.has_data,
            day_has_data=day_has_data,
            latest=latest,
            has_ads=self.has_ads(),
        )
        cannot_tell = limits(
            scope,
            self.cannot_tell,
            today=today,
            weeks=weeks,
            headline=headline,
            health=health,
            not_assessed=not_assessed,
        )
        alerts = alerts_of_day(self.store, self.name, self.start, self.end)
        review = Review(
            store=self.name,
            day=self.day,
            baseline_day=self.before_day,
            timezone=str(self.config.timezone),
            currency=self.config.currency,
            platform=self.config.platform,
            generated_at=self.now,
            headline=tuple(headline),
            summary=(),
            bridge=bridge,
            channels=tuple(channel_moves),
            products=products,
            diagnoses=tuple(diagnoses),
            alerts=alerts,
            completeness=health,
            cannot_tell=tuple(cannot_tell),
            hourly_spend=store_hours,
            budget=budget,
            day_has_data=day_has_data,
            latest_data=latest,
            not_assessed=tuple(not_assessed),
            median_weeks=median_weeks,
            gmv_history=tuple(
                (self.day - timedelta(days=7 * k), (today if k == 0 else weeks[k - 1]).get("gmv"))
                for k in range(WEEKS, -1, -1)
            ),
        )
        return _with_summary(review)

    def latest_day(self) -> date | None:
        """The last local day with any data for the store."""
        last = points.last_point(self.store, self.name)
        if last is None:
            return None
        return datetime.fromtimestamp(last, UTC).astimezone(self.tz).date()

    def has_ads(self) -> bool:
        """Whether the store has any ad figures on any day."""
        return points.has_any(self.store, self.name, ("spend", "impressions", "clicks"))


def _share_of_side(delta: float, lost: float, gained: float) -> float | None:
    """``delta`` as a share of all losses (when negative) or of all gains (when positive)."""
    whole = lost if delta < 0 else gained
    return delta / whole if delta and whole else None


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
            _("{day} is in the future for {store} (today there is {today})").format(
                day=day, store=store_name, today=today
            ),
            hint=_("give a past day, e.g. --date yesterday or --date -7d"),
        )
    review = _Builder(runtime, store, store_name, day).build()
    review = replace(review, contribution=contribution_texts(runtime, store, store_name, day))
    statuses = day_statuses(runtime, store, store_name, day)
    if not statuses:
        return review
    return replace(
        review,
        plan=plan_texts(statuses, review.currency),
        plan_targets=tuple(plan_data(statuses)),
    )


def yesterdays_reviews(
    runtime: Runtime,
    store: Store,
    names: Sequence[str] | None = None,
    at: datetime | None = None,
) -> list[Review]:
    """The review of each store's own yesterday as of ``at`` (default: now): a store in
    Los Angeles and one in Shanghai each get the last day that is over where they are.

    ``names`` defaults to ``review_stores``. Raises ``UsageError`` for an unknown store.
    """
    chosen = list(names) if names is not None else review_stores(runtime, store)
    return [build_review(runtime, store, n, default_day(runtime, n, at)) for n in chosen]

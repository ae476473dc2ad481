"""Each target against its plan to date (DESIGN.md 4.6), read through the metrics engine.

The targets are the config's ``[[targets]]`` and those loaded from plan sheets; where a
sheet's target and a config target share a store, metric, scope and a day, the config
wins (it is what the operator wrote last by hand). The figures are paced by the store's
own curve (``opsboard.query.plan_pace``): last year's same period where the data has it,
else the weekday pattern of the metric over the 8 weeks before the day; for a day under
way, the hourly curve of the same weekday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from opsboard import i18n
from opsboard.config.models import Settings
from opsboard.config.targets import (
    CONTRIBUTION,
    STRATEGIC_LOSS,
    Target,
    is_ratio,
    parse_period,
)
from opsboard.formatting import figure, month_day, percent
from opsboard.glossary import metric_label
from opsboard.i18n import N_, _
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS
from opsboard.query.contribution import contribution
from opsboard.query.engine import MetricsEngine
from opsboard.query.plan_pace import (
    A_YEAR_OF_WEEKS,
    TREND_DAYS,
    Standing,
    Trend,
    day_plan,
    day_weights,
    days_left,
    hour_share,
    last_year_shape,
    standing,
    time_share,
    weekday_weights,
)
from opsboard.query.plan_promotions import promotion_factors, store_windows
from opsboard.query.scope import Filters, Period
from opsboard.storage.store import Store
from opsboard.timeutil import local_day, share_of_day_elapsed

#: How far back the store's weekday pattern and hourly curve are read.
HISTORY_WEEKS = 8


def all_targets(settings: Settings, store: Store, name: str | None = None) -> list[Target]:
    """The targets of the config and of the plan sheets loaded (of store ``name``)."""
    configured = [t.resolve() for t in settings.targets]
    loaded = [
        Target(
            store=row.store,
            metric=row.metric,
            scope=row.scope,
            period=parse_period(row.period),
            value=row.value,
            direction="at_most" if row.direction == "at_most" else "at_least",
            origin=row.origin,
        )
        for row in store.targets(name)
    ]
    kept = [*configured, *(t for t in loaded if not any(t.overlaps(c) for c in configured))]
    chosen = [t for t in kept if name is None or t.store == name]
    return sorted(chosen, key=lambda t: (t.store, t.period.first, t.metric, t.scope))


def scope_filters(scope: str) -> Filters:
    """A target's scope as query filters."""
    kind, _sep, key = scope.partition(":")
    if kind == "channel":
        return Filters(channel=key)
    if kind == "campaign":
        return Filters(campaign=key)
    if kind == "sku":
        return Filters(sku=key)
    return Filters()


@dataclass(frozen=True)
class TargetStatus:
    """One target against its plan as of a day (end of it, or an instant in it)."""

    target: Target
    actual: float | None
    standing: Standing
    as_of: date
    days_left: int
    #: The part of the target planned for the day before ``as_of`` and what it brought.
    yesterday_plan: float | None = None
    yesterday_actual: float | None = None
    #: A ratio target's direction over its last days (None for a sum target).
    trend: Trend | None = None

    def as_json(self) -> dict[str, Any]:
        """The keys of `opsboard targets --format json`."""
        t = self.target
        return {
            "store": t.store,
            "metric": t.metric,
            "scope": t.scope,
            "period": t.period.label,
            "target": t.value,
            # A rate (CTR 5.3%) keeps its digits: money and counts keep cents.
            "actual": _rounded(self.actual, 6 if is_ratio(t.metric) else 2),
            "done_share": _rounded(self.standing.done_share, 4),
            "time_share": round(self.standing.time_share, 4),
            "needed_per_day": _rounded(self.standing.needed_per_day),
            "status": self.standing.status,
            "trend": None if self.trend is None else self.trend.as_json(),
        }


def _rounded(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


class PlanReader:
    """Reads the figures a target is paced with, for one engine and config."""

    def __init__(self, engine: MetricsEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def status(
        self, target: Target, tz: tzinfo, *, day: date | None = None, at: datetime | None = None
    ) -> TargetStatus:
        """``target`` as of the end of ``day``, or (no day) as of ``at`` (default now)."""
        if day is None:
            instant = at or self.engine.now()
            as_of = local_day(instant, tz)
            local = instant.astimezone(tz)
            today = share_of_day_elapsed(instant, tz)
            hour, minute_share = local.hour, local.minute / 60
        else:
            as_of, today, hour, minute_share = day, 1.0, 24, 0.0
        period = target.period
        ratio_target = is_ratio(target.metric)
        curve_metric = {STRATEGIC_LOSS: "spend", CONTRIBUTION: "gmv"}.get(
            target.metric, target.metric
        )
        weights = None if ratio_target else self._weekdays(target, curve_metric, as_of)
        shape = None if ratio_target else self._last_year(target, curve_metric)
        factors = None if ratio_target else self._promotions(target, curve_metric, as_of)
        if factors is not None:
            # The windows' days by the store's uplift, on its weekday pattern: last year's
            # shape, aligned by weekday, would put its own peak on other days.
            base = day_weights(period, weights)
            shape = [w * f for w, f in zip(base, factors, strict=True)]
        if today < 1.0 and not ratio_target and period.first <= as_of <= period.last:
            today = self._hour_share(target, curve_metric, as_of, hour, minute_share) or today
        share = time_share(period, as_of, today, weights, shape)
        left = days_left(period, as_of, today)
        last = min(as_of, period.last)
        actual = self._actual(target, period.first, last) if as_of >= period.first else None
        yesterday = as_of - timedelta(days=1 if today < 1.0 else 0)
        plan_y = actual_y = None
        if not ratio_target and period.first <= yesterday <= period.last:
            plan_y = day_plan(period, target.value, yesterday, weights, shape)
            actual_y = self._actual(target, yesterday, yesterday)
        return TargetStatus(
            target=target,
            actual=actual,
            standing=standing(
                value=target.value,
                actual=actual,
                direction=target.direction,
                ratio_target=ratio_target,
                share=share,
                left=left,
            ),
            as_of=as_of,
            days_left=left,
            yesterday_plan=plan_y,
            yesterday_actual=actual_y,
            trend=self._trend(target, yesterday) if ratio_target else None,
        )

    # -- figures ---------------------------------------------------------------------------

    def _value(self, metric: str, store: str, filters: Filters, first: date, last: date) -> Any:
        rows = self.engine.query(
            [metric],
            stores=[store],
            period=Period(first_day=first, last_day=last),
            filters=filters,
        )
        return rows[0].get(metric) if rows else None

    def _actual(self, target: Target, first: date, last: date) -> float | None:
        if target.metric == STRATEGIC_LOSS:
            return self._strategic_loss(target.store, first, last)
        if target.metric == CONTRIBUTION:
            return self._contribution(target.store, scope_filters(target.scope), first, last)
        value = self._value(target.metric, target.store, scope_filters(target.scope), first, last)
        return None if value is None else float(value)

    def _trend(self, target: Target, last: date) -> Trend:
        """``target``'s figure over the ``TREND_DAYS`` whole days to ``last`` and over the
        days before them."""
        first = last - timedelta(days=TREND_DAYS - 1)
        span = timedelta(days=TREND_DAYS)
        return Trend(
            first=first,
            last=last,
            recent=self._actual(target, first, last),
            before=self._actual(target, first - span, last - span),
        )

    def _strategic_loss(self, store: str, first: date, last: date) -> float | None:
        """What the campaigns run below break-even on purpose lost: their spend less the
        contribution of their attributed sales (None without a margin to value them)."""
        config = self.settings.store(store)
        break_even = config.break_even_roi
        if break_even is None:
            return None
        loss = 0.0
        for campaign in config.strategic_loss_campaigns:
            filters = Filters(campaign=campaign)
            spend = self._value("spend", store, filters, first, last) or 0.0
            sales = self._value("ad_gmv", store, filters, first, last) or 0.0
            loss += max(0.0, float(spend) - float(sales) / break_even)
        return loss

    def _contribution(self, store: str, filters: Filters, first: date, last: date) -> float | None:
        """GMV x margin - refunds - ad spend (None without a margin or any GMV)."""
        found = contribution(
            self.engine, self.settings, store, Period(first_day=first, last_day=last), filters
        )
        return found.value

    def _daily(self, target: Target, metric: str, first: date, last: date) -> dict[date, float]:
        rows = self.engine.query(
            [metric],
            stores=[target.store],
            by="day",
            period=Period(first_day=first, last_day=last),
            filters=scope_filters(target.scope),
        )
        return {
            date.fromisoformat(str(row["day"])[:10]): float(row[metric])
            for row in rows
            if row.get(metric) is not None
        }

    def _promotions(self, target: Target, metric: str, as_of: date) -> list[float] | None:
        """Each day's factor from the configured promotion windows (None: none applies)."""
        windows = store_windows(self.settings.alerts.promotions, target.store)
        if not windows:
            return None
        return promotion_factors(
            target.period,
            windows,
            as_of,
            lambda first, last: self._daily(target, metric, first, last),
        )

    def _weekdays(self, target: Target, metric: str, as_of: date) -> list[float] | None:
        first = as_of - timedelta(days=7 * HISTORY_WEEKS)
        return weekday_weights(self._daily(target, metric, first, as_of - timedelta(days=1)))

    def _last_year(self, target: Target, metric: str) -> list[float] | None:
        """The period's days weighed as last year's same weekdays were, where known."""
        period = target.period
        daily = self._daily(
            target, metric, period.first - A_YEAR_OF_WEEKS, period.last - A_YEAR_OF_WEEKS
        )
        return last_year_shape(period, daily)

    def _hour_share(
        self, target: Target, metric: str, as_of: date, hour: int, minute_share: float
    ) -> float | None:
        curve: dict[int, float] = {}
        for week in range(1, HISTORY_WEEKS + 1):
            day = as_of - timedelta(days=7 * week)
            hours = self.engine.by_local_hour(
                [metric],
                stores=[target.store],
                period=Period(first_day=day, last_day=day),
                filters=scope_filters(target.scope),
            )
            for h, row in hours.items():
                if row.get(metric) is not None:
                    curve[h] = curve.get(h, 0.0) + float(row[metric])
        return hour_share(curve, hour, minute_share)


#: How a trend's direction is drawn.
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→", "unknown": ""}


def trend_text(status: TargetStatus, currency: str = "") -> str:
    """A ratio target's last days and their direction: ``↑ 6.16%`` ("" for a sum target
    or without figures)."""
    trend = status.trend
    if trend is None or trend.recent is None:
        return ""
    arrow = TREND_ARROWS[trend.direction]
    shown = figure(status.target.metric, trend.recent, currency)
    return f"{arrow} {shown}" if arrow else shown


def statuses(
    engine: MetricsEngine,
    settings: Settings,
    targets: Sequence[Target],
    tz_for: Any,
    *,
    day: date | None = None,
) -> list[TargetStatus]:
    """Each target against its plan as of the end of ``day`` (or now)."""
    reader = PlanReader(engine, settings)
    return [reader.status(t, tz_for(t.store), day=day) for t in targets]


def period_name(target: Target, *, short: bool = False) -> str:
    """``June`` (``Jun``) for a calendar month, else the period as written (``2026-Q3``)."""
    period = target.period
    if not period.is_month():
        return period.label
    if i18n.is_chinese():
        return f"{period.first.month}月"
    return f"{period.first:%b}" if short else f"{period.first:%B}"


#: A target's standing as the reader's language says it.
_STANDINGS = {
    "ahead": N_("ahead"),
    "behind": N_("behind"),
    "on track": N_("on track"),
    "met": N_("met"),
    "missed": N_("missed"),
}


def standing_word(status: str) -> str:
    """``behind`` / ``偏慢``: a target's standing in words."""
    return _(_STANDINGS[status]) if status in _STANDINGS else status


def plan_line(status: TargetStatus, currency: str = "", *, short: bool = False) -> str:
    """One line for the overview, the review and chat: ``June GMV ¥3.00M: 41% done, 74%
    of time, ¥112k needed per remaining day``; ``short`` for a narrow screen: ``Jun GMV
    ¥3.00M: 41% done, 74% time, ¥112k/day needed``. The status ends the line."""
    t = status.target
    shown_as = shown_like(t.metric)
    head = _("{period} {target} {value}").format(
        period=period_name(t, short=short),
        target=target_name(t),
        value=figure(shown_as, t.value, currency),
    )
    if status.as_of < t.period.first:
        return _("{head}: starts {day}").format(head=head, day=month_day(t.period.first))
    s = status.standing
    elapsed = percent(s.time_share, 0)
    time = (_("{share} time") if short else _("{share} of time")).format(share=elapsed)
    standing = standing_word(s.status)
    if is_ratio(t.metric):
        return _("{head}: {value} to date, {time}, {standing}").format(
            head=head, value=figure(t.metric, status.actual, currency), time=time, standing=standing
        )
    done_share = percent(s.done_share, 0)
    done = (_("{share} used") if t.direction == "at_most" else _("{share} done")).format(
        share=done_share
    )
    parts = [done, time]
    if s.needed_per_day is not None and status.days_left and s.status not in ("met", "missed"):
        each = figure(shown_as, s.needed_per_day, currency)
        if t.direction == "at_most":
            said = _("{amount}/day left") if short else _("{amount} left per remaining day")
        else:
            said = _("{amount}/day needed") if short else _("{amount} needed per remaining day")
        parts.append(said.format(amount=each))
    return _("{head}: {parts} ({standing})").format(
        head=head, parts=_(", ").join(parts), standing=standing
    )


def needs_margin(target: Target, settings: Settings) -> bool:
    """True for a contribution or strategic-loss target of a store without a margin in the
    config: it has no figure, and the reader must be told why."""
    return (
        target.metric in (CONTRIBUTION, STRATEGIC_LOSS)
        and settings.store(target.store).margin is None
    )


def shown_like(metric: str) -> str:
    """The metric whose format a target's figures take (money for the allowance and the
    contribution, which are no metric of their own)."""
    return "spend" if metric in (STRATEGIC_LOSS, CONTRIBUTION) else metric


def target_name(target: Target) -> str:
    """``GMV``, ``CTR (sku:123)``, ``strategic loss``: what the target is about."""
    name = {STRATEGIC_LOSS: _("strategic loss"), CONTRIBUTION: _("contribution")}.get(
        target.metric
    ) or _label(target.metric)
    return name + (f" ({target.scope})" if target.scope else "")


def _label(metric: str) -> str:
    if i18n.is_chinese():
        return metric_label(metric)
    if metric in BASE_METRICS:
        return BASE_METRICS[metric].label
    return DERIVED_METRICS[metric].label

"""The reviewed day hour by hour: spend and visitors by local hour, and the budgeted scopes
(the store, configured channels and campaigns, campaigns with a budget in the data)
whose hourly spend the budget rule reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from opsboard import i18n
from opsboard.config.models import StoreConfig
from opsboard.formatting import named
from opsboard.glossary import channel_label
from opsboard.i18n import _, pgettext
from opsboard.models import CHANNELS
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.review.budget import NEAR_BUDGET
from opsboard.review.facts import BudgetRun
from opsboard.review.model import HourSpend

#: At most this many campaigns get their hourly spend checked against their budget.
MAX_BUDGET_CAMPAIGNS = 20

Row = dict[str, Any]


@dataclass(frozen=True)
class DayHours:
    """Hourly queries for one store and one local day [start, end)."""

    engine: MetricsEngine
    store: str
    start: datetime
    end: datetime
    tz: tzinfo
    has_data: bool = True

    def _rows(self, metric: str, **filters: str) -> list[Row]:
        if not self.has_data:
            return []
        return self.engine.query(
            [metric],
            stores=[self.store],
            by="hour",
            period=Period(start=self.start, end=self.end),
            filters=Filters(**filters),
        )

    def _hour(self, row: Row) -> int:
        return datetime.fromisoformat(row["hour"]).astimezone(self.tz).hour

    def spend(self, **filters: str) -> tuple[HourSpend, ...]:
        """Spend by local hour of the day and its running total."""
        hours = []
        total = 0.0
        for row in self._rows("spend", **filters):
            if row.get("spend") is None:
                continue
            total += row["spend"]
            hours.append(HourSpend(hour=self._hour(row), spend=row["spend"], cumulative=total))
        return tuple(hours)

    def visitors(self) -> dict[int, float]:
        """Visitors by local hour of the day (empty without hourly visitor data)."""
        found: dict[int, float] = {}
        for row in self._rows("uv"):
            if row.get("uv") is not None:
                hour = self._hour(row)
                found[hour] = found.get(hour, 0.0) + float(row["uv"])
        return found


def budget_runs(
    config: StoreConfig,
    hours: DayHours,
    today: Row,
    campaigns: dict[str, Row],
    store_hours: tuple[HourSpend, ...],
    cannot_tell: list[str],
    names: Mapping[tuple[str, str], str] | None = None,
) -> tuple[list[BudgetRun], float | None]:
    """The budgeted scopes with their hourly spend, and the store's budget; a campaign is
    named by the platform's name of it from ``names`` ({(kind, key): name}) where known."""
    runs = []
    store_budget = today.get("budget")
    if store_budget is None:
        store_budget = config.daily_budget
    if store_budget and store_hours:
        runs.append(
            BudgetRun(pgettext("subject", "store"), store_budget, store_hours, today.get("roi"))
        )
    elif store_budget and (today.get("spend") or 0) >= NEAR_BUDGET * store_budget:
        cannot_tell.append(
            _(
                "when the budget ran out: the day's spend came near it, but there is no hourly "
                "spend to tell when"
            )
        )
    budgets: dict[tuple[str, str], float] = {}
    for key, amount in config.budgets.items():
        kind = "channel" if key in CHANNELS else "campaign"
        budgets[(kind, key)] = amount
    ranked = sorted(campaigns.items(), key=lambda kv: -(kv[1].get("spend") or 0.0))
    for key, row in ranked[:MAX_BUDGET_CAMPAIGNS]:
        if row.get("budget"):
            budgets[("campaign", key)] = float(row["budget"])
    for (kind, key), amount in sorted(budgets.items()):
        if amount <= 0:
            continue
        spend = hours.spend(**{kind: key})
        if spend:
            roi = campaigns.get(key, {}).get("roi") if kind == "campaign" else None
            label = named(key, (names or {}).get((kind, key)))
            if kind == "channel" and i18n.is_chinese():
                label = channel_label(key, platform=config.platform)
            said = _("channel {name}") if kind == "channel" else _("campaign {name}")
            runs.append(BudgetRun(said.format(name=label), amount, spend, roi))
    return runs, store_budget

"""Checking the API's store listing and its campaign budget rows, record by record.

As with the hourly records, a record that breaks the schema is refused with a reason and
the rest is kept, unless more than half of the answer is refused (then none of it is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opsboard.adapters.api import CHANNELS, Grain, RawPoint, _, local_midnight
from opsboard_api.records import BadRecord

_CHANNELS = frozenset(("", *CHANNELS))
_DAY = Grain.DAY.value


@dataclass
class Listing:
    """The stores the API lists (id to time zone) and the store records it refused.

    ``refused`` maps a refused record's store id (``""`` when even the id is unreadable)
    to the reason.
    """

    stores: dict[str, tzinfo | None] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def read_listing(records: list[Any]) -> Listing:
    """The stores of a ``/v1/stores`` answer, each record checked."""
    listing = Listing()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            listing.refused.setdefault(
                "", _("store record {index} is not an object").format(index=index)
            )
            continue
        ident = record.get("id")
        if not isinstance(ident, str) or not ident:
            listing.refused.setdefault(
                "", _("store record {index}: id is {id!r}, not text").format(index=index, id=ident)
            )
            continue
        name = record.get("timezone")
        if name is None:
            listing.stores[ident] = None
            continue
        zone = _zone(name)
        if zone is None:
            listing.refused[ident] = _("store {store}: unknown time zone {zone!r}").format(
                store=ident, zone=name
            )
        else:
            listing.stores[ident] = zone
    return listing


def _zone(name: object) -> tzinfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass
class BudgetRows:
    """The usable budget points of an answer, its refused rows, and the bookmark it allows.

    ``bookmark`` is the first day to read next time: today when every row was usable, else
    the earliest day with a refused row (the first day read, when that day is unreadable).
    """

    points: list[RawPoint] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    bookmark: date | None = None


def _budget_point(row: object, store: str, tz: tzinfo) -> RawPoint:
    if not isinstance(row, dict):
        raise BadRecord(_("a budget row is {kind}, not an object").format(kind=type(row).__name__))
    ident = row.get("id", "?")
    try:
        if row.get("store") != store:
            raise BadRecord(
                _("store is {found!r}, expected {store!r}").format(
                    found=row.get("store"), store=store
                )
            )
        day = _row_day(row)
        if day is None:
            raise BadRecord(_("day {day!r} is not a date (YYYY-MM-DD)").format(day=row.get("day")))
        channel, campaign = row.get("channel") or "", row.get("campaign") or ""
        if not isinstance(channel, str) or channel not in _CHANNELS:
            raise BadRecord(_("unknown channel {channel!r}").format(channel=channel))
        if not isinstance(campaign, str):
            raise BadRecord(
                _("{key} is {value!r}, not text").format(key="campaign", value=campaign)
            )
        budget = row.get("budget")
        if isinstance(budget, bool) or not isinstance(budget, int | float):
            raise BadRecord(
                _("{key} is {value!r}, not a number").format(key="budget", value=budget)
            )
        if not math.isfinite(budget) or budget < 0:
            raise BadRecord(
                _("budget is {budget!r}; budgets are finite and not negative").format(budget=budget)
            )
    except BadRecord as exc:
        raise BadRecord(_("budget {id}: {problem}").format(id=ident, problem=exc)) from None
    epoch = int(local_midnight(day, tz).timestamp())
    return (store, _DAY, epoch, channel, campaign, "", "budget", float(budget))


def read_budgets(
    rows: list[Any], store: str, tz: tzinfo, *, first: date, today: date
) -> BudgetRows:
    """The budget points of a ``/budgets`` answer that read ``first`` to ``today``."""
    result = BudgetRows()
    refused_days: list[date] = []
    for row in rows:
        try:
            point = _budget_point(row, store, tz)
        except BadRecord as exc:
            result.rejected.append(str(exc))
            refused_days.append(_row_day(row) or first)
            continue
        result.points.append(point)
    if len(result.rejected) * 2 > len(rows):
        return BudgetRows(rejected=result.rejected, bookmark=first)
    result.bookmark = min([today, *refused_days])
    return result


def _row_day(row: object) -> date | None:
    if not isinstance(row, dict):
        return None
    try:
        return date.fromisoformat(str(row.get("day")))
    except ValueError:
        return None

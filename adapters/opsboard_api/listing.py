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

from opsboard.adapters.api import CHANNELS, Grain, RawPoint, local_midnight
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
            listing.refused.setdefault("", f"store record {index} is not an object")
            continue
        ident = record.get("id")
        if not isinstance(ident, str) or not ident:
            listing.refused.setdefault("", f"store record {index}: id is {ident!r}, not text")
            continue
        name = record.get("timezone")
        if name is None:
            listing.stores[ident] = None
            continue
        zone = _zone(name)
        if zone is None:
            listing.refused[ident] = f"store {ident}: unknown time zone {name!r}"
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
        raise BadRecord(f"a budget row is {type(row).__name__}, not an object")
    ident = row.get("id", "?")
    try:
        if row.get("store") != store:
            raise BadRecord(f"store is {row.get('store')!r}, expected {store!r}")
        day = _row_day(row)
        if day is None:
            raise BadRecord(f"day {row.get('day')!r} is not a date (YYYY-MM-DD)")
        channel, campaign = row.get("channel") or "", row.get("campaign") or ""
        if not isinstance(channel, str) or channel not in _CHANNELS:
            raise BadRecord(f"unknown channel {channel!r}")
        if not isinstance(campaign, str):
            raise BadRecord(f"campaign is {campaign!r}, not text")
        budget = row.get("budget")
        if isinstance(budget, bool) or not isinstance(budget, int | float):
            raise BadRecord(f"budget is {budget!r}, not a number")
        if not math.isfinite(budget) or budget < 0:
            raise BadRecord(f"budget is {budget!r}; budgets are finite and not negative")
    except BadRecord as exc:
        raise BadRecord(f"budget {ident}: {exc}") from None
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

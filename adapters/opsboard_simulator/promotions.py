"""The simulated platform's promotion calendar: each peak day computed for the year asked.

Chinese platforms' festivals fall on fixed dates (Double 11 on 11 November, 618 on
18 June); Black Friday is the day after the fourth Thursday of November, so between the
23rd and the 29th; Prime Day, which Amazon announces each year, is taken as the second
Tuesday of July. A store anniversary is placed relative to the simulation's start, so that
the two weeks of history the platform serves always hold a promotion peak and its
warm-up, whatever the date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

#: The day a promotion peaks in a given year (None: not that year).
PeakRule = Callable[[int], date | None]

#: How much busier the first two hours of a Chinese promotion day are (the midnight rush).
MIDNIGHT_RUSH = 2.2


def yearly(month: int, day: int) -> PeakRule:
    """The same date every year (Double 11, 618)."""
    return lambda year: date(year, month, day)


def nth_weekday(month: int, weekday: int, nth: int, *, days_after: int = 0) -> PeakRule:
    """The ``nth`` ``weekday`` (Monday 0) of ``month``, plus ``days_after`` days."""

    def rule(year: int) -> date:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7 + 7 * (nth - 1) + days_after
        return first + timedelta(days=offset)

    return rule


def once(day: date) -> PeakRule:
    """One date only (a store anniversary in the simulated history)."""
    return lambda year: day if year == day.year else None


#: Black Friday: the day after Thanksgiving, the fourth Thursday of November.
BLACK_FRIDAY = nth_weekday(11, 3, 4, days_after=1)
#: Prime Day, as the simulation places it: the second Tuesday of July.
PRIME_DAY = nth_weekday(7, 1, 2)


@dataclass(frozen=True)
class Promotion:
    """A promotion day with a warm-up before it (Double 11, 618, Black Friday...)."""

    name: str
    peak: float
    """Traffic multiplier on the day itself."""
    falls_on: PeakRule
    """The day it peaks in a given year."""
    warmup_days: int = 0
    """Days before the peak on which traffic ramps up."""
    midnight_rush: bool = True
    """Chinese promotion days open at midnight with a rush; Black Friday does not."""

    def peak_day(self, around: date) -> date | None:
        """The peak on or after ``around`` within its warm-up, else the one of its year."""
        for year in (around.year, around.year + 1):
            day = self.falls_on(year)
            if day is not None and 0 <= (day - around).days <= self.warmup_days:
                return day
        return self.falls_on(around.year)

    def factor(self, day: date, hour: int) -> float:
        """How much busier than ordinary this local day and hour is, because of this one."""
        peak = self.peak_day(day)
        if peak is None:
            return 1.0
        days_before = (peak - day).days
        if days_before == 0:
            rush = MIDNIGHT_RUSH if self.midnight_rush and hour < 2 else 1.0
            return self.peak * rush
        if 0 < days_before <= self.warmup_days:
            return 1.0 + 0.6 * (self.warmup_days - days_before + 1) / self.warmup_days
        return 1.0

    def peaks_between(self, first: date, last: date) -> list[date]:
        """Its peak days from ``first`` to ``last`` (both included)."""
        days = (self.falls_on(year) for year in range(first.year, last.year + 1))
        return [day for day in days if day is not None and first <= day <= last]


def busiest(promotions: tuple[Promotion, ...], day: date, hour: int) -> float:
    """The promotion factor of a day and hour: overlapping promotions do not compound."""
    return max((promo.factor(day, hour) for promo in promotions), default=1.0)

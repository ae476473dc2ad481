"""What a query looks at: the period (local days or instants) and the filters on the scope.

Below both the engine and the reader, so that each can name them without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from opsboard.storage.points import DIMENSIONS
from opsboard.timeutil import floor_hour, local_day, local_midnight


@dataclass(frozen=True, slots=True)
class Period:
    """What to look at: local days (inclusive) or UTC instants (end exclusive), or all.

    ``first_back`` and ``last_back`` give the days relative to each store's own today
    (0 today, 1 yesterday, 7 for ``-7d``), so that stores in different time zones each
    get their own "yesterday". ``at`` is the instant whose local day is "today" (default:
    the engine's now; a replay gives the replayed instant). ``so_far`` cuts the last day
    at as many hours past its midnight as ``at``'s hour is past today's, in each store's
    own zone: "today so far", "yesterday up to the same hour".
    """

    first_day: date | None = None
    last_day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    first_back: int | None = None
    last_back: int | None = None
    at: datetime | None = None
    so_far: bool = False

    @classmethod
    def own_day(cls, days_back: int, at: datetime, *, so_far: bool = False) -> Period:
        """Each store's own day ``days_back`` before the one ``at`` falls on (0: today),
        whole or (``so_far``) up to the end of ``at``'s hour."""
        return cls(first_back=days_back, last_back=days_back, at=at, so_far=so_far)

    def days(self, tz: tzinfo, now: datetime | None = None) -> tuple[date | None, date | None]:
        """The first and last local day in a store's time zone (None where not given)."""
        first, last = self.first_day, self.last_day
        if self.first_back is not None or self.last_back is not None:
            today = local_day(self.at or now or datetime.now(UTC), tz)
            if self.first_back is not None:
                first = today - timedelta(days=self.first_back)
            if self.last_back is not None:
                last = today - timedelta(days=self.last_back)
        return first, last

    def bounds(self, tz: tzinfo, now: datetime | None = None) -> tuple[int | None, int | None]:
        """The UTC epoch bounds in a store's time zone; None where unbounded."""
        start = self.start
        end = self.end
        first_day, last_day = self.days(tz, now)
        if first_day is not None:
            start = local_midnight(first_day, tz)
        if last_day is not None:
            end = local_midnight(last_day + timedelta(days=1), tz)
            if self.so_far:
                end = local_midnight(last_day, tz) + self._elapsed(tz, now)
        return (
            None if start is None else int(start.timestamp()),
            None if end is None else int(end.timestamp()),
        )

    def _elapsed(self, tz: tzinfo, now: datetime | None) -> timedelta:
        """From local midnight to the end of the hour holding the reference instant."""
        at = self.at or now or datetime.now(UTC)
        return floor_hour(at) + timedelta(hours=1) - local_midnight(local_day(at, tz), tz)

    @property
    def partial_days(self) -> bool:
        """True when the period is given as instants or cut at an hour, so day-grain data
        cannot serve it."""
        return self.start is not None or self.end is not None or self.so_far


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict the scope to one channel, campaign, SKU, term (a customer search term
    under a campaign), traffic source (under a channel) or keyword (under a campaign);
    None = not restricted."""

    channel: str | None = None
    campaign: str | None = None
    sku: str | None = None
    term: str | None = None
    source: str | None = None
    keyword: str | None = None


def filter_equals(filters: Filters) -> tuple[tuple[str, str], ...]:
    """The (dimension, value) pairs a series must match for ``filters`` ("" asks for a
    series that does not name the dimension)."""
    return tuple((dim, value) for dim in DIMENSIONS if (value := getattr(filters, dim)) is not None)

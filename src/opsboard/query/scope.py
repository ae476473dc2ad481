"""What a query looks at: the period (local days or instants) and the filters on the scope.

Below both the engine and the reader, so that each can name them without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from opsboard.storage.points import DIMENSIONS
from opsboard.timeutil import local_day, local_midnight


@dataclass(frozen=True, slots=True)
class Period:
    """What to look at: local days (inclusive) or UTC instants (end exclusive), or all.

    ``first_back`` and ``last_back`` give the days relative to each store's own today
    (0 today, 1 yesterday, 7 for ``-7d``), so that stores in different time zones each
    get their own "yesterday".
    """

    first_day: date | None = None
    last_day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    first_back: int | None = None
    last_back: int | None = None

    def days(self, tz: tzinfo, now: datetime | None = None) -> tuple[date | None, date | None]:
        """The first and last local day in a store's time zone (None where not given)."""
        first, last = self.first_day, self.last_day
        if self.first_back is not None or self.last_back is not None:
            today = local_day(now or datetime.now(UTC), tz)
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
        return (
            None if start is None else int(start.timestamp()),
            None if end is None else int(end.timestamp()),
        )

    @property
    def partial_days(self) -> bool:
        """True when the period is given as instants, so day-grain data cannot serve it."""
        return self.start is not None or self.end is not None


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

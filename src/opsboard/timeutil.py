"""Time: UTC inside, the store's time zone at the edges, and a clock tests can freeze."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opsboard.errors import UsageError
from opsboard.i18n import _

DEFAULT_TIMEZONE = "Asia/Shanghai"


class Clock:
    """The current time; ``FrozenClock`` replaces it in tests and replays."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved with ``advance`` or ``set``."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at``."""
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._at += delta


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, or a ``UsageError`` saying how to name one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            _("unknown time zone {name!r}").format(name=name),
            hint=_("use an IANA name such as Asia/Shanghai, America/New_York or UTC"),
        ) from exc


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which ``day`` starts in ``tz``."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def local_day(instant: datetime, tz: tzinfo) -> date:
    """The calendar day in ``tz`` that contains ``instant``."""
    return instant.astimezone(tz).date()


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC start and end (exclusive) of ``day`` in ``tz`` (23 or 25 hours on DST days)."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def floor_hour(instant: datetime) -> datetime:
    """The start of the hour containing ``instant``."""
    return instant.replace(minute=0, second=0, microsecond=0)


def share_of_day_elapsed(instant: datetime, tz: tzinfo) -> float:
    """How much of the store's local day has passed at ``instant``, from 0 to 1."""
    start, end = day_bounds(local_day(instant, tz), tz)
    return (instant - start).total_seconds() / (end - start).total_seconds()


#: The first day opsboard keeps figures of; the last is a year after today. A date beyond
#: them (year 9999, ``-99999999d``) is a typo or a broken export, refused where it enters.
EARLIEST_DAY = date(2000, 1, 1)
#: How far after today a figure may be dated (a plan, a budget set ahead).
AHEAD = timedelta(days=366)


def latest_day(today: date | None = None) -> date:
    """The last day a figure may be dated: a year after ``today`` (the system's today)."""
    return (today or datetime.now(UTC).date()) + AHEAD


def day_problem(day: date, today: date | None = None) -> str:
    """Why ``day`` is outside the days opsboard keeps, or ``""``."""
    if EARLIEST_DAY <= day <= latest_day(today):
        return ""
    return _("{day} is outside the days opsboard keeps ({first} .. a year after today)").format(
        day=day.isoformat(), first=EARLIEST_DAY.isoformat()
    )


def epoch_bounds() -> tuple[int, int]:
    """The first and last period start (epoch seconds) a point may have."""
    first, last = EARLIEST_DAY - timedelta(days=1), latest_day() + timedelta(days=2)
    low = datetime(first.year, first.month, first.day, tzinfo=UTC)
    high = datetime(last.year, last.month, last.day, tzinfo=UTC)
    return int(low.timestamp()), int(high.timestamp())


_RELATIVE = re.compile(r"^(today|yesterday)$|^-(\d+)d$")


def days_back(text: str) -> int | None:
    """How many days before today ``today``, ``yesterday`` or ``-7d`` means; None for a date."""
    match = _RELATIVE.match(text.strip())
    if not match:
        return None
    if match.group(1) == "today":
        return 0
    if match.group(1) == "yesterday":
        return 1
    return int(match.group(2))


def bounded_days_back(text: str) -> int | None:
    """``days_back``, refusing a count that reaches before ``EARLIEST_DAY`` (``UsageError``)."""
    back = days_back(text)
    if back is not None and back > (datetime.now(UTC).date() - EARLIEST_DAY).days + 1:
        raise UsageError(
            _("{given} reaches back before {first}, the first day opsboard keeps").format(
                given=text.strip(), first=EARLIEST_DAY.isoformat()
            ),
            hint=_("give fewer days, or a date such as {first}").format(
                first=EARLIEST_DAY.isoformat()
            ),
        )
    return back


def parse_day(text: str, *, today: date) -> date:
    """A day given on the command line: ``2026-06-18``, ``today``, ``yesterday`` or ``-7d``
    (``today`` being the local day of the store it is about)."""
    text = text.strip()
    back = bounded_days_back(text)
    if back is not None:
        return today - timedelta(days=back)
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(
            _("cannot read {text!r} as a date").format(text=text),
            hint=_("write it as YYYY-MM-DD, or as today, yesterday or -7d"),
        ) from exc
    problem = day_problem(day)
    if problem:
        raise UsageError(problem, hint=_("check the year"))
    return day


def utc_offsets_sql(column: str, tz: tzinfo, start: datetime, end: datetime) -> str:
    """An SQL expression giving ``column`` (epoch seconds UTC) shifted to ``tz`` local time.

    The offset is looked up per DST period between ``start`` and ``end``, so that the local
    day of every instant is right without calling Python per row.
    """
    offsets: list[tuple[int, int]] = []  # (valid from epoch, offset seconds)
    cursor = start - timedelta(days=1)
    last = None
    while cursor <= end + timedelta(days=1):
        offset = int(cursor.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        if offset != last:
            # Find the transition hour precisely.
            probe = cursor - timedelta(hours=24) if last is not None else cursor
            while (
                last is not None
                and int(
                    probe.astimezone(tz).utcoffset().total_seconds()  # type: ignore[union-attr]
                )
                == last
            ):
                probe += timedelta(hours=1)
            offsets.append((int(probe.timestamp()) if last is not None else 0, offset))
            last = offset
        cursor += timedelta(hours=24)
    if len(offsets) == 1:
        return f"({column} + {offsets[0][1]})"
    cases = " ".join(
        f"WHEN {column} < {nxt[0]} THEN {cur[1]}" for cur, nxt in itertools.pairwise(offsets)
    )
    return f"({column} + CASE {cases} ELSE {offsets[-1][1]} END)"

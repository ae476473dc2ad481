"""`opsboard alerts silence`: what to silence, checked against the config, and until when.

A silence naming no configured rule or store would silence nothing and say nothing, so it
is refused unless ``--force`` says that it is meant (a rule about to be added, a store not
configured yet). ``--until`` takes a local time or date in the store's time zone, or an
ISO instant with its offset.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pydantic import TypeAdapter, ValidationError

from opsboard.config.models import Settings
from opsboard.config.rules import effective_rules
from opsboard.config.types import Duration
from opsboard.errors import UsageError
from opsboard.timeutil import DEFAULT_TIMEZONE, zone

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def duration(text: str) -> timedelta:
    """``--for``: 90s, 30m, 2h, 1d."""
    try:
        return TypeAdapter(Duration).validate_python(text)
    except ValidationError:
        raise UsageError(
            f"cannot read --for {text!r}", hint="write e.g. 90s, 30m, 2h or 1d"
        ) from None


def until_instant(text: str, tz: tzinfo, now: datetime) -> datetime:
    """``--until``: ``18:00`` (the next time the store's clock shows it), ``2026-06-19``
    (that day's local midnight), ``2026-06-18T18:00`` / ``2026-06-18 18:00`` (local), or
    an ISO instant with an offset (``2026-06-18T10:00Z``)."""
    text = text.strip()
    hint = "write e.g. 18:00, 2026-06-19, 2026-06-18T18:00 or 2026-06-18T10:00+00:00"
    match = _CLOCK.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise UsageError(f"cannot read --until {text!r}: no such time of day", hint=hint)
        local_now = now.astimezone(tz)
        at = datetime.combine(local_now.date(), time(hour, minute), tzinfo=tz)
        if at <= local_now:
            at = datetime.combine(local_now.date() + timedelta(days=1), time(hour, minute),
                                  tzinfo=tz)  # fmt: skip
        return at.astimezone(UTC)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"cannot read --until {text!r}", hint=hint) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def store_zone(settings: Settings, store_name: str | None) -> tzinfo:
    """The time zone a local ``--until`` is read in: the store's, else the first store's."""
    if store_name and any(s.name == store_name for s in settings.stores):
        return zone(settings.store(store_name).timezone)
    return zone(settings.stores[0].timezone if settings.stores else DEFAULT_TIMEZONE)


def check_target(
    settings: Settings, rule: str, store_name: str | None, known_stores: list[str]
) -> None:
    """Refuse a silence whose rule pattern matches no configured rule, or whose store is
    neither configured nor in the data."""
    names = [r.name for r in effective_rules(settings.alerts)]
    if not any(fnmatch.fnmatchcase(name, rule) for name in names):
        close = [n for n in names if rule.strip("*") and rule.strip("*") in n][:5]
        raise UsageError(
            f"no configured rule matches {rule!r}: the silence would silence nothing",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + f"rules: {', '.join(sorted(names))}; --force silences it anyway",
        )
    if store_name:
        stores = sorted({s.name for s in settings.stores} | set(known_stores))
        if not any(fnmatch.fnmatchcase(name, store_name) for name in stores):
            raise UsageError(
                f"no configured store matches --store {store_name!r}",
                hint=f"stores: {', '.join(stores) or 'none yet'}; --force silences it anyway",
            )

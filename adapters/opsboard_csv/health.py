"""The health of a drop folder, per store: what loaded last, what was refused, and whether
files stopped coming.

A refused file is quarantined and alerted on by itself (``file_rejected`` rules); the
folder still delivers, so it stays ok. A folder that cannot be read is failing. With
``stale_after``, a store whose last file loaded longer ago than that is stale (``since``
is the moment it became so), so that a ``source`` rule can fire for exports that stopped
arriving, as it does for an API that stopped publishing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opsboard.adapters.api import AdapterContext, HealthState, SourceHealth, _, platform_mismatch

log = logging.getLogger(__name__)


@dataclass
class StoreHealth:
    """What happened last in one store's folder."""

    state: HealthState = HealthState.UNKNOWN
    since: datetime | None = None
    reason: str = ""
    last_ok: datetime | None = None
    #: True when the last file of the store was refused (its reason says which).
    last_refused: bool = False
    detail: dict[str, object] = field(default_factory=dict)

    def loaded(
        self,
        now: datetime,
        file_name: str,
        format_name: str,
        points: int,
        moved_to: str,
        gaps: Sequence[str] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        """A file of the store committed (and moved to ``moved_to``, or left in place);
        ``gaps`` names the columns its format relies on that the file lacked, ``warnings``
        what else the operator should know of it (a report of another platform)."""
        if self.state is not HealthState.OK:
            self.state, self.since = HealthState.OK, now
        self.last_ok = now
        self.last_refused = False
        self.reason = _("loaded {file} ({points} points) at {at:%Y-%m-%d %H:%M}").format(
            file=file_name, points=points, at=now
        )
        if gaps or warnings:
            self.reason += _("; ") + _("; ").join([*gaps, *warnings])
        last: dict[str, object] = {
            "file": file_name,
            "format": format_name,
            "points": points,
            "at": now.isoformat(timespec="seconds"),
            "moved_to": moved_to,
        }
        if gaps:
            last["missing_columns"] = list(gaps)
        if warnings:
            last["warnings"] = list(warnings)
        self.detail["last_loaded"] = last

    def refused(self, now: datetime, file_name: str, reason: str, moved_to: str) -> None:
        """A file of the store quarantined."""
        if self.state is HealthState.UNKNOWN:
            self.state, self.since = HealthState.OK, now
        self.last_refused = True
        self.reason = _("refused {file}: {reason}").format(
            file=file_name, reason=reason.splitlines()[0] if reason else ""
        )
        self.detail["last_rejected"] = {
            "file": file_name,
            "reason": reason,
            "at": now.isoformat(timespec="seconds"),
            "moved_to": moved_to,
        }


def last_moved_in(processed: Path, started: datetime) -> datetime | None:
    """When a file last went into a store's processed folder, as far as it tells (its own
    modification time), and never later than ``started``: the time before a restart."""
    try:
        mtime = processed.stat().st_mtime
    except OSError:
        return None
    return min(datetime.fromtimestamp(mtime, UTC), started)


def report(
    source: str,
    store: str,
    entry: StoreHealth,
    *,
    now: datetime,
    watching_since: datetime,
    last_file: datetime | None,
    problem: str | None,
    stale_after: timedelta | None,
    detail: dict[str, object],
) -> SourceHealth:
    """The health line of one store (see the module docstring). ``last_file`` is when its
    last file loaded, as far as known (before a restart: when its processed folder last
    changed)."""
    if problem:
        return SourceHealth(
            source,
            HealthState.FAILING,
            now,
            store=store,
            reason=problem,
            last_ok=entry.last_ok,
            detail=detail,
        )
    if stale_after is not None:
        last = last_file or watching_since
        if now - last > stale_after:
            if last_file is not None:
                reason = _(
                    "no file loaded for {span} (the last at "
                    "{last:%Y-%m-%d %H:%M}); expected one at least every {every}"
                ).format(span=_span(now - last), last=last, every=_span(stale_after))
            else:
                reason = _(
                    "no file loaded since watching began at {since:%Y-%m-%d %H:%M}; "
                    "expected one at least every {every}"
                ).format(since=last, every=_span(stale_after))
            if entry.last_refused:
                reason += _("; last {reason}").format(reason=entry.reason)
            return SourceHealth(
                source,
                HealthState.STALE,
                last + stale_after,
                store=store,
                reason=reason,
                last_ok=entry.last_ok,
                detail=detail,
            )
    state = entry.state if entry.state is not HealthState.UNKNOWN else HealthState.OK
    return SourceHealth(
        source,
        state,
        entry.since or now,
        store=store,
        reason=entry.reason or _("watching; no file dropped yet"),
        last_ok=entry.last_ok,
        detail=detail,
    )


def _span(delta: timedelta) -> str:
    """``26 h``, ``45 min``, ``3 d 2 h``: a duration for a person."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def misplaced(context: AdapterContext, store: str | None, platform: str) -> list[str]:
    """A warning when a report's platform is not its store's (it loads all the same)."""
    if not store:
        return []
    found = platform_mismatch(store, context.settings.store(store).platform, platform)
    if found is None:
        return []
    log.warning("%s", found)
    return [found]

"""Who collects for the database, for every screen's status bar. Textual-free.

One process collects (polls the sources, evaluates the alerts, sends them); the other
dashboards view. A viewer must never look healthy when nobody collects: files would pile
up unread and no alert would be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opsboard.i18n import _
from opsboard.storage.store import Store


class Collecting(StrEnum):
    """Who collects for the database."""

    HERE = "here"
    """This dashboard."""
    ELSEWHERE = "elsewhere"
    """Another process (a dashboard or ``opsboard watch``)."""
    NOBODY = "nobody"
    """No process: nothing is polled and no alert is sent."""


@dataclass(frozen=True, slots=True)
class CollectorStatus:
    """Who collects and when it last polled, as a status bar shows it."""

    collecting: Collecting
    holder: str = ""
    """The other process as it wrote itself down, e.g. ``pid 812 alice@ops-server``."""
    polled: datetime | None = None
    """When the collector last finished a poll of its sources."""
    reason: str = ""
    """Why nobody collects, when that is known (no source configured, a failure)."""

    @property
    def nobody(self) -> bool:
        """True when no process collects."""
        return self.collecting is Collecting.NOBODY


def collector_status(
    store: Store, *, collecting_here: bool, has_sources: bool, failure: str = ""
) -> CollectorStatus:
    """Who collects for ``store`` now: this process, another one, or nobody.

    ``failure`` is why this dashboard's own collector stopped, if it did.
    """
    polled = store.last_poll()
    if collecting_here:
        return CollectorStatus(Collecting.HERE, polled=polled)
    if store.collector_running():
        info = store.collector_info()
        holder = info.label if info is not None else _("another process")
        return CollectorStatus(Collecting.ELSEWHERE, holder=holder, polled=polled)
    if failure:
        reason = _("collection failed: {error}").format(error=failure)
    elif not has_sources:
        reason = _("no source in the config")
    else:
        reason = ""
    return CollectorStatus(Collecting.NOBODY, polled=polled, reason=reason)

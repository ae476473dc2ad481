"""The alerts that fired on the reviewed day, with their acknowledgements, from the store."""

from __future__ import annotations

from datetime import UTC, datetime

from opsboard.models import SEVERITY_RANK
from opsboard.review.model import Acknowledgement, AlertOfDay
from opsboard.storage.store import Store


def _instant(text: object) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def alerts_of_day(
    store: Store, store_name: str, start: datetime, end: datetime
) -> tuple[AlertOfDay, ...]:
    """Alerts of ``store_name`` (or of every store) firing at some point in [start, end).

    An alert counts when it fired before the day ended and had not resolved before the day
    began. The most severe first, and in the order they fired within a severity, so that
    the day reads as it happened.
    """
    chosen: list[AlertOfDay] = []
    for alert in store.alerts.fired(store_name):
        fired = _instant(alert.fired_at)
        resolved = _instant(alert.resolved_at)
        if fired is None or fired >= end or (resolved is not None and resolved < start):
            continue
        acks = tuple(
            Acknowledgement(by=ack.by, at=ack.at, note=ack.note)
            for ack in store.alerts.acks_of(alert.id)
        )
        chosen.append(
            AlertOfDay(
                id=alert.id,
                rule=alert.rule,
                scope=alert.scope,
                severity=alert.severity,
                state=alert.state,
                message=alert.message,
                fired_at=alert.fired_at,
                resolved_at=alert.resolved_at,
                acks=acks,
            )
        )
    chosen.sort(
        key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), _instant(a.fired_at) or start, a.id)
    )
    return tuple(chosen)

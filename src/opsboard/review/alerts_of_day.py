"""The alerts that fired on the reviewed day, with their acknowledgements, from the store."""

from __future__ import annotations

from datetime import UTC, datetime

from opsboard.alerts.state import SEVERITY_RANK
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
    rows = store.conn.execute(
        "SELECT id, rule, scope, severity, state, message, fired_at, resolved_at FROM alerts "
        "WHERE store IN (?, '') AND fired_at IS NOT NULL ORDER BY id DESC LIMIT 5000",
        (store_name,),
    ).fetchall()
    chosen: list[AlertOfDay] = []
    for alert_id, rule, scope, severity, state, message, fired_at, resolved_at in rows:
        fired = _instant(fired_at)
        resolved = _instant(resolved_at)
        if fired is None or fired >= end or (resolved is not None and resolved < start):
            continue
        acks = tuple(
            Acknowledgement(by=str(by), at=str(at), note=str(note or ""))
            for by, at, note in store.conn.execute(
                "SELECT by, at, note FROM alert_acks WHERE alert_id = ? ORDER BY at",
                (alert_id,),
            )
        )
        chosen.append(
            AlertOfDay(
                id=int(alert_id),
                rule=str(rule),
                scope=str(scope),
                severity=str(severity),
                state=str(state),
                message=str(message),
                fired_at=str(fired_at),
                resolved_at=None if resolved_at is None else str(resolved_at),
                acks=acks,
            )
        )
    chosen.sort(
        key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), _instant(a.fired_at) or start, a.id)
    )
    return tuple(chosen)

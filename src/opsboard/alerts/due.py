"""Which alerts are due to be told, grouped so that a storm becomes one message.

Alerts group by rule and store. A group's window opens with the first alert of the group
not yet told (its ``fired_at``, or ``resolved_at`` for resolutions): after ``group_wait``
every alert of the group that came due meanwhile goes out in one message. Repeats go by
group too: once the longest-waiting alert of a group is ``repeat_interval`` old, every
still-firing alert of the group is told again in one message.

Not told (but listed everywhere): acknowledged alerts (no repeats), silenced ones, and ones
a promotion window mutes or a failing source suppresses (no first message, no repeats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opsboard.alerts.notify import Message, compose
from opsboard.alerts.state import iso, silences
from opsboard.config.rules import AlertsConfig
from opsboard.models import AlertState
from opsboard.storage.alert_writes import ToldMark
from opsboard.storage.alerts import StoredAlert
from opsboard.storage.store import Store


@dataclass
class _Group:
    new: list[StoredAlert] = field(default_factory=list)
    opened: datetime | None = None
    told: list[StoredAlert] = field(default_factory=list)
    oldest_told: datetime | None = None
    resolved: list[StoredAlert] = field(default_factory=list)
    resolved_opened: datetime | None = None


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def due_messages(
    store: Store, config: AlertsConfig, now: datetime, *, flush: bool = False
) -> tuple[list[Message], list[ToldMark]]:
    """The messages due at ``now`` and the marks recording them as told.

    ``flush`` sends alerts without waiting for their group's window (one-shot runs).
    """
    live = silences(store, now=now)
    groups: dict[tuple[str, str], _Group] = {}
    marks: list[ToldMark] = []
    for stored, acknowledged in store.alerts.to_tell():
        group = groups.setdefault((stored.rule, stored.store), _Group())
        if stored.state == AlertState.RESOLVED:
            if not config.send_resolved:
                marks.append(ToldMark(stored.id, AlertState.RESOLVED, now))
                continue
            group.resolved.append(stored)
            group.resolved_opened = _earliest(group.resolved_opened, stored.resolved_at or now)
            continue
        if stored.quiet or any(s.matches(stored.rule, stored.store, stored.scope) for s in live):
            continue  # muted, suppressed or silenced: wait
        if stored.last_notified_state != AlertState.FIRING:
            group.new.append(stored)
            group.opened = _earliest(group.opened, stored.fired_at or now)
        elif not acknowledged:  # acknowledged alerts are not repeated
            group.told.append(stored)
            group.oldest_told = _earliest(group.oldest_told, stored.last_notified_at or now)
    messages = []
    for _key, group in sorted(groups.items()):
        firing = []
        if group.new and (flush or now - _at(group.opened, now) >= config.group_wait):
            firing += group.new
        if group.told and now - _at(group.oldest_told, now) >= config.repeat_interval:
            firing += group.told
        if firing:
            firing.sort(key=lambda a: a.id)
            messages.append(compose("firing", [_told(a) for a in firing]))
        wait_over = now - _at(group.resolved_opened, now) >= config.group_wait
        if group.resolved and (flush or wait_over):
            messages.append(compose("resolved", [_told(a) for a in group.resolved]))
    marks += [ToldMark(a["id"], a["state"], now) for m in messages for a in m.alerts]
    return messages, marks


def _told(alert: StoredAlert) -> dict[str, Any]:
    """An alert as a message carries it (times as stored)."""
    return {
        "id": alert.id, "rule": alert.rule, "store": alert.store, "scope": alert.scope,
        "state": alert.state, "severity": alert.severity, "value": alert.value,
        "threshold": alert.threshold, "message": alert.message, "labels": alert.labels,
        "fired_at": _text(alert.fired_at), "resolved_at": _text(alert.resolved_at),
    }  # fmt: skip


def _text(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


def _at(instant: datetime | None, now: datetime) -> datetime:
    return now if instant is None else instant

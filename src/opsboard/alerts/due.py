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

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opsboard.alerts.notify import Message, compose
from opsboard.alerts.state import iso, silences
from opsboard.config.rules import AlertsConfig
from opsboard.storage.store import Store

_ROWS = (
    "SELECT a.id, a.rule, a.store, a.scope, a.state, a.severity, a.value, a.threshold, "
    "a.message, a.labels, a.fired_at, a.resolved_at, a.last_notified_at, "
    "a.last_notified_state, EXISTS (SELECT 1 FROM alert_acks k WHERE k.alert_id = a.id), "
    "json_extract(a.detail, '$.quiet') "
    "FROM alerts a WHERE a.state = 'firing' OR "
    "(a.state = 'resolved' AND a.last_notified_state = 'firing')"
)


@dataclass
class _Group:
    new: list[dict[str, Any]] = field(default_factory=list)
    opened: datetime | None = None
    told: list[dict[str, Any]] = field(default_factory=list)
    oldest_told: datetime | None = None
    resolved: list[dict[str, Any]] = field(default_factory=list)
    resolved_opened: datetime | None = None


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def due_messages(
    store: Store, config: AlertsConfig, now: datetime, *, flush: bool = False
) -> tuple[list[Message], list[tuple[str, str, int]]]:
    """The messages due at ``now`` and the (time, state, id) marks recording them as told.

    ``flush`` sends alerts without waiting for their group's window (one-shot runs).
    """
    live = silences(store, now=now)
    groups: dict[tuple[str, str], _Group] = {}
    marks: list[tuple[str, str, int]] = []
    for row in store.conn.execute(_ROWS):
        alert_id, rule, store_name, scope, state = row[0], row[1], row[2], row[3], row[4]
        group = groups.setdefault((rule, store_name), _Group())
        alert = {
            "id": alert_id, "rule": rule, "store": store_name, "scope": scope, "state": state,
            "severity": row[5], "value": row[6], "threshold": row[7], "message": row[8],
            "labels": json.loads(row[9] or "{}"), "fired_at": row[10], "resolved_at": row[11],
        }  # fmt: skip
        if state == "resolved":
            if not config.send_resolved:
                marks.append((iso(now), "resolved", alert_id))
                continue
            group.resolved.append(alert)
            at = datetime.fromisoformat(row[11]) if row[11] else now
            group.resolved_opened = _earliest(group.resolved_opened, at)
            continue
        if row[15] or any(s.matches(rule, store_name, scope) for s in live):
            continue  # muted, suppressed or silenced: wait
        if row[13] != "firing":
            group.new.append(alert)
            group.opened = _earliest(
                group.opened, datetime.fromisoformat(row[10]) if row[10] else now
            )
        elif not row[14]:  # acknowledged alerts are not repeated
            group.told.append(alert)
            group.oldest_told = _earliest(
                group.oldest_told, datetime.fromisoformat(row[12]) if row[12] else now
            )
    messages = []
    for _key, group in sorted(groups.items()):
        firing = []
        if group.new and (flush or now - _at(group.opened, now) >= config.group_wait):
            firing += group.new
        if group.told and now - _at(group.oldest_told, now) >= config.repeat_interval:
            firing += group.told
        if firing:
            messages.append(compose("firing", sorted(firing, key=lambda a: a["id"])))
        wait_over = now - _at(group.resolved_opened, now) >= config.group_wait
        if group.resolved and (flush or wait_over):
            messages.append(compose("resolved", group.resolved))
    marks += [(iso(now), a["state"], a["id"]) for m in messages for a in m.alerts]
    return messages, marks


def _at(instant: datetime | None, now: datetime) -> datetime:
    return now if instant is None else instant

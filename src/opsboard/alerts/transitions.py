"""The alert state machine: one evaluation's observations applied to the stored alerts.

pending -> firing -> resolved, with ``for`` durations, clear thresholds, strategic losses,
and alerts whose scope shows no data held for a while before they close. Each alert also
carries why it is not being told (muted by a promotion window, suppressed by a failing
source) in ``detail.quiet``, so that every viewer shows it and the notices skip it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.alerts.messages import fill, render
from opsboard.alerts.rules import DATA_KINDS, Observation
from opsboard.alerts.state import OPEN_STATES, iso
from opsboard.config.builtin_rules import NO_DATA_RESOLVED, RULE_GONE_RESOLVED
from opsboard.config.rules import RuleConfig
from opsboard.storage.store import Store

#: Every store's data alerts are held when a failing source's stores are not known.
ALL_STORES = "*"


@dataclass(frozen=True)
class AlertEvent:
    """A change of an alert's state: pending, firing, resolved, inactive or strategic."""

    event: str
    at: datetime
    alert_id: int
    rule: str
    store: str
    scope: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    labels: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """The JSON line `opsboard watch` prints."""
        return {
            "event": self.event,
            "at": iso(self.at),
            "id": self.alert_id,
            "rule": self.rule,
            "store": self.store,
            "scope": self.scope,
            "severity": self.severity,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "labels": self.labels,
        }


@dataclass
class _Open:
    id: int
    state: str
    pending_since: datetime
    last_seen: datetime | None
    message: str
    quiet: str


def hold_limit(rule: RuleConfig | None) -> timedelta:
    """How long an open alert whose scope shows no data (or too little) keeps its state."""
    if rule is None or rule.kind not in DATA_KINDS:
        return timedelta(0)
    return max(rule.window, timedelta(hours=1)) + timedelta(hours=1)


def _detail(o: Observation) -> str:
    return json.dumps(o.fields, ensure_ascii=False, default=str)


def _closing(
    conn: sqlite3.Connection,
    alert_id: int,
    rule: RuleConfig | None,
    last_seen: datetime | None,
    tz: tzinfo,
) -> str:
    """The message of an alert closed without an observation that clears it."""
    name, scope, store, detail = conn.execute(
        "SELECT rule, scope, store, detail FROM alerts WHERE id = ?", (alert_id,)
    ).fetchone()
    fields: dict[str, Any] = {"rule": name, "store": store, "scope": scope.split(":", 1)[-1]}
    fields |= {k: v for k, v in json.loads(detail or "{}").items() if k != "quiet"}
    if rule is None:
        return fill(RULE_GONE_RESOLVED, fields)
    if rule.kind in DATA_KINDS:
        seen = f"{last_seen.astimezone(tz):%Y-%m-%d %H:%M}" if last_seen else "long ago"
        return fill(NO_DATA_RESOLVED, fields | {"last_seen": seen})
    return render(rule, fields, resolved=True)


def apply_observations(
    state: Store,
    observations: list[Observation],
    covered: set[tuple[str, str]],
    now: datetime,
    *,
    rules: dict[str, RuleConfig],
    quiet: Callable[[RuleConfig | None, str], str],
    tz_for: Callable[[str], tzinfo],
) -> list[AlertEvent]:
    """Move the stored alerts on by ``observations`` and return the events, in one
    transaction. ``covered`` holds the (rule, store) pairs evaluated this time (rule,
    ``ALL_STORES`` for store-less kinds); ``quiet`` says why an alert is not told."""
    stamp = iso(now)
    events: list[AlertEvent] = []
    with state.transaction() as conn:
        open_rows: dict[tuple[str, str, str], _Open] = {}
        for row in conn.execute(
            "SELECT id, rule, store, scope, state, pending_since, last_seen, message, "
            "json_extract(detail, '$.quiet') FROM alerts "
            f"WHERE state IN ({','.join('?' * len(OPEN_STATES))})",
            OPEN_STATES,
        ):
            open_rows[(row[1], row[2], row[3])] = _Open(
                row[0],
                row[4],
                datetime.fromisoformat(row[5]) if row[5] else now,
                datetime.fromisoformat(row[6]) if row[6] else None,
                row[7],
                row[8] or "",
            )
        seen_updates: list[tuple[Any, ...]] = []
        refreshed: list[tuple[Any, ...]] = []
        closed: set[int] = set()

        def change(event: str, alert_id: int, o: Observation | None = None) -> None:
            if o is not None and event != "resolved":
                events.append(
                    AlertEvent(
                        event, now, alert_id, o.rule.name, o.store, o.scope, o.rule.severity,
                        o.value, o.threshold, o.message, o.rule.labels,
                    )
                )  # fmt: skip
                return
            row = conn.execute(
                "SELECT rule, store, scope, severity, value, threshold, message, labels "
                "FROM alerts WHERE id = ?",
                (alert_id,),
            ).fetchone()
            events.append(
                AlertEvent(
                    event, now, alert_id, row[0], row[1], row[2], row[3], row[4], row[5],
                    row[6], json.loads(row[7] or "{}"),
                )
            )  # fmt: skip

        def insert(o: Observation, state_name: str, since: datetime) -> int:
            cursor = conn.execute(
                "INSERT INTO alerts (rule, store, scope, state, severity, value, threshold, "
                "message, labels, pending_since, fired_at, updated_at, detail, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    o.rule.name, o.store, o.scope, state_name, o.rule.severity, o.value,
                    o.threshold, o.message, json.dumps(o.rule.labels, ensure_ascii=False),
                    iso(since), stamp if state_name == "firing" else None, stamp, _detail(o),
                    stamp,
                ),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

        def resolve(alert_id: int, message: str | None = None) -> None:
            closed.add(alert_id)
            conn.execute(
                "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ?, "
                "message = coalesce(?, message), detail = json_remove(detail, '$.quiet') "
                "WHERE id = ?",
                (stamp, stamp, message, alert_id),
            )

        def drop(alert_id: int) -> None:
            closed.add(alert_id)
            conn.execute("DELETE FROM alerts WHERE id = ?", (alert_id,))

        def seen(o: Observation, current: _Open) -> None:
            message = o.message
            if message != current.message or current.quiet:
                refreshed.append((o.value, o.threshold, message, _detail(o), stamp, stamp,
                                  current.id))  # fmt: skip
            else:
                seen_updates.append((o.value, o.threshold, stamp, current.id))

        observed: set[tuple[str, str, str]] = set()
        for o in observations:
            key = (o.rule.name, o.store, o.scope)
            if key in observed:
                continue
            observed.add(key)
            current = open_rows.get(key)
            if current is not None and (current.state == "strategic") != o.strategic:
                # Strategic loss and a real alert are different episodes.
                if current.state == "pending":
                    drop(current.id)
                else:
                    resolve(current.id, o.resolved_message)
                    if current.state == "firing":
                        change("resolved", current.id)
                current = None
            if o.strategic:
                if current is None:
                    change("strategic", insert(o, "strategic", now), o)
                else:
                    seen(o, current)
                continue
            if current is None:
                if not o.breaking:
                    continue
                since = o.since if o.since is not None else now
                state_name = "firing" if now - since >= o.rule.for_ else "pending"
                change(state_name, insert(o, state_name, since), o)
            elif current.state == "pending":
                if not o.breaking:
                    drop(current.id)
                    change("inactive", current.id, o)
                elif now - current.pending_since >= o.rule.for_:
                    conn.execute(
                        "UPDATE alerts SET state = 'firing', fired_at = ?, value = ?, "
                        "threshold = ?, message = ?, updated_at = ?, last_seen = ?, detail = ? "
                        "WHERE id = ?",
                        (stamp, o.value, o.threshold, o.message, stamp, stamp, _detail(o),
                         current.id),
                    )  # fmt: skip
                    change("firing", current.id, o)
                else:
                    seen(o, current)
            elif o.cleared:
                conn.execute(
                    "UPDATE alerts SET value = ?, threshold = ?, detail = ? WHERE id = ?",
                    (o.value, o.threshold, _detail(o), current.id),
                )
                resolve(current.id, o.resolved_message)
                change("resolved", current.id)
            else:
                seen(o, current)
        conn.executemany(
            "UPDATE alerts SET value = ?, threshold = ?, last_seen = ? WHERE id = ?",
            seen_updates,
        )
        conn.executemany(
            "UPDATE alerts SET value = ?, threshold = ?, message = ?, detail = ?, "
            "updated_at = ?, last_seen = ? WHERE id = ?",
            refreshed,
        )
        # Open alerts not observed: gone rules resolve; unobserved scopes hold a while.
        for key, current in open_rows.items():
            if key in observed:
                continue
            rule = rules.get(key[0])
            if rule is not None:
                if (key[0], key[1]) not in covered and (key[0], ALL_STORES) not in covered:
                    continue
                last = current.last_seen or current.pending_since
                if now - last < hold_limit(rule):
                    continue
            if current.state == "pending":
                change("inactive", current.id)  # read before the row goes
                drop(current.id)
            else:
                resolve(current.id, _closing(conn, current.id, rule, current.last_seen,
                                             tz_for(key[1])))  # fmt: skip
                change("resolved", current.id)
        # Why each open alert is not told (or that it is again), for viewers and notices.
        marks = []
        for key, current in open_rows.items():
            if current.id in closed or key in observed:
                continue
            reason = quiet(rules.get(key[0]), key[1])
            if reason != current.quiet:
                marks.append((reason or None, stamp, current.id))
        conn.executemany(
            "UPDATE alerts SET detail = CASE WHEN ?1 IS NULL THEN json_remove(detail, "
            "'$.quiet') ELSE json_set(detail, '$.quiet', ?1) END, updated_at = ?2 WHERE id = ?3",
            marks,
        )
    return events

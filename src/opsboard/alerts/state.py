"""Alert state as kept in the store, and the small read/write API every viewer shares.

An alert is one episode of one rule breaking for one scope: a row that goes pending ->
firing -> resolved (a pending alert that never fired is dropped). Acknowledgements and
silences are rows of their own, so that every dashboard and the shell see the same ones.
Times are stored as UTC ISO text, which sorts as time does.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from opsboard.errors import UsageError
from opsboard.storage.store import Store

#: Severity names in increasing order of badness.
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}
#: States of an alert that is still open (not resolved).
OPEN_STATES: tuple[str, ...] = ("pending", "firing", "strategic")


def iso(instant: datetime) -> str:
    """``instant`` as stored: UTC, to the second."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SilenceView:
    """A silence: alerts matching ``rule``/``store``/``scope`` (globs; empty = any) are not
    sent until ``until``."""

    id: int
    rule: str
    store: str
    scope: str
    until: datetime
    by: str
    reason: str
    created_at: datetime

    def matches(self, rule: str, store: str, scope: str) -> bool:
        """True when this silence covers an alert of ``rule`` for ``store`` and ``scope``."""
        return (
            fnmatch.fnmatchcase(rule, self.rule or "*")
            and fnmatch.fnmatchcase(store, self.store or "*")
            and fnmatch.fnmatchcase(scope, self.scope or "*")
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "rule": self.rule,
            "store": self.store,
            "scope": self.scope,
            "until": iso(self.until),
            "by": self.by,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AlertView:
    """One alert as a viewer shows it: state, figures, acknowledgement and silence."""

    id: int
    rule: str
    store: str
    scope: str
    state: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    labels: dict[str, str] = field(default_factory=dict)
    pending_since: datetime | None = None
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_note: str = ""
    silenced_until: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def acknowledged(self) -> bool:
        """True once someone has acknowledged the alert."""
        return self.acked_by is not None

    @property
    def silenced(self) -> bool:
        """True while a silence covers the alert."""
        return self.silenced_until is not None

    @property
    def quiet_reason(self) -> str:
        """Why the alert is not being told, as the engine last judged it: ``muted:
        promotion NAME`` or ``suppressed: source NAME is failing`` (empty when it is told)."""
        return str(self.detail.get("quiet") or "")

    @property
    def muted(self) -> bool:
        """True while a promotion window mutes the alert's rule for its store."""
        return self.quiet_reason.startswith("muted")

    @property
    def suppressed(self) -> bool:
        """True while a failing or stale source (or the wait for its fresh data after it
        recovered) holds the alert."""
        return self.quiet_reason.startswith("suppressed")

    @property
    def strategic_loss(self) -> bool:
        """True for a campaign run below break-even on purpose: shown, never sent."""
        return self.state == "strategic"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the form `opsboard alerts list --format json` prints)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "store": self.store,
            "scope": self.scope,
            "state": self.state,
            "severity": self.severity,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "labels": self.labels,
            "pending_since": _or_none(self.pending_since),
            "fired_at": _or_none(self.fired_at),
            "resolved_at": _or_none(self.resolved_at),
            "acked_by": self.acked_by,
            "acked_at": _or_none(self.acked_at),
            "ack_note": self.ack_note,
            "silenced_until": _or_none(self.silenced_until),
            "muted": self.muted,
            "suppressed": self.suppressed,
            "quiet_reason": self.quiet_reason or None,
        }


def _or_none(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


_ALERT_COLUMNS = (
    "a.id, a.rule, a.store, a.scope, a.state, a.severity, a.value, a.threshold, a.message, "
    "a.labels, a.pending_since, a.fired_at, a.resolved_at, a.detail, "
    "k.by, k.at, k.note"
)
# The latest acknowledgement of each alert.
_LATEST_ACK = (
    "LEFT JOIN alert_acks k ON k.id = (SELECT max(id) FROM alert_acks WHERE alert_id = a.id)"
)


def _view(row: tuple[Any, ...], silences: list[SilenceView]) -> AlertView:
    rule, store_name, scope = row[1], row[2], row[3]
    until = max((s.until for s in silences if s.matches(rule, store_name, scope)), default=None)
    return AlertView(
        id=row[0],
        rule=rule,
        store=store_name,
        scope=scope,
        state=row[4],
        severity=row[5],
        value=row[6],
        threshold=row[7],
        message=row[8],
        labels=json.loads(row[9] or "{}"),
        pending_since=parse_iso(row[10]),
        fired_at=parse_iso(row[11]),
        resolved_at=parse_iso(row[12]),
        detail=json.loads(row[13] or "{}"),
        acked_by=row[14],
        acked_at=parse_iso(row[15]),
        ack_note=row[16] or "",
        silenced_until=until,
    )


def active_alerts(
    store: Store,
    store_name: str | None = None,
    *,
    now: datetime | None = None,
    resolved_within: timedelta | None = None,
) -> list[AlertView]:
    """Open alerts (pending, firing, strategic loss), worst first; optionally one store's.

    ``resolved_within`` also returns alerts resolved that recently.
    """
    current = _now(now)
    conditions = [f"a.state IN ({','.join('?' * len(OPEN_STATES))})"]
    params: list[Any] = list(OPEN_STATES)
    if resolved_within is not None:
        conditions[0] = f"({conditions[0]} OR (a.state = 'resolved' AND a.resolved_at >= ?))"
        params.append(iso(current - resolved_within))
    if store_name is not None:
        conditions.append("a.store = ?")
        params.append(store_name)
    rows = store.conn.execute(
        f"SELECT {_ALERT_COLUMNS} FROM alerts a {_LATEST_ACK} WHERE {' AND '.join(conditions)}",
        params,
    ).fetchall()
    live = silences(store, now=current)
    views = [_view(row, live) for row in rows]
    order = {"firing": 0, "pending": 1, "strategic": 2, "resolved": 3}
    views.sort(
        key=lambda v: (
            order.get(v.state, 9),
            -SEVERITY_RANK.get(v.severity, 0),
            v.store,
            v.rule,
            v.scope,
        )
    )
    return views


def get_alert(store: Store, alert_id: int, *, now: datetime | None = None) -> AlertView:
    """One alert by id; ``UsageError`` when there is none."""
    row = store.conn.execute(
        f"SELECT {_ALERT_COLUMNS} FROM alerts a {_LATEST_ACK} WHERE a.id = ?", (alert_id,)
    ).fetchone()
    if row is None:
        raise UsageError(
            f"no alert with id {alert_id}", hint="`opsboard alerts list` shows the open ones"
        )
    return _view(row, silences(store, now=_now(now)))


def ack(
    store: Store, alert_id: int, by: str, note: str = "", *, now: datetime | None = None
) -> AlertView:
    """Acknowledge an alert: it stays listed but is not sent again while it fires."""
    if not by.strip():
        raise UsageError("say who acknowledges the alert", hint="e.g. --by alice")
    get_alert(store, alert_id, now=now)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO alert_acks (alert_id, by, at, note) VALUES (?, ?, ?, ?)",
            (alert_id, by.strip(), iso(_now(now)), note),
        )
    return get_alert(store, alert_id, now=now)


def silence(
    store: Store,
    rule: str,
    *,
    by: str,
    duration: timedelta | None = None,
    until: datetime | None = None,
    store_name: str = "",
    scope: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> SilenceView:
    """Stop sending alerts matching ``rule``/``store_name``/``scope`` (globs; empty = any)
    for ``duration`` or until ``until``; returns the new silence."""
    current = _now(now)
    if until is None:
        if duration is None or duration <= timedelta(0):
            raise UsageError("a silence needs a positive duration", hint="e.g. --for 2h")
        until = current + duration
    if until <= current:
        raise UsageError(f"a silence until {iso(until)} would already be over")
    if not rule.strip():
        raise UsageError("name the rule to silence", hint="use * for every rule")
    if not by.strip():
        raise UsageError("say who silences the alerts", hint="e.g. --by alice")
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO silences (rule, store, scope, until, by, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rule.strip(), store_name, scope, iso(until), by.strip(), reason, iso(current)),
        )
        silence_id = int(cursor.lastrowid or 0)
    return SilenceView(
        silence_id, rule.strip(), store_name, scope, until, by.strip(), reason, current
    )


def unsilence(
    store: Store, silence_id: int, *, now: datetime | None = None
) -> tuple[SilenceView, bool]:
    """End a silence now (it stays in the history); ``UsageError`` if there is no such one.

    Returns the silence as it now stands and whether this call ended it (False: it had
    already ended, at the view's ``until``).
    """
    current = _now(now)
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT id, rule, store, scope, until, by, reason, created_at FROM silences "
            "WHERE id = ?",
            (silence_id,),
        ).fetchone()
        if row is None:
            raise UsageError(
                f"no silence with id {silence_id}",
                hint="`opsboard alerts list` shows the active silences",
            )
        active = row[4] > iso(current)
        if active:
            conn.execute("UPDATE silences SET until = ? WHERE id = ?", (iso(current), silence_id))
    until = current if active else datetime.fromisoformat(row[4])
    view = SilenceView(
        row[0], row[1], row[2], row[3], until, row[5], row[6], datetime.fromisoformat(row[7])
    )
    return view, active


def silences(store: Store, *, now: datetime | None = None) -> list[SilenceView]:
    """The silences in force at ``now``, newest first."""
    rows = store.conn.execute(
        "SELECT id, rule, store, scope, until, by, reason, created_at FROM silences "
        "WHERE until > ? ORDER BY id DESC",
        (iso(_now(now)),),
    ).fetchall()
    return [
        SilenceView(
            r[0],
            r[1],
            r[2],
            r[3],
            datetime.fromisoformat(r[4]),
            r[5],
            r[6],
            datetime.fromisoformat(r[7]),
        )
        for r in rows
    ]

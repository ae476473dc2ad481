"""Alert state as kept in the store, and the small read/write API every viewer shares.

An alert is one episode of one rule breaking for one scope: a row that goes pending ->
firing -> resolved (a pending alert that never fired is dropped). Acknowledgements and
silences are rows of their own, so that every dashboard and the shell see the same ones.
Times are stored as UTC ISO text, which sorts as time does.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from opsboard.errors import UsageError
from opsboard.models import SEVERITY_RANK, STATE_RANK, AlertState
from opsboard.storage.alerts import AckedAlert, iso
from opsboard.storage.silences import SilenceRow
from opsboard.storage.store import Store

__all__ = [
    "AlertView",
    "SilenceView",
    "ack",
    "active_alerts",
    "get_alert",
    "iso",
    "silence",
    "silences",
    "unsilence",
]


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
        return self.state == AlertState.STRATEGIC

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


def _view(found: AckedAlert, silences: list[SilenceView]) -> AlertView:
    alert, latest = found
    until = max(
        (s.until for s in silences if s.matches(alert.rule, alert.store, alert.scope)),
        default=None,
    )
    return AlertView(
        id=alert.id,
        rule=alert.rule,
        store=alert.store,
        scope=alert.scope,
        state=alert.state,
        severity=alert.severity,
        value=alert.value,
        threshold=alert.threshold,
        message=alert.message,
        labels=alert.labels,
        pending_since=alert.pending_since,
        fired_at=alert.fired_at,
        resolved_at=alert.resolved_at,
        detail=alert.detail,
        acked_by=None if latest is None else latest.by,
        acked_at=None if latest is None else latest.at,
        ack_note="" if latest is None else latest.note,
        silenced_until=until,
    )


def _silence(row: SilenceRow) -> SilenceView:
    return SilenceView(
        row.id, row.rule, row.store, row.scope, row.until, row.by, row.reason, row.created_at
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
    since = None if resolved_within is None else current - resolved_within
    live = silences(store, now=current)
    views = [_view(found, live) for found in store.alerts.listed(store_name, resolved_since=since)]
    views.sort(
        key=lambda v: (
            STATE_RANK.get(v.state, 9),
            -SEVERITY_RANK.get(v.severity, 0),
            v.store,
            v.rule,
            v.scope,
        )
    )
    return views


def get_alert(store: Store, alert_id: int, *, now: datetime | None = None) -> AlertView:
    """One alert by id; ``UsageError`` when there is none."""
    found = store.alerts.get(alert_id)
    if found is None:
        raise UsageError(
            f"no alert with id {alert_id}", hint="`opsboard alerts list` shows the open ones"
        )
    return _view(found, silences(store, now=_now(now)))


def ack(
    store: Store, alert_id: int, by: str, note: str = "", *, now: datetime | None = None
) -> AlertView:
    """Acknowledge an alert: it stays listed but is not sent again while it fires."""
    if not by.strip():
        raise UsageError("say who acknowledges the alert", hint="e.g. --by alice")
    get_alert(store, alert_id, now=now)
    store.alerts.add_ack(alert_id, by.strip(), _now(now), note)
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
    silence_id = store.silences.add_silence(
        rule.strip(), store_name, scope, until, by.strip(), reason, current
    )
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
    ended = store.silences.end_silence(silence_id, _now(now))
    if ended is None:
        raise UsageError(
            f"no silence with id {silence_id}",
            hint="`opsboard alerts list` shows the active silences",
        )
    row, active = ended
    return _silence(row), active


def silences(store: Store, *, now: datetime | None = None) -> list[SilenceView]:
    """The silences in force at ``now``, newest first."""
    return [_silence(row) for row in store.silences.silences_at(_now(now))]

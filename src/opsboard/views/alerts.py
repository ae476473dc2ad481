"""Alert state, acknowledgements, silences and source health for the dashboard.

Textual-free. Reads and writes the ``alerts``, ``alert_acks`` and ``silences`` tables
through the alert engine's shared API (``opsboard.alerts``); replays read the tables as they
stood at an instant. A viewer writes nothing else.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from opsboard import alerts as alert_state
from opsboard.alerts import AlertView
from opsboard.errors import UsageError
from opsboard.formatting import with_name
from opsboard.i18n import _, pgettext
from opsboard.models import SEVERITY_RANK, AlertState, HealthState, SourceHealth
from opsboard.points import NAME_KINDS
from opsboard.storage.store import Store
from opsboard.text import inert

#: How long a resolved alert stays in the list.
RECENT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert as the Alerts panel shows it."""

    id: int
    rule: str
    store: str
    scope: str
    state: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    since: datetime | None
    acked_by: str = ""
    ack_note: str = ""
    silenced_until: datetime | None = None
    shown_value: str = ""
    shown_threshold: str = ""
    quiet_reason: str = ""
    """Why the alert is not being told: ``muted: promotion ...``, ``suppressed: ...``."""
    name: str = ""
    """The platform's name of a campaign or SKU scope (``春季新品推广``), or ``""``."""

    @property
    def scope_label(self) -> str:
        """Store and scope together, with the scope's name, e.g. ``tmall-flagship /
        campaign:77012003172 春季新品推广``; a file by its name."""
        scope = self.scope
        if scope.startswith("file:"):
            scope = f"file:{scope_key(scope)}"
        scope = with_name(scope, self.name)
        return " / ".join(part for part in (self.store, scope) if part) or _("all")

    @property
    def bucket(self) -> str:
        """Where the alert is listed: ``firing``, ``pending``, ``acknowledged`` (an open
        alert someone has acknowledged or silenced), ``strategic`` or ``resolved``."""
        if self.state in (AlertState.FIRING, AlertState.PENDING) and (
            self.acked_by or self.silenced_until is not None
        ):
            return ACKNOWLEDGED
        return self.state


#: The bucket of an open alert that someone has acknowledged or silenced.
ACKNOWLEDGED = "acknowledged"
#: The order alerts are listed in: firing, pending, acknowledged, strategic, resolved.
BUCKET_RANK: dict[str, int] = {
    name: rank
    for rank, name in enumerate(
        (
            AlertState.FIRING,
            AlertState.PENDING,
            ACKNOWLEDGED,
            AlertState.STRATEGIC,
            AlertState.RESOLVED,
        )
    )
}


def scope_key(scope: str) -> str:
    """What tells one alert's scope from another's: ``sku:1002`` -> ``1002``, a campaign's
    id, a source's name; a file by its name (not the folder it lies or was moved in)."""
    kind, _, what = scope.partition(":")
    if not what:
        return scope
    if kind == "file":
        return PurePath(what).name or what
    return what


def scope_words(alert: AlertRow, store: str | None) -> str:
    """The scope as the alerts table shows it: the id (or file name) with the platform's
    name after it, after the store unless ``store`` is the one in view."""
    scope = with_name(scope_key(alert.scope), alert.name)
    if store and alert.store == store:
        return scope or pgettext("subject", "store")
    return " / ".join(part for part in (inert(alert.store), scope) if part) or _("all")


@dataclass(frozen=True, slots=True)
class HealthRow:
    """One source's health for the status bar."""

    source: str
    store: str
    state: str
    reason: str
    since: datetime


def message_after_rule(rule: str, message: str) -> str:
    """``message`` without the rule's name it starts with (``rule: ...``, or ``rule：...``
    in Chinese), for a line that names the rule already."""
    for colon in (": ", "："):
        if message.startswith(rule + colon):
            return message[len(rule) + len(colon) :]
    return message


def current_user() -> str:
    """Who is acknowledging: the login name."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


def _row(view: AlertView, state: str | None = None) -> AlertRow:
    state = state or view.state
    since = (
        view.resolved_at if state == AlertState.RESOLVED else (view.fired_at or view.pending_since)
    )
    return AlertRow(
        id=view.id,
        rule=view.rule,
        store=view.store,
        scope=view.scope,
        state=state,
        severity=view.severity,
        value=view.value,
        threshold=view.threshold,
        message=view.message,
        since=since,
        acked_by=view.acked_by or "",
        ack_note=view.ack_note,
        silenced_until=view.silenced_until,
        # As the rule formats them: 3.2% for a rate, +30% for a change, 42 min for a source.
        shown_value=str(view.detail.get("value") or ""),
        shown_threshold=str(view.detail.get("threshold") or ""),
        quiet_reason=view.quiet_reason,
    )


def _named(store: Store, rows: list[AlertRow]) -> list[AlertRow]:
    """``rows`` with the names of their campaign and SKU scopes (one look-up per store and
    kind)."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        kind, _, key = row.scope.partition(":")
        if kind in NAME_KINDS and key:
            wanted.setdefault((row.store, kind), set()).add(key)
    found: dict[tuple[str, str], str] = {}
    for (store_name, kind), keys in wanted.items():
        for (_, key), name in store.names_of(store_name, kind, keys).items():
            found[(store_name, f"{kind}:{key}")] = name
    return [replace(r, name=found.get((r.store, r.scope), r.name)) for r in rows]


def _order(rows: list[AlertRow], at: datetime, limit: int) -> list[AlertRow]:
    rows.sort(
        key=lambda a: (
            BUCKET_RANK.get(a.bucket, BUCKET_RANK[AlertState.RESOLVED]),
            -SEVERITY_RANK.get(a.severity, -1),  # the worst first, an unknown one last
            -(a.since or at).timestamp(),
        )
    )
    return rows[:limit]


def load_alerts(
    store: Store, *, at: datetime, live: bool, store_name: str | None = None, limit: int = 200
) -> list[AlertRow]:
    """Open and recently resolved alerts, firing first, then pending, acknowledged,
    strategic and resolved, the worst first within each; in a replay, as they stood at
    ``at``.

    With a store chosen, alerts of that store and alerts of no store (sources) are shown.
    """
    if live:
        views = alert_state.active_alerts(store, now=at, resolved_within=RECENT)
        rows = [_row(v) for v in views if not store_name or v.store in ("", store_name)]
        return _named(store, _order(rows, at, limit))
    # A replay: every alert begun by `at` and not resolved for a day by then, with the
    # acknowledgements and silences that existed at `at`.
    ids = store.alerts.begun_by(at, at - RECENT, store_name, limit * 2)
    acks = store.alerts.latest_acks_by(ids, at)
    silences = [s for s in alert_state.silences(store, now=at) if s.created_at <= at]
    rows = []
    for alert_id in ids:
        view = alert_state.get_alert(store, alert_id, now=at)
        if view.resolved_at is not None and view.resolved_at <= at:
            state = AlertState.RESOLVED
        elif view.fired_at is not None and view.fired_at <= at:
            state = AlertState.STRATEGIC if view.strategic_loss else AlertState.FIRING
        else:
            state = AlertState.PENDING
        ack = acks.get(alert_id)
        by, note = ("", "") if ack is None else (ack.by, ack.note)
        until = max(
            (x.until for x in silences if x.matches(view.rule, view.store, view.scope)),
            default=None,
        )
        row = _row(view, state)
        rows.append(
            AlertRow(**{**_fields(row), "acked_by": by, "ack_note": note, "silenced_until": until})
        )
    return _named(store, _order(rows, at, limit))


def _fields(row: AlertRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in AlertRow.__slots__}


def acknowledge(store: Store, alert_id: int, *, note: str, by: str, at: datetime) -> None:
    """Record that ``by`` has seen alert ``alert_id`` (with a note)."""
    alert_state.ack(store, alert_id, by, note.strip(), now=at)


def silence(
    store: Store,
    *,
    rule: str,
    store_name: str,
    scope: str,
    duration: timedelta,
    by: str,
    reason: str,
    at: datetime,
) -> datetime:
    """Silence one rule for one store and scope for ``duration``; returns when it ends."""
    view = alert_state.silence(
        store,
        rule,
        by=by,
        duration=duration,
        store_name=store_name,
        scope=scope,
        reason=reason,
        now=at,
    )
    return view.until


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d`` or ``90`` (minutes) as a duration; a clear error otherwise."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if text and text[-1] in units:
            return timedelta(seconds=float(text[:-1]) * units[text[-1]])
        return timedelta(minutes=float(text))
    except ValueError:
        raise UsageError(
            f"cannot read {text!r} as a duration", hint="write it as 30m, 2h or 1d"
        ) from None


def load_health(store: Store) -> list[HealthRow]:
    """Every source's latest health."""
    return [_health_row(h) for h in store.health()]


def _health_row(health: SourceHealth) -> HealthRow:
    state = health.state.value if isinstance(health.state, HealthState) else str(health.state)
    return HealthRow(health.source, health.store, state, health.reason, health.since)

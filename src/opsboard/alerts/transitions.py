"""The alert state machine: one evaluation's observations applied to the stored alerts.

pending -> firing -> resolved, with ``for`` durations, clear thresholds, strategic losses,
and alerts whose scope shows no data held for a while before they close. Each alert also
carries why it is not being told (muted by a promotion window, suppressed by a failing
source) in ``detail.quiet``, so that every viewer shows it and the notices skip it.

``transition`` decides, for one stored alert and what this evaluation saw of it, what to
write and which events to tell, without touching the store; ``apply_observations`` gathers
the open alerts, calls it for each and writes every change in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.alerts.messages import fill, render
from opsboard.alerts.rules import DATA_KINDS, Observation
from opsboard.config.builtin_rules import NO_DATA_RESOLVED, RULE_GONE_RESOLVED
from opsboard.config.rules import RuleConfig
from opsboard.i18n import _
from opsboard.models import AlertState
from opsboard.storage.alert_writes import (
    AlertWrite,
    Drop,
    Fire,
    NewAlert,
    Quiet,
    Reading,
    Refresh,
    Resolve,
    Seen,
)
from opsboard.storage.alerts import StoredAlert, iso
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


#: The ``alert_id`` of an event about an alert not written yet (its id comes with the write).
NEW_ALERT = 0


@dataclass(frozen=True)
class Unobserved:
    """What an evaluation knows of an open alert it did not observe.

    ``rule``: the alert's rule (None: gone from the config). ``covered``: the rule was
    evaluated for the alert's store this time (so the scope showed no data). ``quiet``: why
    the alert is not told now (empty: it is). ``tz``: the store's zone, for the closing
    message's last-seen time.
    """

    rule: RuleConfig | None
    covered: bool
    quiet: str
    tz: tzinfo


@dataclass(frozen=True)
class Changes:
    """What one transition writes, in order, and the events it tells. An event about the
    alert that ``writes`` creates carries ``NEW_ALERT`` for its id."""

    writes: list[AlertWrite] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)


def hold_limit(rule: RuleConfig | None) -> timedelta:
    """How long an open alert whose scope shows no data (or too little) keeps its state."""
    if rule is None or rule.kind not in DATA_KINDS:
        return timedelta(0)
    return max(rule.window, timedelta(hours=1)) + timedelta(hours=1)


def _closing(alert: StoredAlert, rule: RuleConfig | None, tz: tzinfo) -> str:
    """The message of an alert closed without an observation that clears it."""
    fields: dict[str, Any] = {
        "rule": alert.rule,
        "store": alert.store,
        "scope": alert.scope.split(":", 1)[-1],
    }
    fields |= {k: v for k, v in alert.detail.items() if k != "quiet"}
    if rule is None:
        return fill(_(RULE_GONE_RESOLVED), fields)
    if rule.kind in DATA_KINDS:
        seen = f"{alert.last_seen.astimezone(tz):%Y-%m-%d %H:%M}" if alert.last_seen else "long ago"
        return fill(_(NO_DATA_RESOLVED), fields | {"last_seen": seen})
    return render(rule, fields, resolved=True)


def _told(event: str, alert_id: int, o: Observation, now: datetime) -> AlertEvent:
    """An event told with what was just observed."""
    return AlertEvent(
        event, now, alert_id, o.rule.name, o.store, o.scope, o.rule.severity, o.value,
        o.threshold, o.message, o.rule.labels,
    )  # fmt: skip


def _as_stored(
    event: str, alert: StoredAlert, now: datetime, message: str, reading: Reading | None = None
) -> AlertEvent:
    """An event told with the alert as stored once its closing write is made."""
    value, threshold = (alert.value, alert.threshold) if reading is None else (
        reading.value, reading.threshold)  # fmt: skip
    return AlertEvent(
        event, now, alert.id, alert.rule, alert.store, alert.scope, alert.severity, value,
        threshold, message, alert.labels,
    )  # fmt: skip


def _new(o: Observation, state: AlertState, since: datetime, now: datetime) -> NewAlert:
    return NewAlert(
        o.rule.name, o.store, o.scope, state, o.rule.severity, o.value, o.threshold, o.message,
        o.rule.labels, o.fields, since, now,
    )  # fmt: skip


def _seen(o: Observation, alert: StoredAlert, now: datetime) -> AlertWrite:
    """An open alert observed again: a new message (or a quiet one told again) is written
    whole, else only the figures move."""
    if o.message != alert.message or alert.quiet:
        return Refresh(alert.id, o.value, o.threshold, o.message, o.fields, now)
    return Seen(alert.id, o.value, o.threshold, now)


def transition(
    alert: StoredAlert | None, observation: Observation | Unobserved, now: datetime
) -> Changes:
    """What ``observation`` does to ``alert`` (the open alert of its rule, store and scope,
    or None) at ``now``: the writes to make and the events to tell."""
    if isinstance(observation, Unobserved):
        if alert is None:
            return Changes()
        return _unobserved(alert, observation, now)
    o = observation
    changes = Changes()
    writes, events = changes.writes, changes.events
    if alert is not None and (alert.state == AlertState.STRATEGIC) != o.strategic:
        # Strategic loss and a real alert are different episodes.
        if alert.state == AlertState.PENDING:
            writes.append(Drop(alert.id))
        else:
            writes.append(Resolve(alert.id, now, o.resolved_message))
            if alert.state == AlertState.FIRING:
                events.append(_as_stored("resolved", alert, now, o.resolved_message))
        alert = None
    if o.strategic:
        if alert is None:
            writes.append(_new(o, AlertState.STRATEGIC, now, now))
            events.append(_told("strategic", NEW_ALERT, o, now))
        else:
            writes.append(_seen(o, alert, now))
        return changes
    if alert is None:
        if o.breaking:
            since = o.since if o.since is not None else now
            state = AlertState.FIRING if now - since >= o.rule.for_ else AlertState.PENDING
            writes.append(_new(o, state, since, now))
            events.append(_told(str(state), NEW_ALERT, o, now))
    elif alert.state == AlertState.PENDING:
        if not o.breaking:
            writes.append(Drop(alert.id))
            events.append(_told("inactive", alert.id, o, now))
        elif now - (alert.pending_since or now) >= o.rule.for_:
            writes.append(Fire(alert.id, o.value, o.threshold, o.message, o.fields, now))
            events.append(_told("firing", alert.id, o, now))
        else:
            writes.append(_seen(o, alert, now))
    elif o.cleared:
        reading = Reading(o.value, o.threshold, o.fields)
        writes.append(Resolve(alert.id, now, o.resolved_message, reading))
        events.append(_as_stored("resolved", alert, now, o.resolved_message, reading))
    else:
        writes.append(_seen(o, alert, now))
    return changes


def _unobserved(alert: StoredAlert, what: Unobserved, now: datetime) -> Changes:
    """An open alert not observed: a gone rule resolves it; a scope that showed no data
    holds it a while, then closes it; else it keeps its state, quiet or told."""
    rule = what.rule
    held = rule is not None and (
        not what.covered or now - (alert.last_seen or alert.pending_since or now) < hold_limit(rule)
    )
    if not held:
        if alert.state == AlertState.PENDING:
            return Changes([Drop(alert.id)], [_as_stored("inactive", alert, now, alert.message)])
        message = _closing(alert, rule, what.tz)
        return Changes(
            [Resolve(alert.id, now, message)], [_as_stored("resolved", alert, now, message)]
        )
    if what.quiet != alert.quiet:
        return Changes([Quiet(alert.id, what.quiet, now)])
    return Changes()


def decide(
    open_alerts: list[StoredAlert],
    observations: list[Observation],
    covered: set[tuple[str, str]],
    now: datetime,
    *,
    rules: dict[str, RuleConfig],
    quiet: Callable[[RuleConfig | None, str], str],
    tz_for: Callable[[str], tzinfo],
) -> list[Changes]:
    """The changes of one evaluation, in the order to write them: a transition for each
    scope observed (its first observation), then one for each open alert not observed."""
    by_key = {alert.key: alert for alert in open_alerts}
    decided: list[Changes] = []
    observed: set[tuple[str, str, str]] = set()
    for o in observations:
        key = (o.rule.name, o.store, o.scope)
        if key not in observed:
            observed.add(key)
            decided.append(transition(by_key.get(key), o, now))
    for key, alert in by_key.items():
        if key in observed:
            continue
        rule_name, store_name, _scope = key
        rule = rules.get(rule_name)
        seen = (rule_name, store_name) in covered or (rule_name, ALL_STORES) in covered
        what = Unobserved(rule, seen, quiet(rule, store_name), tz_for(store_name))
        decided.append(transition(alert, what, now))
    return decided


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
    with state.alerts.revising() as revision:
        decided = decide(
            revision.open_alerts, observations, covered, now,
            rules=rules, quiet=quiet, tz_for=tz_for,
        )  # fmt: skip
        new_ids = iter(revision.write([w for changes in decided for w in changes.writes]))
    events: list[AlertEvent] = []
    for changes in decided:
        made = next(new_ids) if any(isinstance(w, NewAlert) for w in changes.writes) else None
        for event in changes.events:
            if event.alert_id == NEW_ALERT and made is not None:
                event = replace(event, alert_id=made)
            events.append(event)
    return events

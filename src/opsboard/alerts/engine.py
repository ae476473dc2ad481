"""The alert engine: evaluates the rules, moves alert state, and says what to send.

One collector process runs it after each collection cycle. State lives in the store, so a
restarted engine carries on where the last one stopped and re-sends nothing it sent.
Alerts that read data from a source that is stale or failing are held (neither raised nor
cleared) while it is; the source's own alert speaks instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.alerts.defaults import effective_rules
from opsboard.alerts.notify import Delivery, Message, compose
from opsboard.alerts.rules import (
    BAD_STATES,
    DATA_KINDS,
    EVALUATORS,
    Observation,
    RuleContext,
    effective_thresholds,
    evaluate_file_rejected,
    evaluate_source,
    muted,
    rule_periods,
)
from opsboard.alerts.state import OPEN_STATES, SEVERITY_RANK, iso, silences
from opsboard.config import RuleConfig, Settings
from opsboard.errors import OpsboardError
from opsboard.metrics import PACING
from opsboard.query import Filters, MetricsEngine, Period
from opsboard.storage.store import Store
from opsboard.timeutil import Clock, zone

log = logging.getLogger(__name__)

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
class CycleResult:
    """What one evaluation found and changed."""

    events: list[AlertEvent] = field(default_factory=list)
    held_stores: set[str] = field(default_factory=set)
    failing_sources: list[str] = field(default_factory=list)
    evaluated_stores: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> bool:
        """True when a source fails or there was no data to evaluate."""
        return bool(self.failing_sources) or not self.evaluated_stores


@dataclass
class _Open:
    id: int
    state: str
    pending_since: datetime
    last_seen: datetime | None


ALL_TIME = Period()
NO_FILTERS = Filters()


class ReusedQueries(MetricsEngine):
    """A metrics engine that answers a repeated query from its last answer while no ingest
    since then holds points of its stores in its period.

    Most cycles bring data for the current hour only: a change rule's baseline (the same
    hours last week) and the hours already complete need not be read again.
    """

    def __init__(
        self,
        store: Store,
        *,
        tz_for: Callable[[str], tzinfo],
        budget_for: Callable[[str], float | None],
        now: Callable[[], datetime],
        touched: Callable[[int | None, str, list[tuple[int | None, int | None]]], bool],
        since: Callable[[], int | None],
    ) -> None:
        super().__init__(store, tz_for=tz_for, budget_for=budget_for, now=now)
        self._touched_since = touched
        self._since = since
        self._answers: dict[tuple[Any, ...], tuple[int | None, list[dict[str, Any]]]] = {}
        self._used: set[tuple[Any, ...]] = set()

    def query(
        self,
        metrics: Sequence[str],
        *,
        stores: Sequence[str] | None = None,
        by: str = "total",
        period: Period = ALL_TIME,
        filters: Filters = NO_FILTERS,
    ) -> list[dict[str, Any]]:
        """As ``MetricsEngine.query``; reused while its stores and period are untouched."""
        bounded = period.start is not None or period.first_day is not None
        if not stores or not bounded or PACING in metrics:  # pacing moves with the clock
            return super().query(metrics, stores=stores, by=by, period=period, filters=filters)
        key = (tuple(metrics), tuple(stores), by, period, filters)
        self._used.add(key)
        answer = self._answers.get(key)
        if answer is not None and not any(
            self._touched_since(answer[0], name, [period.bounds(self.tz_for(name))])
            for name in stores
        ):
            return [dict(row) for row in answer[1]]
        since = self._since()  # before the query: a later ingest invalidates it
        rows = super().query(metrics, stores=stores, by=by, period=period, filters=filters)
        self._answers[key] = (since, rows)
        return [dict(row) for row in rows]

    def forget_unused(self) -> None:
        """Drop the answers no query asked for since the last call (periods move on)."""
        self._answers = {k: v for k, v in self._answers.items() if k in self._used}
        self._used = set()


class AlertEngine:
    """Evaluates the configured rules over ``data`` and keeps alert state in ``state``.

    ``state`` defaults to ``data``; a backtest passes a scratch in-memory store. With
    ``replay`` source health and file rejections are not consulted (they have no history).
    """

    def __init__(
        self,
        data: Store,
        settings: Settings,
        clock: Clock,
        *,
        state: Store | None = None,
        tz_for: Callable[[str], tzinfo] | None = None,
        replay: bool = False,
    ) -> None:
        self.data = data
        self.state = state if state is not None else data
        self.settings = settings
        self.clock = clock
        self.replay = replay
        self.tz_for = tz_for or (lambda name: zone(settings.store(name).timezone))
        self.rules = [r for r in effective_rules(settings.alerts) if r.enabled]
        if replay:
            self.rules = [r for r in self.rules if r.kind in DATA_KINDS]
        self._by_name = {r.name: r for r in self.rules}
        self._last_ingest: int | None = None
        self._in_flight: set[int] = set()
        self._cache: dict[
            tuple[str, str], tuple[tuple[Any, ...], int | None, list[Observation]]
        ] = {}
        self.metrics = ReusedQueries(
            data,
            tz_for=self.tz_for,
            budget_for=lambda name: settings.store(name).daily_budget,
            now=clock.now,
            touched=self._touched,
            since=lambda: self._last_ingest,
        )

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(self) -> CycleResult:
        """Evaluate every rule once and commit the state changes; returns the events."""
        now = self.clock.now()
        result = CycleResult()
        health = [] if self.replay else self.data.health()
        sources = {a.name for a in self.settings.adapters if a.enabled}
        if sources:  # a source removed from the config no longer alerts
            health = [h for h in health if h.source in sources]
        open_keys = {
            (r[0], r[1], r[2])
            for r in self.state.conn.execute(
                "SELECT rule, store, scope FROM alerts "
                f"WHERE state IN ({','.join('?' * len(OPEN_STATES))})",
                OPEN_STATES,
            )
        }
        ctx = RuleContext(
            self.data, self.metrics, self.settings, now, self.tz_for, health, open_keys
        )
        # Read before any query: an ingest landing during the evaluation is seen next time.
        self._last_ingest = self.data.conn.execute("SELECT max(id) FROM ingests").fetchone()[0]
        bad = [h for h in health if h.state in BAD_STATES]
        result.failing_sources = sorted({h.source for h in bad})
        result.held_stores = self._held_stores(bad)
        stores = self.data.stores()
        observations: list[Observation] = []
        covered: set[tuple[str, str]] = set()
        for rule in self.rules:
            try:
                observations += self._observe(rule, ctx, stores, result, covered)
            except OpsboardError as exc:
                result.problems.append(f"rule {rule.name}: {exc}")
                log.warning("rule %s: %s", rule.name, exc)
        result.evaluated_stores = [s for s in stores if s not in result.held_stores]
        if ALL_STORES in result.held_stores:
            result.evaluated_stores = []
        result.events = self._apply(observations, covered, now)
        self.metrics.forget_unused()
        return result

    def _held_stores(self, bad: Iterable[Any]) -> set[str]:
        held: set[str] = set()
        for health in bad:
            if health.store:
                held.add(health.store)
                continue
            fed = [
                r[0]
                for r in self.data.conn.execute(
                    "SELECT DISTINCT store FROM ingests WHERE source = ? AND status = 'loaded' "
                    "AND store != ''",
                    (health.source,),
                )
            ]
            held.update(fed or [ALL_STORES])
        return held

    def _observe(
        self,
        rule: RuleConfig,
        ctx: RuleContext,
        stores: list[str],
        result: CycleResult,
        covered: set[tuple[str, str]],
    ) -> list[Observation]:
        if rule.kind == "source":
            covered.add((rule.name, ALL_STORES))
            return evaluate_source(ctx, rule)
        if rule.kind == "file_rejected":
            covered.add((rule.name, ALL_STORES))
            return evaluate_file_rejected(ctx, rule)
        found: list[Observation] = []
        for store in stores:
            if rule.store is not None and store != rule.store:
                continue
            if store in result.held_stores or ALL_STORES in result.held_stores:
                continue
            if muted(rule, store, self.settings, ctx.now.astimezone(self.tz_for(store))):
                continue
            covered.add((rule.name, store))
            found += self._cached(rule, ctx, store)
        return found

    def _cached(self, rule: RuleConfig, ctx: RuleContext, store: str) -> list[Observation]:
        """The rule's observations for ``store``, reused while its periods and thresholds
        stay the same and no ingest since touched those periods: most cycles bring data
        for the current hour only, which a rule over complete hours or past weeks ignores."""
        if rule.kind == "pacing":  # the share of the day elapsed moves every minute
            return EVALUATORS[rule.kind](ctx, rule, store)
        tz = self.tz_for(store)
        periods = rule_periods(rule, ctx.now, tz)
        stamp = (
            tuple(periods),
            effective_thresholds(rule, store, self.settings, ctx.now.astimezone(tz)),
        )
        cached = self._cache.get((rule.name, store))
        if (
            cached is not None
            and cached[0] == stamp
            and not self._touched(cached[1], store, [p.bounds(tz) for p in periods])
        ):
            return cached[2]
        found = EVALUATORS[rule.kind](ctx, rule, store)
        self._cache[(rule.name, store)] = (stamp, self._last_ingest, found)
        return found

    def _touched(
        self, since: int | None, store: str, bounds: list[tuple[int | None, int | None]]
    ) -> bool:
        """True when an ingest after ``since`` holds points of ``store`` in ``bounds``."""
        for start, end in bounds:
            if self.data.conn.execute(
                "SELECT 1 FROM ingests WHERE id > ? AND store IN (?, '') "
                "AND period_start < ? AND period_end >= ? LIMIT 1",
                (since or 0, store, end if end is not None else 1 << 62, start or 0),
            ).fetchone():
                return True
        return False

    def _hold_limit(self, rule: RuleConfig | None) -> timedelta:
        """How long an open alert whose scope shows no data keeps its state."""
        if rule is None or rule.kind not in DATA_KINDS:
            return timedelta(0)
        return max(rule.window, timedelta(hours=1)) + timedelta(hours=1)

    def _apply(
        self, observations: list[Observation], covered: set[tuple[str, str]], now: datetime
    ) -> list[AlertEvent]:
        stamp = iso(now)
        events: list[AlertEvent] = []
        with self.state.transaction() as conn:
            open_rows: dict[tuple[str, str, str], _Open] = {}
            for row in conn.execute(
                "SELECT id, rule, store, scope, state, pending_since, last_seen FROM alerts "
                f"WHERE state IN ({','.join('?' * len(OPEN_STATES))})",
                OPEN_STATES,
            ):
                open_rows[(row[1], row[2], row[3])] = _Open(
                    row[0],
                    row[4],
                    datetime.fromisoformat(row[5]) if row[5] else now,
                    datetime.fromisoformat(row[6]) if row[6] else None,
                )
            seen_updates: list[tuple[Any, ...]] = []

            def change(
                event: str, alert_id: int, obs_or_key: Observation | tuple[str, ...]
            ) -> None:
                if isinstance(obs_or_key, Observation):
                    o = obs_or_key
                    events.append(
                        AlertEvent(
                            event, now, alert_id, o.rule.name, o.store, o.scope,
                            o.rule.severity, o.value, o.threshold, o.message, o.rule.labels,
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

            def insert(o: Observation, state: str, since: datetime) -> int:
                cursor = conn.execute(
                    "INSERT INTO alerts (rule, store, scope, state, severity, value, threshold, "
                    "message, labels, pending_since, fired_at, updated_at, detail, last_seen) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        o.rule.name, o.store, o.scope, state, o.rule.severity, o.value,
                        o.threshold, o.message, json.dumps(o.rule.labels, ensure_ascii=False),
                        iso(since), stamp if state == "firing" else None, stamp,
                        json.dumps(o.fields, ensure_ascii=False, default=str), stamp,
                    ),
                )  # fmt: skip
                return int(cursor.lastrowid or 0)

            def resolve(alert_id: int) -> None:
                conn.execute(
                    "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ? "
                    "WHERE id = ?",
                    (stamp, stamp, alert_id),
                )

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
                        conn.execute("DELETE FROM alerts WHERE id = ?", (current.id,))
                    else:
                        resolve(current.id)
                        if current.state == "firing":
                            change("resolved", current.id, o)
                    current = None
                if o.strategic:
                    if current is None:
                        change("strategic", insert(o, "strategic", now), o)
                    else:
                        seen_updates.append((o.value, o.threshold, o.message, stamp, current.id))
                    continue
                if current is None:
                    if not o.breaking:
                        continue
                    since = o.since if o.since is not None else now
                    state = "firing" if now - since >= o.rule.for_ else "pending"
                    change(state, insert(o, state, since), o)
                elif current.state == "pending":
                    if not o.breaking:
                        conn.execute("DELETE FROM alerts WHERE id = ?", (current.id,))
                        change("inactive", current.id, o)
                    elif now - current.pending_since >= o.rule.for_:
                        conn.execute(
                            "UPDATE alerts SET state = 'firing', fired_at = ?, value = ?, "
                            "threshold = ?, message = ?, updated_at = ?, last_seen = ? "
                            "WHERE id = ?",
                            (stamp, o.value, o.threshold, o.message, stamp, stamp, current.id),
                        )
                        change("firing", current.id, o)
                    else:
                        seen_updates.append((o.value, o.threshold, o.message, stamp, current.id))
                elif o.cleared:
                    conn.execute(
                        "UPDATE alerts SET value = ?, threshold = ?, message = ? WHERE id = ?",
                        (o.value, o.threshold, o.message, current.id),
                    )
                    resolve(current.id)
                    change("resolved", current.id, o)
                else:
                    seen_updates.append((o.value, o.threshold, o.message, stamp, current.id))
            conn.executemany(
                "UPDATE alerts SET value = ?, threshold = ?, message = ?, last_seen = ? "
                "WHERE id = ?",
                seen_updates,
            )
            # Open alerts not observed: gone rules resolve; unobserved scopes hold a while.
            for key, current in open_rows.items():
                if key in observed:
                    continue
                rule = self._by_name.get(key[0])
                if rule is not None:
                    if (key[0], key[1]) not in covered and (key[0], ALL_STORES) not in covered:
                        continue
                    last = current.last_seen or current.pending_since
                    if now - last < self._hold_limit(rule):
                        continue
                if current.state == "pending":
                    conn.execute("DELETE FROM alerts WHERE id = ?", (current.id,))
                    change("inactive", current.id, key)
                else:
                    resolve(current.id)
                    change("resolved", current.id, key)
        return events

    # -- notifications ---------------------------------------------------------------------

    def collect_notifications(self, *, flush: bool = False, mark: bool = True) -> list[Message]:
        """The messages due now, grouped by rule, store and status.

        New firing alerts wait ``group_wait`` (unless ``flush``) so that a storm becomes one
        message; unacknowledged ones repeat every ``repeat_interval``; silenced ones wait.
        With ``mark`` they are recorded as sent at once; without, they are in flight until
        ``mark_notified`` (after delivery), so that a crash in between re-sends rather than
        loses them.
        """
        now = self.clock.now()
        config = self.settings.alerts
        live = silences(self.state, now=now)
        rows = self.state.conn.execute(
            "SELECT a.id, a.rule, a.store, a.scope, a.state, a.severity, a.value, a.threshold, "
            "a.message, a.labels, a.fired_at, a.resolved_at, a.last_notified_at, "
            "a.last_notified_state, EXISTS (SELECT 1 FROM alert_acks k WHERE k.alert_id = a.id) "
            "FROM alerts a WHERE a.state = 'firing' OR "
            "(a.state = 'resolved' AND a.last_notified_state = 'firing')"
        ).fetchall()
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        quiet: list[int] = []
        for row in rows:
            alert_id, rule, store, scope, state = row[0], row[1], row[2], row[3], row[4]
            if alert_id in self._in_flight:
                continue
            if state == "resolved":
                if not config.send_resolved:
                    quiet.append(alert_id)
                    continue
            else:
                if any(s.matches(rule, store, scope) for s in live):
                    continue
                fired = datetime.fromisoformat(row[10]) if row[10] else now
                last = datetime.fromisoformat(row[12]) if row[12] else None
                if row[13] != "firing":
                    if not flush and now - fired < config.group_wait:
                        continue
                elif row[14] or last is None or now - last < config.repeat_interval:
                    continue
            alert = {
                "id": alert_id,
                "rule": rule,
                "store": store,
                "scope": scope,
                "state": state,
                "severity": row[5],
                "value": row[6],
                "threshold": row[7],
                "message": row[8],
                "labels": json.loads(row[9] or "{}"),
                "fired_at": row[10],
                "resolved_at": row[11],
            }
            groups.setdefault((state, rule, store), []).append(alert)
        messages = [compose(status, alerts) for (status, _r, _s), alerts in sorted(groups.items())]
        marks = [(iso(now), "resolved", alert_id) for alert_id in quiet]
        if mark:
            marks += [(iso(now), a["state"], a["id"]) for m in messages for a in m.alerts]
        else:
            self._in_flight.update(a["id"] for m in messages for a in m.alerts)
        self._mark(marks)
        return messages

    def mark_notified(self, message: Message) -> None:
        """Record the alerts of a delivered (or given-up) message as sent."""
        now = iso(self.clock.now())
        self._mark([(now, a["state"], a["id"]) for a in message.alerts if "id" in a])
        self._in_flight.difference_update(a.get("id") for a in message.alerts)

    def _mark(self, marks: list[tuple[str, str, int]]) -> None:
        if marks:
            with self.state.transaction() as conn:
                conn.executemany(
                    "UPDATE alerts SET last_notified_at = ?, last_notified_state = ? WHERE id = ?",
                    marks,
                )

    def record_deliveries(self, deliveries: Iterable[Delivery]) -> None:
        """Keep the outcome of deliveries in the ``notifications`` table."""
        rows = [
            (iso(d.at), d.notifier, "sent" if d.ok else "failed", d.title, json.dumps(d.alert_ids),
             d.error)
            for d in deliveries
        ]  # fmt: skip
        if rows:
            with self.state.transaction() as conn:
                conn.executemany(
                    "INSERT INTO notifications (at, notifier, status, title, alert_ids, error) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )

    def exit_code(self, result: CycleResult) -> int:
        """The monitoring-plugin status: 2 critical, 3 unknown, 1 warning, 0 ok.

        Counts firing alerts that no silence covers.
        """
        now = self.clock.now()
        live = silences(self.state, now=now)
        worst = -1
        for rule, store, scope, severity in self.state.conn.execute(
            "SELECT rule, store, scope, severity FROM alerts WHERE state = 'firing'"
        ):
            if not any(s.matches(rule, store, scope) for s in live):
                worst = max(worst, SEVERITY_RANK.get(severity, 0))
        if worst >= SEVERITY_RANK["critical"]:
            return 2
        if result.unknown:
            return 3
        return 1 if worst == SEVERITY_RANK["warning"] else 0

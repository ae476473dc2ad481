"""The alert engine: evaluates the rules, moves alert state, and says what to send.

One collector process runs it after each collection cycle. State lives in the store, so a
restarted engine carries on where the last one stopped and re-sends nothing it sent.

Alerts that read data from a source that is stale or failing are held (neither raised nor
cleared) and suppressed (not sent, not counted) while it is, and after it recovers until
fresh data from their store has been evaluated; the source's own alert speaks instead.
Alerts of a rule that a promotion window mutes are held and muted the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.alerts.dispatch import Delivery
from opsboard.alerts.due import due_messages
from opsboard.alerts.evaluators import EVALUATORS, evaluate_file_rejected, evaluate_source
from opsboard.alerts.notify import Message
from opsboard.alerts.periods import rule_periods
from opsboard.alerts.rules import (
    BAD_STATES,
    DATA_KINDS,
    Observation,
    RuleContext,
    add_names,
    effective_thresholds,
    muting_window,
)
from opsboard.alerts.state import silences
from opsboard.alerts.transitions import ALL_STORES, AlertEvent, apply_observations
from opsboard.config.models import NotifierConfig, Settings
from opsboard.config.rules import RuleConfig, effective_rules
from opsboard.errors import OpsboardError
from opsboard.metrics import base_inputs
from opsboard.models import SEVERITY_RANK, Severity, SourceHealth
from opsboard.query.cached import ReusedQueries
from opsboard.query.one_level import IngestProfiles, untouched_by
from opsboard.storage import ingests
from opsboard.storage.failures import DatabaseError, explain
from opsboard.storage.outbox import DeliveryRecord, QueuedMessage
from opsboard.storage.store import Store
from opsboard.timeutil import Clock, zone

__all__ = ["ALL_STORES", "AlertEngine", "AlertEvent", "CycleResult"]

log = logging.getLogger(__name__)

#: After a source recovers, its stores' alerts wait this long at most for fresh data.
AWAIT_FRESH_DATA = timedelta(hours=2)


@dataclass
class CycleResult:
    """What one evaluation found and changed."""

    events: list[AlertEvent] = field(default_factory=list)
    held_stores: set[str] = field(default_factory=set)
    failing_sources: list[str] = field(default_factory=list)
    evaluated_stores: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: The database failed under a rule (a damaged file, a full disk): nothing is known.
    database_failed: bool = False

    @property
    def unknown(self) -> bool:
        """True when a source fails, the database failed or there was no data to evaluate."""
        return bool(self.failing_sources) or self.database_failed or not self.evaluated_stores


class AlertEngine:
    """Evaluates the configured rules over ``data`` and keeps alert state in ``state``.

    ``state`` defaults to ``data``; a backtest passes a scratch in-memory store. With
    ``replay`` source health and file rejections are not consulted (they have no history)
    and no rule reads data later than the clock.
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
        self._last_ingest: int | None = self._max_ingest()
        self._cache: dict[
            tuple[str, str], tuple[tuple[Any, ...], int | None, list[Observation]]
        ] = {}
        self._held: set[str] = set()
        # Stores whose alerts wait for fresh data: (last ingest id before, since when).
        self._awaiting: dict[str, tuple[int, datetime]] = {
            store: (self._last_ingest or 0, clock.now()) for store in self._suppressed_stores()
        }
        self._profiles = IngestProfiles(data)
        self.metrics = ReusedQueries(
            data,
            tz_for=self.tz_for,
            budget_for=lambda name: settings.store(name).daily_budget,
            now=clock.now,
            touched=self._touched,
            since=lambda: self._last_ingest,
        )

    def _max_ingest(self) -> int | None:
        return ingests.newest_id(self.data)

    def _suppressed_stores(self) -> set[str]:
        """Stores whose open alerts were suppressed when the last engine stopped."""
        return self.state.alerts.suppressed_stores()

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(self) -> CycleResult:
        """Evaluate every rule once and commit the state changes; returns the events."""
        now = self.clock.now()
        result = CycleResult()
        health = [] if self.replay else self.data.health()
        sources = {a.name for a in self.settings.adapters if a.enabled}
        if sources:  # a source removed from the config no longer alerts
            health = [h for h in health if h.source in sources]
        open_keys = self.state.alerts.open_keys()
        ctx = RuleContext(
            self.data, self.metrics, self.settings, now, self.tz_for, health, open_keys,
            replay=self.replay,
        )  # fmt: skip
        # Read before any query: an ingest landing during the evaluation is seen next time.
        previous, self._last_ingest = self._last_ingest, self._max_ingest()
        bad = [h for h in health if h.state in BAD_STATES]
        result.failing_sources = sorted({h.source for h in bad})
        held = self._held_stores(bad)
        result.held_stores = set(held)
        stores = self.data.stores()
        self._await_fresh_data(held, stores, now, previous or 0)
        quiet = dict(held)
        for store, (_mark, _since) in self._awaiting.items():
            quiet.setdefault(store, "suppressed: waiting for fresh data after its source recovered")
        observations: list[Observation] = []
        covered: set[tuple[str, str]] = set()
        for rule in self.rules:
            try:
                observations += self._observe(rule, ctx, stores, quiet, covered)
            except OpsboardError as exc:
                result.problems.append(f"rule {rule.name}: {exc}")
                log.warning("rule %s: %s", rule.name, exc)
            except DatabaseError as exc:
                failure = explain(exc, self.data.path)
                problem = f"{failure.message} (fix: {failure.hint})"
                result.database_failed = True
                if not any(p.endswith(problem) for p in result.problems):  # said once
                    result.problems.append(f"rule {rule.name}: {problem}")
            except Exception as exc:  # one broken rule must not stop the others
                result.problems.append(f"rule {rule.name}: internal error: {exc}")
                log.exception("rule %s could not be evaluated", rule.name)
        add_names(self.data, observations)
        result.evaluated_stores = [s for s in stores if s not in quiet]
        if ALL_STORES in quiet:
            result.evaluated_stores = []
        result.events = apply_observations(
            self.state, observations, covered, now,
            rules=self._by_name, quiet=lambda rule, store: self._quiet(rule, store, quiet, now),
            tz_for=self._tz_or_utc,
        )  # fmt: skip
        self.metrics.forget_unused()
        return result

    def _tz_or_utc(self, store: str) -> tzinfo:
        try:
            return self.tz_for(store)
        except OpsboardError:
            return zone("UTC")

    def _quiet(
        self, rule: RuleConfig | None, store: str, quiet: dict[str, str], now: datetime
    ) -> str:
        """Why an open alert of ``rule`` for ``store`` is not told now, or ``""``."""
        if rule is None or rule.kind not in DATA_KINDS or not store:
            return ""
        reason = quiet.get(store) or quiet.get(ALL_STORES)
        if reason:
            return reason
        try:
            window = muting_window(rule, store, self.settings, now.astimezone(self.tz_for(store)))
        except OpsboardError:
            return ""
        return f"muted: promotion {window}" if window else ""

    def _held_stores(self, bad: Iterable[SourceHealth]) -> dict[str, str]:
        """Stores whose data alerts a stale or failing source holds, with the reason."""
        held: dict[str, str] = {}
        for health in bad:
            reason = f"suppressed: source {health.source} is {health.state.value}"
            if health.store:
                held.setdefault(health.store, reason)
                continue
            fed = ingests.stores_fed_by(self.data, health.source)
            for store in fed or [ALL_STORES]:
                held.setdefault(store, reason)
        return held

    def _await_fresh_data(
        self, held: dict[str, str], stores: list[str], now: datetime, held_until: int
    ) -> None:
        """Keep a recovered source's stores held until an ingest for them lands after
        ``held_until`` (the last ingest seen while they were still held: the poll that
        brought the source back usually brings the fresh data too)."""
        before = self._held
        recovered = (set(stores) if ALL_STORES in before else before) - set(held)
        if ALL_STORES in held:
            recovered = set()
        for store in recovered - {ALL_STORES}:
            self._awaiting[store] = (held_until, now)
        self._held = set(held)
        for store, (mark, since) in list(self._awaiting.items()):
            if store in held or ALL_STORES in held:
                continue
            fresh = ingests.loaded_since(self.data, mark, store)
            if fresh or now - since >= AWAIT_FRESH_DATA:
                del self._awaiting[store]

    def _observe(
        self,
        rule: RuleConfig,
        ctx: RuleContext,
        stores: list[str],
        quiet: dict[str, str],
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
            if self._quiet(rule, store, quiet, ctx.now):
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
        periods = rule_periods(rule, ctx.now, tz, replay=self.replay)
        stamp = (
            tuple(periods),
            effective_thresholds(rule, store, self.settings, ctx.now.astimezone(tz)),
        )
        cached = self._cache.get((rule.name, store))
        bounds = [p.bounds(tz) for p in periods]
        if (
            cached is not None
            and cached[0] == stamp
            and not self._touched(cached[1], store, bounds, *self._reads(rule))
        ):
            return cached[2]
        found = EVALUATORS[rule.kind](ctx, rule, store)
        self._cache[(rule.name, store)] = (stamp, self._last_ingest, found)
        return found

    def _reads(self, rule: RuleConfig) -> tuple[list[str], bool]:
        """The base metrics a data rule reads, and whether only from per-SKU series."""
        names = {"roi": ["roi", "spend", "ad_gmv"]}.get(rule.kind, [rule.metric or ""])
        names = [n for n in names if n] + ([rule.volume_metric] if rule.min_volume else [])
        return base_inputs(names), rule.scope in ("each_sku", "sku")

    def _touched(
        self,
        since: int | None,
        store: str,
        bounds: list[tuple[int | None, int | None]],
        inputs: list[str] | None = None,
        sku_only: bool = False,
    ) -> bool:
        """True when an ingest after ``since`` holds points of ``store`` in ``bounds`` that
        a read of ``inputs`` (None: any metric; per-SKU series only with ``sku_only``)
        could see."""
        for start, end in bounds:
            for span in ingests.ingests_within(self.data, since or 0, store, start, end):
                if inputs is None:
                    return True
                profile = self._profiles.of(
                    span.id, span.store, span.period_start, span.period_end, span.points
                )
                if not untouched_by(profile, inputs, sku_only):
                    return True
        return False

    # -- notifications ---------------------------------------------------------------------

    def collect_notifications(self, *, flush: bool = False) -> list[Message]:
        """The messages due now (see ``opsboard.alerts.due``), recorded as told."""
        return self.queue_notifications((), flush=flush)

    def queue_notifications(
        self, notifiers: Sequence[NotifierConfig], *, flush: bool = False
    ) -> list[Message]:
        """The messages due now, recorded as told, and in the same transaction put in the
        outbox of every notifier that takes each one, so that none is lost or sent twice."""
        now = self.clock.now()
        messages, marks = due_messages(self.state, self.settings.alerts, now, flush=flush)
        if marks:
            queued = [
                QueuedMessage(notifier.name, part.to_json(), now)
                for message in messages
                for notifier in notifiers
                if (part := message.for_notifier(notifier)) is not None
            ]
            self.state.outbox.queue_told(marks, queued)
        return messages

    def record_deliveries(self, deliveries: Iterable[Delivery]) -> None:
        """Keep the outcome of deliveries in the ``notifications`` table (those recorded
        when they were confirmed are there already)."""
        self.state.outbox.record_deliveries([
            DeliveryRecord(d.at, d.notifier, "sent" if d.ok else "failed", d.title,
                           list(d.alert_ids), d.error)
            for d in deliveries if d.tried and not d.recorded
        ])  # fmt: skip

    def exit_code(self, result: CycleResult) -> int:
        """The monitoring-plugin status: 2 critical, 3 unknown, 1 warning, 0 ok.

        Counts firing alerts that no silence covers and that are neither muted by a
        promotion window nor suppressed by a failing source.
        """
        if result.database_failed:
            return 3
        now = self.clock.now()
        live = silences(self.state, now=now)
        worst = -1
        for alert in self.state.alerts.firing_told():
            if not any(s.matches(alert.rule, alert.store, alert.scope) for s in live):
                worst = max(worst, SEVERITY_RANK.get(alert.severity, 0))
        if worst >= SEVERITY_RANK[Severity.CRITICAL]:
            return 2
        if result.unknown:
            return 3
        return 1 if worst == SEVERITY_RANK[Severity.WARNING] else 0

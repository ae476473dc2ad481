"""Collect, evaluate, notify: the work of the one collector of a database.

The headless mode and a dashboard that collects both run this, so that alerts are judged
and delivered the same way wherever the collector runs. Due messages are put in each
notifier's outbox in the same transaction that records them as told, and leave it the moment
that notifier confirms it has them: a crash or a notifier that is down re-sends rather than
loses them (a crash at most the one message confirmed in the milliseconds before it), and no
notifier gets a message twice because another one failed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from opsboard.adapters.registry import build_adapters
from opsboard.alerts import outbox
from opsboard.alerts.dispatch import Dispatcher
from opsboard.alerts.engine import AlertEngine, CycleResult
from opsboard.collect.collector import Collector, CycleReport
from opsboard.errors import OpsboardError
from opsboard.i18n import _
from opsboard.paths import state_dir
from opsboard.runtime import Runtime
from opsboard.storage.failures import DatabaseError, explain
from opsboard.storage.store import Store

if TYPE_CHECKING:
    from opsboard.review.courier import ReviewCourier

log = logging.getLogger("opsboard.collect")


#: Seconds between prunings of the load and notification history (``[storage]
#: keep_history``); the first comes with the first evaluation.
PRUNE_EVERY = 3600.0

#: Seconds between alert evaluations when no new data came in: the rules that need no new
#: data (pacing through the day, a source going stale) are judged this often, not after
#: every poll of a drop folder polled twice a second.
EVALUATE_EVERY = 15.0


class CollectionService:
    """The adapters, the collector, the alert engine and the notifiers of one database.

    The caller holds the collector lock on ``store``. ``emit`` receives each evaluation's
    result (the headless mode prints its events); ``flush`` sends new alerts without
    waiting to group them (one-shot runs). The rules are judged at once when data arrives
    (or a source fails) and otherwise every ``evaluate_every`` seconds (None: every cycle).
    """

    def __init__(
        self,
        runtime: Runtime,
        store: Store,
        *,
        emit: Callable[[CycleResult], None] | None = None,
        flush: bool = False,
        evaluate_every: float | None = EVALUATE_EVERY,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.emit = emit
        self.flush = flush
        self.evaluate_every = evaluate_every
        self.on_cycle = on_cycle
        self.last: CycleResult | None = None
        self._last_evaluation = -math.inf
        self._last_pruning = -math.inf
        self.engine = AlertEngine(store, runtime.settings, runtime.clock, tz_for=runtime.tz_for)
        self.confirmations = outbox.Confirmations(store)
        self.dispatcher = Dispatcher(list(runtime.settings.notifiers), confirm=self.confirmations)
        self._sending: set[int] = set()  # outbox entries handed to the dispatcher
        outbox.drop_unknown(store, {n.name for n in runtime.settings.notifiers})
        self.reviews: ReviewCourier | None = None  # made when a review is first scheduled
        adapters = build_adapters(runtime.settings, runtime.clock, state_dir())
        configured = {s.name for s in runtime.settings.stores}
        self.collector = Collector(
            store,
            adapters,
            runtime.clock,
            after_cycle=self._after_cycle,
            known_stores=configured or None,
        )

    def _settle(self) -> None:
        """Record finished deliveries: a delivered message leaves its notifier's outbox (most
        left it the moment they were confirmed, see ``outbox.Confirmations``), a failed one
        waits there for its next try."""
        deliveries = self.dispatcher.drain()
        self.engine.record_deliveries(deliveries)
        now = self.runtime.clock.now()
        outbox.delivered(
            self.store,
            [d.key for d in deliveries if d.key is not None and d.ok and not d.recorded],
        )
        for delivery in deliveries:
            if delivery.key is None:
                continue
            self._sending.discard(delivery.key)
            if delivery.tried and not delivery.ok:
                dropped = outbox.failed(self.store, delivery.key, delivery.error, now)
                if dropped is not None:
                    log.warning(_("notifier %s: gave up on %s after %s of failures"),
                                delivery.notifier, dropped, outbox.GIVE_UP_AFTER)  # fmt: skip

    def _dispatch(self) -> None:
        """Hand each notifier its due outbox messages, in order, behind those under way."""
        outbox.trim(self.store)
        due = outbox.due(self.store, self.runtime.clock.now(), sending=self._sending)
        for notifier, (entries, at_head) in due.items():
            if notifier not in self.dispatcher.notifiers:
                continue
            self._sending.update(e.id for e in entries)
            self.dispatcher.queue(notifier, [(e.id, e.message) for e in entries], resume=at_head)

    def evaluate(self) -> CycleResult:
        """Judge every rule, hand due messages to the notifiers, send a due review."""
        self._settle()
        result = self.engine.evaluate()
        if self.emit is not None:
            self.emit(result)
        for problem in result.problems:
            log.warning("%s", problem)
        self.engine.queue_notifications(self.runtime.settings.notifiers, flush=self.flush)
        self._dispatch()
        self._send_reviews()
        self._prune()
        return result

    def _prune(self) -> None:
        """Forget load and notification records older than ``[storage] keep_history``, now
        and then: a collector polling every few seconds adds thousands a day."""
        if time.monotonic() - self._last_pruning < PRUNE_EVERY:
            return
        self._last_pruning = time.monotonic()
        before = datetime.now(UTC) - self.runtime.settings.storage.keep_history
        loads, told = self.store.prune_history(before)
        if loads or told:
            log.info(_("history pruned: %d load and %d notification records older than %s"),
                     loads, told, before.date())  # fmt: skip

    async def _after_cycle(self, report: CycleReport) -> None:
        for source, reason in report.failed.items():
            log.warning(_("source %s failed: %s"), source, reason)
        news = report.total_points or report.failed or report.rejected
        due = (
            self.evaluate_every is None
            or news
            or time.monotonic() - self._last_evaluation >= self.evaluate_every
        )
        if due:
            self._last_evaluation = time.monotonic()
            try:
                self.last = await asyncio.to_thread(self.evaluate)
            except OpsboardError as exc:  # e.g. the database stayed busy: next cycle
                log.warning(_("alert evaluation skipped: %s"), exc)
                self.last = None
            except DatabaseError as exc:  # a damaged file, a full disk: said, not traced
                failure = explain(exc, self.store.path)
                problem = f"{failure.message} (fix: {failure.hint})"
                log.warning(_("alert evaluation failed: %s"), problem)
                self.last = CycleResult(problems=[problem], database_failed=True)
            except Exception:  # a bug must not stop collection; it is logged in full
                log.exception("alert evaluation failed")
                self.last = None
        if self.on_cycle is not None:
            self.on_cycle(report)

    def _finish_deliveries(self, grace: float) -> None:
        self.dispatcher.wait(grace)
        self.dispatcher.close(grace=1.0)
        self._settle()
        self.confirmations.close()

    def _send_reviews(self) -> None:
        """Hand yesterday's review to the notifier queues once its time has come (`[review]
        send_at`, or a store's own `review_send_at`); they deliver it off this thread, so a
        slow chat service never holds up collection or alerts."""
        from opsboard.review.courier import ReviewCourier
        from opsboard.review.delivery import scheduled

        if self.reviews is None:
            if not scheduled(self.runtime.settings):
                return
            self.reviews = ReviewCourier(self.runtime, self.dispatcher)
        try:
            self.reviews.tick(self.store, self.runtime.clock.now())
        except Exception:  # the review must never stop the alerts
            log.exception("review delivery failed")

    async def close(self, grace: float = 60.0) -> None:
        """Let queued deliveries finish (up to ``grace`` seconds), then close the adapters;
        what a notifier did not get stays in its outbox for the next start."""
        await asyncio.to_thread(self._finish_deliveries, grace)
        if self.reviews is not None:  # the dispatcher has waited: record what arrived
            await asyncio.to_thread(self.reviews.close, self.store, 1.0)
        await self.collector.aclose()

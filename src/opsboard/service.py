"""Collect, evaluate, notify: the work of the one collector of a database.

The headless mode and a dashboard that collects both run this, so that alerts are judged
and delivered the same way wherever the collector runs. A message is recorded as sent only
once the notifiers have finished with it, so that a crash in between re-sends it rather
than loses it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

from opsboard.adapters import build_adapters
from opsboard.alerts.engine import AlertEngine, CycleResult
from opsboard.alerts.notify import Dispatcher, send_text
from opsboard.collector import Collector, CycleReport
from opsboard.errors import OpsboardError
from opsboard.paths import state_dir
from opsboard.runtime import Runtime
from opsboard.storage.store import Store

log = logging.getLogger("opsboard.collect")


class CollectionService:
    """The adapters, the collector, the alert engine and the notifiers of one database.

    The caller holds the collector lock on ``store``. ``emit`` receives each evaluation's
    result (the headless mode prints its events); ``flush`` sends new alerts without
    waiting to group them (one-shot runs). With ``evaluate_every`` the rules are judged at
    once when data arrives and otherwise every that many seconds, not after every poll.
    """

    def __init__(
        self,
        runtime: Runtime,
        store: Store,
        *,
        emit: Callable[[CycleResult], None] | None = None,
        flush: bool = False,
        evaluate_every: float | None = None,
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
        self.engine = AlertEngine(store, runtime.settings, runtime.clock, tz_for=runtime.tz_for)
        self.dispatcher = Dispatcher(list(runtime.settings.notifiers))
        adapters = build_adapters(runtime.settings, runtime.clock, state_dir())
        self.collector = Collector(store, adapters, runtime.clock, after_cycle=self._after_cycle)

    def _settle(self) -> None:
        """Record finished deliveries; mark their alerts as sent."""
        self.engine.record_deliveries(self.dispatcher.drain())
        for message in self.dispatcher.finished():
            self.engine.mark_notified(message)

    def evaluate(self) -> CycleResult:
        """Judge every rule, hand due messages to the notifiers, send a due review."""
        self._settle()
        result = self.engine.evaluate()
        if self.emit is not None:
            self.emit(result)
        for problem in result.problems:
            log.warning("%s", problem)
        for message in self.engine.collect_notifications(flush=self.flush, mark=False):
            self.dispatcher.submit(message)
        self._settle()
        if self.runtime.settings.review.send_at is not None:
            self._send_reviews()
        return result

    async def _after_cycle(self, report: CycleReport) -> None:
        for source, reason in report.failed.items():
            log.warning("source %s failed: %s", source, reason)
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
                log.warning("alert evaluation skipped: %s", exc)
                self.last = None
            except Exception:  # a bug must not stop collection; it is logged in full
                log.exception("alert evaluation failed")
                self.last = None
        if self.on_cycle is not None:
            self.on_cycle(report)

    def _send_reviews(self) -> None:
        """Send yesterday's review to chat once its time has come (`[review] send_at`)."""
        from opsboard.review.delivery import deliver_due_reviews

        settings = self.runtime.settings

        def send(title: str, body: str) -> bool:
            names = settings.review.notifiers or None
            problems = send_text(settings, title, body, notifiers=names)
            for problem in problems:
                log.warning("review: %s", problem)
            chosen = [n for n in settings.notifiers if names is None or n.name in names]
            if not chosen:
                log.warning("review: no notifier to send it through; see [review] notifiers")
                return True
            # Sent when at least one notifier took it; otherwise retried next cycle.
            return len(problems) < len(chosen)

        try:
            deliver_due_reviews(self.runtime, self.store, send, self.runtime.clock.now())
        except Exception:  # the review must never stop the alerts
            log.exception("review delivery failed")

    async def close(self, grace: float = 60.0) -> None:
        """Let queued deliveries finish (up to ``grace`` seconds), then close the adapters."""
        await asyncio.to_thread(self.dispatcher.close, grace)
        self._settle()
        await self.collector.aclose()

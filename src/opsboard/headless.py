"""`opsboard watch`: the alert-only mode, run as a service (no Textual).

It holds the collector lock, polls the adapters, evaluates the rules after every cycle and
hands due messages to the notifiers. Standard output carries alert state changes as JSON
lines and nothing else; diagnostics go to standard error. SIGTERM and SIGINT stop it after
the cycle in progress, letting queued deliveries finish.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import TextIO

from opsboard.adapters import build_adapters
from opsboard.alerts.engine import AlertEngine, CycleResult
from opsboard.alerts.notify import Dispatcher, emit_json, send_text
from opsboard.collector import Collector, CycleReport
from opsboard.errors import OpsboardError
from opsboard.paths import state_dir
from opsboard.runtime import Runtime
from opsboard.storage.store import Store

log = logging.getLogger("opsboard.watch")

#: SQLite page cache of the headless collector, in KiB.
WATCH_CACHE_KIB = 8192


def configure_logging(level: int = logging.INFO) -> None:
    """Diagnostics on stderr, one line each; stdout stays for alert events."""
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "apprise"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Watch:
    """One headless run over a runtime: collector, alert engine, notifiers."""

    def __init__(self, runtime: Runtime, *, out: TextIO | None = None) -> None:
        self.runtime = runtime
        self.out = out
        self.last: CycleResult | None = None

    async def run(self, *, once: bool = False) -> int:
        """Run until stopped (or one cycle with ``once``); returns the exit code.

        Raises ``CollectorLockedError`` when another process collects for the database.
        """
        runtime = self.runtime
        store = runtime.open_store()
        try:
            store.acquire_collector_lock()
            # A service that runs for months keeps a small page cache: the OS caches the
            # file too, and the headless mode must stay under 80 MB.
            store.conn.execute(f"PRAGMA cache_size = -{WATCH_CACHE_KIB}")
            adapters = build_adapters(runtime.settings, runtime.clock, state_dir())
            engine = AlertEngine(store, runtime.settings, runtime.clock, tz_for=runtime.tz_for)
            dispatcher = Dispatcher(list(runtime.settings.notifiers))

            def settle() -> None:
                engine.record_deliveries(dispatcher.drain())
                for message in dispatcher.finished():
                    engine.mark_notified(message)

            def evaluate() -> CycleResult:
                settle()
                result = engine.evaluate()
                for event in result.events:
                    emit_json(event.to_json(), self.out)
                for problem in result.problems:
                    log.warning("%s", problem)
                for message in engine.collect_notifications(flush=once, mark=False):
                    dispatcher.submit(message)
                settle()
                if runtime.settings.review.send_at is not None:
                    self._send_reviews(store)
                return result

            async def after_cycle(report: CycleReport) -> None:
                for source, reason in report.failed.items():
                    log.warning("source %s failed: %s", source, reason)
                try:
                    self.last = await asyncio.to_thread(evaluate)
                except OpsboardError as exc:  # e.g. the database stayed busy: next cycle
                    log.warning("alert evaluation skipped: %s", exc)
                    self.last = None
                except Exception:  # a bug must not stop collection; it is logged in full
                    log.exception("alert evaluation failed")
                    self.last = None

            collector = Collector(store, adapters, runtime.clock, after_cycle=after_cycle)
            log.info(
                "watching %s: %d sources, %d rules, %d notifiers",
                runtime.db_path,
                len(adapters),
                len(engine.rules),
                len(runtime.settings.notifiers),
            )
            try:
                if once:
                    await collector.run_cycle(force=True)
                else:
                    await self._forever(collector)
            finally:
                await asyncio.to_thread(dispatcher.close, 60.0)
                settle()
                await collector.aclose()
            if once:
                return 3 if self.last is None else engine.exit_code(self.last)
            return 0
        finally:
            store.close()

    def _send_reviews(self, store: Store) -> None:
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
            deliver_due_reviews(self.runtime, store, send, self.runtime.clock.now())
        except Exception:  # the review must never stop the alerts
            log.exception("review delivery failed")

    async def _forever(self, collector: Collector) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await collector.run_forever(stop)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        log.info("stopped")


def run_watch(runtime: Runtime, *, once: bool = False) -> int:
    """Run `opsboard watch` to its end and return its exit code."""
    configure_logging()
    return asyncio.run(Watch(runtime).run(once=once))

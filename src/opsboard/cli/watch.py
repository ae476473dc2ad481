"""`opsboard watch`: the alert-only mode, run as a service (no Textual).

It holds the collector lock, polls the adapters, evaluates the rules after every cycle and
hands due messages to the notifiers. Standard output carries alert state changes as JSON
lines and nothing else; diagnostics go to standard error. SIGTERM and SIGINT stop it after
the cycle in progress; messages a notifier has not received yet stay in its outbox for the
next start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TextIO

from opsboard.alerts.engine import CycleResult
from opsboard.alerts.notify import emit_json
from opsboard.cli.lograte import limit_repeats
from opsboard.collect.collector import Collector
from opsboard.collect.pipeline import CollectionService
from opsboard.i18n import _
from opsboard.runtime import Runtime
from opsboard.text import inert_stderr_logging

log = logging.getLogger("opsboard.watch")

#: Seconds `watch --once` waits for its deliveries before exiting.
ONCE_GRACE = 30.0
#: Seconds a stopping `watch` gives the deliveries under way.
STOP_GRACE = 2.0


def configure_logging(level: int = logging.INFO) -> None:
    """Diagnostics on stderr, one line each; stdout stays for alert events."""
    inert_stderr_logging(level, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    limit_repeats()
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
            store.keep_open()  # a service that runs for months (under 80 MB)
            service = CollectionService(runtime, store, emit=self._print_events, flush=once)
            log.info(
                _("watching %s: %d sources, %d rules, %d notifiers"),
                runtime.db_path,
                len(service.collector.adapters),
                len(service.engine.rules),
                len(runtime.settings.notifiers),
            )
            try:
                if once:
                    await service.collector.run_cycle(force=True)
                else:
                    await self._forever(service.collector)
            finally:
                # A one-shot run waits a while for its messages; a stopped service leaves
                # what is not delivered in the outbox and goes at once.
                await service.close(ONCE_GRACE if once else STOP_GRACE)
            self.last = service.last
            if once:
                code = 3 if self.last is None else service.engine.exit_code(self.last)
                if code == 3:
                    log.warning(_("status unknown: %s"), self._unknown_reason())
                return code
            return 0
        finally:
            store.close()

    def _unknown_reason(self) -> str:
        """Why one cycle could not tell whether all is well (for stderr)."""
        result = self.last
        if result is None:
            return _("the cycle did not finish an evaluation")
        if result.failing_sources:
            return _("source(s) failing or stale: {sources}").format(
                sources=", ".join(result.failing_sources)
            )
        if result.problems:
            return "; ".join(result.problems)
        return _(
            "no store had data to evaluate; check that the sources are configured and "
            "have delivered (`opsboard query uv --by day`)"
        )

    def _print_events(self, result: CycleResult) -> None:
        """Alert state changes on stdout, one JSON line each."""
        for event in result.events:
            emit_json(event.to_json(), self.out)

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
        log.info(_("stopped"))


def run_watch(runtime: Runtime, *, once: bool = False) -> int:
    """Run `opsboard watch` to its end and return its exit code."""
    configure_logging()
    return asyncio.run(Watch(runtime).run(once=once))

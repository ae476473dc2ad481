"""Collector or viewer: a dashboard started where no collector runs becomes the collector.

Textual-free. The collector runs in a thread with an event loop of its own, on a store
connection of its own that holds the collector lock, so that polling never slows the
screen and stopping it always closes the adapters (watchers, HTTP clients) in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from opsboard.collect.collector import Collector, CycleReport
from opsboard.collect.pipeline import CollectionService
from opsboard.errors import CollectorLockedError
from opsboard.runtime import Runtime
from opsboard.storage.store import Store

log = logging.getLogger(__name__)


class InProcessCollector:
    """Owns the collector lock and the collection loop of a dashboard that collects."""

    def __init__(
        self,
        runtime: Runtime,
        on_cycle: Callable[[CycleReport], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.on_cycle = on_cycle
        self.on_error = on_error
        self.store: Store | None = None
        self.collector: Collector | None = None
        self.error = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None

    def claim(self) -> bool:
        """Take the collector lock; False when another process collects (be a viewer)."""
        if not self.runtime.settings.adapters:
            return False
        store = self.runtime.open_store()
        if store.collector_running():
            store.close()
            return False
        try:
            store.acquire_collector_lock()
        except CollectorLockedError:
            store.close()
            return False
        store.keep_open()  # the dashboard's collector runs all day, as `watch` does
        self.store = store
        return True

    def start(self) -> None:
        """Collect in a background thread until ``close``."""
        self._thread = threading.Thread(target=self._main, name="opsboard-collector", daemon=True)
        self._thread.start()
        self._started.wait(timeout=10)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as exc:  # reported on screen; the dashboard carries on as a viewer
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("the collector stopped")
            if self.on_error is not None:
                self.on_error(self.error)
        finally:
            self._started.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._started.set()
        await self.run(self._stop)

    async def run(self, stop: asyncio.Event) -> None:
        """Build the adapters and collect until ``stop`` is set."""
        assert self.store is not None
        service = CollectionService(self.runtime, self.store, on_cycle=self.on_cycle)
        self.collector = service.collector
        try:
            await self.collector.run_forever(stop)
        finally:
            await service.close(grace=10.0)

    def close(self, timeout: float = 15.0) -> None:
        """Stop collecting (the cycle in progress finishes), close adapters, release the lock."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        if self.store is not None:
            self.store.close()
            self.store = None

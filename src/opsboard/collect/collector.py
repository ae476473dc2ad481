"""One collection cycle: poll the due adapters, commit their batches, record their health.

The collector never moves a bookmark past data it failed to store: a batch's bookmarks
commit in the same transaction as its points, and after a rejected batch the adapter's
poll is not read further (unless the batch says its rejection is independent, as a bad
file in a drop folder is). A database that stays locked past its busy timeout (another
process's long ingest) is not the batch's fault: the batch is left for the next cycle and
the collector carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from opsboard.adapters.api import Adapter, Batch
from opsboard.collect.plans import add_plan
from opsboard.errors import OpsboardError, StoreError
from opsboard.i18n import _
from opsboard.models import HealthState, SourceHealth
from opsboard.points import InvalidPoint
from opsboard.storage.failures import DatabaseError, explain
from opsboard.storage.store import Store
from opsboard.timeutil import Clock

log = logging.getLogger(__name__)

#: Seconds after which an unchanged health report is written again (its heartbeat).
HEALTH_REFRESH = 60.0
#: Seconds before a source whose data found the database busy is polled again.
RETRY_BUSY = 5.0
#: Seconds between two writes of the collector's "last polled" mark (viewers show it; the
#: collector lock, not this mark, tells them it is alive): a write a second cost an idle
#: collector polling a folder twice a second most of its CPU.
POLL_MARK_EVERY = 10.0


@dataclass
class CycleReport:
    """What one cycle did: points written and problems, per source."""

    points: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    #: Sources whose data waits for the next cycle because the database was busy.
    deferred: dict[str, str] = field(default_factory=dict)
    #: Of ``points``, those read again with nothing changed (an API's look-back window):
    #: nothing was written for them.
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def total_points(self) -> int:
        """Points that changed something, of every source in the cycle: what wakes the
        alert engine and the dashboard."""
        return sum(self.points.values()) - sum(self.unchanged.values())


class Collector:
    """Runs adapters against a store; one per database (the caller holds the lock)."""

    def __init__(
        self,
        store: Store,
        adapters: list[tuple[Adapter, float]],
        clock: Clock,
        *,
        after_cycle: Callable[[CycleReport], Awaitable[None] | None] | None = None,
        known_stores: set[str] | None = None,
    ) -> None:
        self.store = store
        #: The configured stores a plan sheet may name (None: any store).
        self.known_stores = known_stores
        self.adapters = adapters
        self.clock = clock
        self.after_cycle = after_cycle
        self._next_due: dict[str, float] = {}
        self._health_written: dict[tuple[str, str], tuple[HealthState, str, float]] = {}
        #: Each source's bookmarks as committed: read once, then kept with every commit
        #: (only the collector, holding the lock, writes them).
        self._bookmarks: dict[str, dict[str, str]] = {}
        self._poll_marked = -POLL_MARK_EVERY
        self._unchanged = 0  # points of the batches just committed that changed nothing
        self._said: set[tuple[str, bool, str]] = set()

    def _commit(self, adapter: Adapter, batch: Batch) -> int:
        with self.store.batch(
            source=adapter.source,
            origin=batch.origin,
            format=batch.format,
            store=batch.store,
            file=batch.file,
            # A poll that found nothing new leaves no trace: no viewer reloads for it.
            quiet=batch.file is None,
        ) as tx:
            written = tx.add_raw(batch.points)
            tx.add_names(batch.names)
            written += tx.add_fine(batch.fine_points)
            written += add_plan(tx, batch.plan, batch.origin, self.known_stores)[0]
            for key, value in batch.bookmarks.items():
                tx.set_bookmark(key, value)
        if tx.unchanged:
            self._unchanged += written
        return written

    async def poll_adapter(self, adapter: Adapter, report: CycleReport) -> None:
        """Poll one adapter to the end of what it has, committing each batch."""
        committed = self._bookmarks.get(adapter.source)
        if committed is None:
            try:
                committed = await asyncio.to_thread(self.store.bookmarks, adapter.source)
                # Loads are stamped with the wall clock (see storage), not the test clock.
                since = datetime.now(UTC) - timedelta(seconds=adapter.RECALL_SECONDS)
                loaded = await asyncio.to_thread(
                    self.store.loaded_files, adapter.source, since.isoformat(timespec="seconds")
                )
            except (StoreError, DatabaseError) as exc:
                self._defer(adapter, report, str(exc))
                return
            await asyncio.to_thread(adapter.recall, loaded)
            self._bookmarks[adapter.source] = committed
        bookmarks = dict(committed)
        written = 0
        self._unchanged = 0
        batches = adapter.poll(bookmarks)
        try:
            async for batch in batches:
                try:
                    count = await asyncio.to_thread(self._commit, adapter, batch)
                except (StoreError, DatabaseError) as exc:
                    # The database, not the batch: nothing was stored and no bookmark
                    # moved, so the adapter offers the same data again next cycle.
                    if not isinstance(exc, StoreError):
                        failure = explain(exc, self.store.path)
                        exc = StoreError(f"{failure.message} (fix: {failure.hint})")
                    self._defer(adapter, report, f"{batch.origin or 'a batch'}: {exc}")
                    break
                except (InvalidPoint, OpsboardError) as exc:
                    reason = str(exc)
                    report.rejected.setdefault(adapter.source, []).append(
                        f"{batch.origin}: {reason}" if batch.origin else reason
                    )
                    if batch.on_reject:
                        batch.on_reject(reason)
                    if batch.stop_on_reject:
                        break
                    continue
                written += count
                bookmarks.update(batch.bookmarks)
                committed.update(batch.bookmarks)
                if batch.on_commit:
                    batch.on_commit(count)
        except OpsboardError as exc:
            report.failed[adapter.source] = str(exc)
            log.warning("%s: %s", adapter.source, exc)
        except Exception as exc:  # an adapter bug must not stop the other sources
            report.failed[adapter.source] = f"{type(exc).__name__}: {exc}"
            log.exception("%s: poll failed", adapter.source)
        finally:
            if isinstance(batches, AsyncGenerator):
                with contextlib.suppress(Exception):
                    await batches.aclose()
        report.points[adapter.source] = report.points.get(adapter.source, 0) + written
        self._said = set()  # turns of this source said in this poll (see _say_turn)
        if self._unchanged:
            report.unchanged[adapter.source] = (
                report.unchanged.get(adapter.source, 0) + self._unchanged
            )
        healths = adapter.health()
        if adapter.source in report.failed and not any(
            h.state is HealthState.FAILING for h in healths
        ):
            healths = [
                SourceHealth(
                    adapter.source,
                    HealthState.FAILING,
                    self.clock.now(),
                    reason=report.failed[adapter.source],
                )
            ]
        for health in [h for h in healths if self._health_changed(h)]:
            try:
                await asyncio.to_thread(self.store.set_health, health)
            except (StoreError, DatabaseError) as exc:
                # Written again next cycle, when the database is free.
                self._health_written.pop((health.source, health.store), None)
                log.warning(_("%s: health not recorded this cycle: %s"), adapter.source, exc)

    def _defer(self, adapter: Adapter, report: CycleReport, reason: str) -> None:
        report.deferred[adapter.source] = reason
        log.warning(_("%s: not stored this cycle, retried next cycle: %s"), adapter.source, reason)

    def _health_changed(self, health: SourceHealth) -> bool:
        """Whether to write ``health``: a new state or reason, or a minute since the last.

        A collector polling a drop folder twice a second would otherwise write the same
        health row twice a second, for every viewer to read back.
        """
        key = (health.source, health.store)
        now = time.monotonic()
        written = self._health_written.get(key)
        self._say_turn(health, written[0] if written is not None else None)
        if written is not None:
            state, reason, at = written
            if state == health.state and reason == health.reason and now - at < HEALTH_REFRESH:
                return False
        self._health_written[key] = (health.state, health.reason, now)
        return True

    def _say_turn(self, health: SourceHealth, before: HealthState | None) -> None:
        """Say on the log, once, that a source started failing, and again when it is back
        (the headless mode shows it on stderr; health rows are for the screens)."""
        where = f"{health.source}" + (f" ({health.store})" if health.store else "")
        failing = health.state is HealthState.FAILING
        turned = failing != (before is HealthState.FAILING) and (failing or before is not None)
        said = (health.source, failing, health.reason if failing else "")
        if not turned or said in self._said:
            return  # no turn, or the same turn of the source's other stores, said already
        self._said.add(said)
        if failing:
            reason = health.reason or _("no reason given")
            log.warning(_("source %s is failing: %s"), where, reason)
        else:
            log.warning(_("source %s has recovered: %s"), where, _(health.state.value))

    async def run_cycle(self, *, force: bool = False) -> CycleReport:
        """Poll every adapter that is due (all of them with ``force``), one after another.

        With ``force`` an adapter's ``changed`` event is set too, so that a watched drop
        folder is scanned rather than trusted to have sent every event.
        """
        report = CycleReport()
        now = time.monotonic()
        polled = False
        for adapter, interval in self.adapters:
            if not force and self._next_due.get(adapter.source, 0.0) > now:
                continue
            if force and adapter.IMPLEMENTS_CHANGED:
                adapter.changed.set()
            await self.poll_adapter(adapter, report)
            polled = True
            # Data left behind by a busy database is tried again soon, not a poll later.
            wait = min(interval, RETRY_BUSY) if adapter.source in report.deferred else interval
            self._next_due[adapter.source] = time.monotonic() + wait
        if polled:
            await self._mark_poll()
        if self.after_cycle is not None:
            result = self.after_cycle(report)
            if result is not None:
                await result
        return report

    async def _mark_poll(self) -> None:
        """Record that the collector polled now, so that viewers can tell it is alive."""
        if time.monotonic() - self._poll_marked < POLL_MARK_EVERY:
            return
        self._poll_marked = time.monotonic()
        try:
            await asyncio.to_thread(self.store.record_poll, self.clock.now())
        except (StoreError, DatabaseError) as exc:  # written again next cycle
            log.debug("last poll not recorded: %s", exc)

    def seconds_until_due(self) -> float:
        """How long until the next adapter is due (for the scheduler's sleep)."""
        if not self.adapters:
            return 60.0
        now = time.monotonic()
        return max(0.0, min(self._next_due.get(a.source, 0.0) for a, _ in self.adapters) - now)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Cycle until ``stop`` is set; a cycle in progress finishes first.

        An adapter that implements ``changed`` (a watched drop folder) is polled as
        soon as the event is set, without waiting for its poll interval.
        """
        while not stop.is_set():
            await self.run_cycle()
            await self._wait(stop, max(0.2, self.seconds_until_due()))

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep until ``stop``, an adapter's ``changed`` event, or ``seconds`` pass."""
        changed = {
            adapter.source: adapter.changed
            for adapter, _ in self.adapters
            if adapter.IMPLEMENTS_CHANGED
        }
        if not changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)
            return
        waiters = [asyncio.ensure_future(e.wait()) for e in (stop, *changed.values())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        for source, event in changed.items():
            if event.is_set():
                self._next_due[source] = 0.0

    async def aclose(self) -> None:
        """Close every adapter."""
        for adapter, _due in self.adapters:
            await adapter.aclose()

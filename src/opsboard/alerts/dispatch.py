"""Delivery queues: one worker thread per notifier, so that a notifier that hangs or fails
delays only its own messages, never another notifier's nor the evaluation.

Two ways in:

* ``Dispatcher.queue(notifier, items, resume=...)``: the alert path. Items are outbox
  entries, sent in order; after one fails, the entries behind it (in this batch and in
  batches queued after it) are handed back untried, until a batch that starts again at the
  head of the notifier's outbox (``resume``) comes in: the outbox keeps them, in order.
* ``Dispatcher.send_text(title, body, notifiers=...)``: any plain text (the morning review).
  It returns at once with a ``TextDelivery`` that tells, per notifier, whether it got the
  text; nothing is persisted, so the caller decides what to retry.

``close()`` stops promptly: a delivery under way may finish within the grace period, the
rest is left untried (an alert's entries stay in the outbox for the next start).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from opsboard.alerts.notify import DeliveryError, Message, deliver
from opsboard.config.models import NotifierConfig

log = logging.getLogger("opsboard.alerts.notify")


@dataclass(frozen=True)
class Delivery:
    """The outcome of one message through one notifier.

    ``key``: the outbox entry it was, if any. ``tried``: False when it was not attempted
    (an earlier outbox entry of the notifier had just failed, or the dispatcher was
    stopping).
    """

    notifier: str
    title: str
    alert_ids: list[int]
    ok: bool
    error: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    key: int | None = None
    tried: bool = True
    recorded: bool = False
    """True when the delivery was recorded (its outbox entry gone, its ``sent`` record kept)
    the moment it was confirmed, by the dispatcher's ``confirm``."""


class TextDelivery:
    """One text handed to ``Dispatcher.send_text``: its outcome per notifier, as it comes."""

    def __init__(self, notifiers: Sequence[str], unknown: Sequence[str]) -> None:
        self.notifiers: tuple[str, ...] = tuple(notifiers)
        """The notifiers it was queued for."""
        self.unknown: tuple[str, ...] = tuple(unknown)
        """Names asked for that no notifier of the config has (never queued)."""
        self._results: dict[str, Delivery] = {}
        self._lock = threading.Lock()
        self._finished = threading.Event()
        if not self.notifiers:
            self._finished.set()

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self._results[delivery.notifier] = delivery
            if len(self._results) == len(self.notifiers):
                self._finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every notifier has an outcome; True when all have."""
        return self._finished.wait(timeout)

    @property
    def done(self) -> bool:
        """True once every notifier has delivered it or given up."""
        return self._finished.is_set()

    @property
    def results(self) -> dict[str, Delivery]:
        """The outcomes so far, by notifier name."""
        with self._lock:
            return dict(self._results)

    @property
    def delivered_to(self) -> list[str]:
        """The notifiers that have the text."""
        return [name for name, d in self.results.items() if d.ok]

    @property
    def problems(self) -> list[str]:
        """One line per notifier that failed or is unknown (secrets masked)."""
        lines = [f"{name}: no notifier of that name is configured" for name in self.unknown]
        return lines + [f"{name}: {d.error}" for name, d in self.results.items() if not d.ok]


@dataclass
class _Job:
    items: list[tuple[int | None, Message]]
    ticket: TextDelivery | None = None
    resume: bool = False


class _Worker(threading.Thread):
    """Delivers one notifier's jobs in order."""

    def __init__(
        self,
        notifier: NotifierConfig,
        stop: threading.Event,
        report: Callable[[_Job, Delivery, bool], None],
    ) -> None:
        super().__init__(name=f"notify-{notifier.name}", daemon=True)
        self.notifier = notifier
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopping = stop
        self._report = report

    def run(self) -> None:
        # After an outbox entry fails, the entries behind it wait (order is kept) until a
        # batch starting at the head of the outbox again; plain texts are always tried.
        blocked = False
        while (job := self.jobs.get()) is not None:
            if job.resume:
                blocked = False
            for index, (key, message) in enumerate(job.items):
                last = index == len(job.items) - 1
                ids = [int(a["id"]) for a in message.alerts if "id" in a]
                if (blocked and key is not None) or self._stopping.is_set():
                    why = "stopping" if self._stopping.is_set() else "an earlier message failed"
                    outcome = Delivery(self.notifier.name, message.title, ids, False,
                                       f"not tried: {why}", key=key, tried=False)  # fmt: skip
                    self._report(job, outcome, last)
                    continue
                try:
                    deliver(self.notifier, message, stop=self._stopping)
                except DeliveryError as exc:
                    blocked = blocked or key is not None
                    log.warning("notifier %s failed: %s (%s)", self.notifier.name, exc,
                                message.title)  # fmt: skip
                    outcome = Delivery(self.notifier.name, message.title, ids, False, str(exc),
                                       key=key)  # fmt: skip
                except Exception:  # a bug in one notifier must not kill its queue
                    blocked = blocked or key is not None
                    log.exception("notifier %s crashed", self.notifier.name)
                    outcome = Delivery(self.notifier.name, message.title, ids, False,
                                       "internal error (see the log)", key=key)  # fmt: skip
                else:
                    outcome = Delivery(self.notifier.name, message.title, ids, True, key=key)
                self._report(job, outcome, last)


class Dispatcher:
    """The configured notifiers, each with its own queue and worker thread.

    ``confirm`` (optional) is called on the worker's thread with each outbox entry a
    notifier confirmed, before anything else happens: it records the delivery at once
    (True when it did), so that a crash right after repeats at most that one message.
    """

    def __init__(
        self,
        notifiers: Sequence[NotifierConfig],
        *,
        confirm: Callable[[Delivery], bool] | None = None,
    ) -> None:
        self.notifiers = {n.name: n for n in notifiers}
        self._confirm = confirm
        self._stopping = threading.Event()
        self._workers: dict[str, _Worker] = {}
        self._queued: dict[str, int] = {}
        self._done: list[Delivery] = []
        self._lock = threading.Condition()

    def _worker(self, name: str) -> _Worker:
        worker = self._workers.get(name)
        if worker is None:
            worker = _Worker(self.notifiers[name], self._stopping, self._finished)
            self._workers[name] = worker
            worker.start()
        return worker

    def _put(self, name: str, job: _Job) -> None:
        with self._lock:
            self._queued[name] = self._queued.get(name, 0) + 1
        self._worker(name).jobs.put(job)

    def _finished(self, job: _Job, delivery: Delivery, last: bool) -> None:
        if delivery.ok and delivery.key is not None and self._confirm is not None:
            try:
                recorded = self._confirm(delivery)
            except Exception:  # recorded later by the collector, as without a ledger
                log.exception("notifier %s: delivery not recorded at once", delivery.notifier)
                recorded = False
            if recorded:
                delivery = replace(delivery, recorded=True)
        if job.ticket is not None:
            job.ticket._record(delivery)
        with self._lock:
            self._done.append(delivery)
            if last:
                self._queued[delivery.notifier] -= 1
                self._lock.notify_all()

    def queue(
        self,
        notifier: str,
        items: Sequence[tuple[int | None, Message]],
        *,
        resume: bool = False,
    ) -> None:
        """Send ``items`` (outbox key, message) through ``notifier`` in order, off this
        thread. ``resume``: the batch starts at the head of the notifier's outbox, so it is
        tried even if the notifier's last delivery failed."""
        if items and not self._stopping.is_set():
            self._put(notifier, _Job(list(items), resume=resume))

    def submit(self, message: Message) -> int:
        """Send ``message`` to every notifier that takes it (its part of it); returns how
        many. Nothing is kept if one fails: the alert path goes through the outbox."""
        parts = [(n.name, p) for n in self.notifiers.values() if (p := message.for_notifier(n))]
        for name, part in parts:
            self.queue(name, [(None, part)])
        return len(parts)

    def send_text(
        self, title: str, body: str, *, notifiers: Sequence[str] | None = None
    ) -> TextDelivery:
        """Queue a plain text for ``notifiers`` (names; default every notifier) and return
        at once; the ``TextDelivery`` fills in as each notifier delivers or gives up."""
        names = list(self.notifiers) if notifiers is None else list(dict.fromkeys(notifiers))
        known = [n for n in names if n in self.notifiers]
        ticket = TextDelivery(known, [n for n in names if n not in self.notifiers])
        message = Message("text", title, body)
        for name in known:
            self._put(name, _Job([(None, message)], ticket))
        return ticket

    def busy(self) -> set[str]:
        """The notifiers with work queued or under way."""
        with self._lock:
            return {name for name, count in self._queued.items() if count}

    def drain(self) -> list[Delivery]:
        """The deliveries finished (or handed back untried) since the last call."""
        with self._lock:
            done, self._done = self._done, []
        return done

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every queue is empty; True when they are."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while any(self._queued.values()):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def close(self, grace: float = 2.0) -> bool:
        """Stop: deliveries under way get up to ``grace`` seconds, queued ones are handed
        back untried. True when every worker has stopped."""
        self._stopping.set()
        for worker in self._workers.values():
            worker.jobs.put(None)
        deadline = time.monotonic() + grace
        for worker in self._workers.values():
            worker.join(max(0.0, deadline - time.monotonic()))
        return not any(w.is_alive() for w in self._workers.values())

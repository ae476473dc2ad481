"""Sending the due morning reviews to chat without holding up collection or alerts.

The collector calls ``ReviewCourier.tick`` after each evaluation. A due review is built
once and handed to the collector's notifier queues (``Dispatcher.send_text``: one queue
and worker thread per notifier), which return at once; the outcome comes back per
notifier. So a hanging chat webhook delays only its own deliveries, never the evaluation.
A delivery is recorded per notifier once it succeeded; a notifier that failed is tried
again alone after a wait that doubles up to half an hour, so the notifiers that got the
review never get it twice. A name in ``[review] notifiers`` that is not configured is
reported once and skipped; a review that went nowhere is never recorded as sent.
"""

from __future__ import annotations

import logging
import time as clock_time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from opsboard.config.models import NotifierConfig
from opsboard.errors import OpsboardError, UsageError
from opsboard.i18n import _
from opsboard.review.build import build_review
from opsboard.review.delivery import chat_summary, delivered, due_day, scheduled, sent_key
from opsboard.review.stores import review_stores
from opsboard.runtime import Runtime
from opsboard.storage.store import Store

log = logging.getLogger(__name__)

#: The wait before a failed delivery is tried again; it doubles up to ``RETRY_MAX``.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(minutes=30)


class Outcome(Protocol):
    """How one notifier's delivery of a text ended."""

    @property
    def ok(self) -> bool:
        """It was delivered."""
        ...

    @property
    def error(self) -> str:
        """Why not (secrets masked)."""
        ...


class Ticket(Protocol):
    """A text handed to the notifier queues: its outcome per notifier, as it comes."""

    @property
    def results(self) -> Mapping[str, Outcome]:
        """The outcomes so far, by notifier name."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every notifier has an outcome; True when all have."""
        ...


class TextSender(Protocol):
    """The notifier queues (``opsboard.alerts.dispatch.Dispatcher``)."""

    def send_text(self, title: str, body: str, *, notifiers: Sequence[str] | None = None) -> Ticket:
        """Queue ``title`` and ``body`` for ``notifiers`` and return at once."""
        ...


@dataclass(frozen=True)
class _Retry:
    """When a failed delivery of one day's review may be tried again."""

    day: date
    not_before: datetime
    wait: timedelta


@dataclass(frozen=True)
class _Sending:
    """One store's review of one day, under way to one notifier."""

    day: date
    ticket: Ticket


class ReviewCourier:
    """Hands each store's due review to every review notifier that has not delivered it."""

    def __init__(self, runtime: Runtime, sender: TextSender) -> None:
        self.runtime = runtime
        self.sender = sender
        self._in_flight: dict[tuple[str, str], _Sending] = {}
        self._retry: dict[tuple[str, str], _Retry] = {}
        self._messages: dict[tuple[str, date], tuple[str, str] | None] = {}
        self._not_before: dict[tuple[str, date], datetime] = {}
        self._warned: set[str] = set()

    def notifiers(self) -> list[NotifierConfig]:
        """The notifiers the review goes to: those named in ``[review] notifiers`` that
        exist (every notifier when none is named). Unknown names are reported once."""
        settings = self.runtime.settings
        configured = {n.name: n for n in settings.notifiers}
        names = list(dict.fromkeys(settings.review.notifiers))
        for name in names:
            if name not in configured:
                self._warn_once(
                    f"unknown {name}",
                    _(
                        "review: [review] notifiers names {name!r}, which is not a configured "
                        "notifier (configured: {configured}); the review is not sent there"
                    ).format(name=name, configured=", ".join(configured) or _("none")),
                )
        chosen = (
            [configured[n] for n in names if n in configured]
            if names
            else list(configured.values())
        )
        if not chosen:
            self._warn_once(
                "none",
                _(
                    "review: no notifier to send the morning review through; nothing is sent "
                    "or recorded as sent (add a [[notifiers]] entry or fix [review] notifiers)"
                ),
            )
        return chosen

    def tick(self, store: Store, now: datetime) -> list[tuple[str, str]]:
        """Record finished deliveries, then hand each due review to the notifiers that have
        not delivered it. Never waits for a delivery; returns the (store, notifier) pairs
        handed over now."""
        self.settle(store, now)
        if not scheduled(self.runtime.settings):
            return []
        targets = self.notifiers()
        handed: list[tuple[str, str]] = []
        for store_name in review_stores(self.runtime, store) if targets else []:
            local = now.astimezone(self.runtime.tz_for(store_name))
            day = due_day(self.runtime.settings, store_name, local)
            if day is None:
                continue
            ready = [n.name for n in targets if self._ready(store, store_name, n.name, day, now)]
            message = self._message(store, store_name, day, now) if ready else None
            if message is None:
                continue
            title, body = message
            ticket = self.sender.send_text(title, body, notifiers=ready)
            for name in ready:
                self._in_flight[(store_name, name)] = _Sending(day, ticket)
                handed.append((store_name, name))
        return handed

    def settle(self, store: Store, now: datetime) -> None:
        """Record the deliveries that finished; schedule the next try of those that failed."""
        for (store_name, name), sending in list(self._in_flight.items()):
            outcome = sending.ticket.results.get(name)
            if outcome is None:
                continue  # still under way
            del self._in_flight[(store_name, name)]
            day = sending.day
            if outcome.ok:
                store.set_meta(sent_key(store_name, name), day.isoformat())
                self._retry.pop((store_name, name), None)
                log.info("review of %s for %s delivered to %s", store_name, day, name)
                continue
            before = self._retry.get((store_name, name))
            wait = RETRY_FIRST
            if before is not None and before.day == day:
                wait = min(before.wait * 2, RETRY_MAX)
            self._retry[(store_name, name)] = _Retry(day, now + wait, wait)
            log.warning(
                "review of %s for %s not delivered to %s: %s; trying again in %s",
                store_name, day, name, outcome.error, _minutes(wait),
            )  # fmt: skip

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every delivery handed over has an outcome; True when all have."""
        deadline = None if timeout is None else clock_time.monotonic() + timeout
        tickets = {id(s.ticket): s.ticket for s in self._in_flight.values()}
        for ticket in tickets.values():
            left = None if deadline is None else max(0.0, deadline - clock_time.monotonic())
            if not ticket.wait(left):
                return False
        return True

    def close(self, store: Store, grace: float = 1.0) -> None:
        """Record what was delivered, after waiting up to ``grace`` seconds for deliveries
        under way. What did not arrive is not recorded, so the next start sends it."""
        self.wait(grace)
        self.settle(store, self.runtime.clock.now())

    def _ready(
        self, store: Store, store_name: str, notifier: str, day: date, now: datetime
    ) -> bool:
        if delivered(store, store_name, notifier, day):
            return False
        sending = self._in_flight.get((store_name, notifier))
        if sending is not None and sending.day == day:
            return False  # under way: never queued twice
        retry = self._retry.get((store_name, notifier))
        return retry is None or retry.day != day or now >= retry.not_before

    def _message(
        self, store: Store, store_name: str, day: date, now: datetime
    ) -> tuple[str, str] | None:
        """The chat title and body of the day's review, built once (a retry sends the same
        text)."""
        key = (store_name, day)
        if key in self._messages:
            return self._messages[key]
        if now < self._not_before.get(key, now):
            return None
        for old in [k for k in self._messages if k[0] == store_name]:
            del self._messages[old]  # an earlier day's review is no longer due
        try:
            review = build_review(self.runtime, store, store_name, day)
        except UsageError as exc:
            # A store named in review.stores with no config and no data yet: nothing to say.
            log.debug("review of %s skipped: %s", store_name, exc.message)
            self._messages[key] = None
            return None
        except OpsboardError as exc:  # e.g. the database stayed busy: a little later
            log.warning("review of %s for %s not built yet: %s", store_name, day, exc)
            self._not_before[key] = now + RETRY_FIRST
            return None
        self._messages[key] = chat_summary(review, self.runtime.settings.review.top)
        return self._messages[key]

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s", text)


def _minutes(wait: timedelta) -> str:
    return f"{wait.total_seconds() / 60:.0f} min"

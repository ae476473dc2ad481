"""Messages waiting for a notifier, kept in the store until that notifier has them.

Each message is queued once per notifier that takes it, so a notifier that is down never
makes the others receive a message twice, and a restart picks up what was not delivered.
A notifier's messages go out in the order they were queued; after a failed delivery the
ones behind it wait too (they are handed back untried), and its queue waits with a growing
backoff (``RETRY_FIRST`` doubling up to ``RETRY_MAX``); the first message is then
tried alone before the rest follow. A message still undelivered after ``GIVE_UP_AFTER``,
or beyond the newest ``BACKLOG`` of its notifier, is dropped with a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from opsboard.alerts.dispatch import Delivery
from opsboard.alerts.notify import Message
from opsboard.storage.outbox import DeliveryLedger, DeliveryRecord, QueuedMessage
from opsboard.storage.store import Store

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(hours=24)
#: How many messages one notifier is handed at a time.
BATCH = 20
#: How many undelivered messages a notifier keeps at most.
BACKLOG = 200


@dataclass(frozen=True)
class Entry:
    """One message queued for one notifier."""

    id: int
    notifier: str
    message: Message
    attempts: int


def has_outbox(store: Store) -> bool:
    """True when the store has an outbox table (a viewer's read-only store may not)."""
    return store.outbox.exists()


def enqueue(store: Store, notifier: str, message: Message, now: datetime) -> None:
    """Queue ``message`` for ``notifier``."""
    store.outbox.queue([QueuedMessage(notifier, message.to_json(), now)])


def _message(body: dict[str, Any]) -> Message:
    return Message(body["status"], body["title"], body["text"], body["alerts"], body["severity"])


def due(store: Store, now: datetime, *, sending: set[int]) -> dict[str, tuple[list[Entry], bool]]:
    """Per notifier, the next of its queued messages not in ``sending`` (handed out already),
    in order, when the first of its queue is due: no more than ``BATCH`` under way at once,
    and a retry alone (it probes whether the notifier is back) with nothing behind it until
    it went through. With True when they start at the head of the queue (nothing before them
    is still under way)."""
    rows: dict[str, list[tuple[int, int]]] = {}
    waiting: set[str] = set()
    at_head: dict[str, bool] = {}
    under_way: dict[str, int] = {}
    for head in store.outbox.heads():
        entry_id, notifier, attempts = head.id, head.notifier, head.attempts
        if notifier in waiting:
            continue
        if notifier not in at_head:
            if entry_id not in sending and head.next_at > now:
                waiting.add(notifier)  # its head waits for its backoff; the rest keep order
                continue
            at_head[notifier] = entry_id not in sending
            if attempts:
                waiting.add(notifier)  # a retry goes alone
                if at_head[notifier]:
                    rows[notifier] = [(entry_id, attempts)]
                continue
        picked = rows.setdefault(notifier, [])
        if entry_id in sending:
            under_way[notifier] = under_way.get(notifier, 0) + 1
        elif under_way.get(notifier, 0) + len(picked) < BATCH:
            picked.append((entry_id, attempts))
        else:
            waiting.add(notifier)
    found: dict[str, tuple[list[Entry], bool]] = {}
    for notifier, picked in rows.items():
        if not picked:
            continue
        entries = []
        for entry_id, attempts in picked:
            queued = store.outbox.entry(entry_id)
            if queued is not None:  # read just now, and only this process deletes
                entries.append(Entry(entry_id, notifier, _message(queued.message), attempts))
        found[notifier] = (entries, at_head[notifier])
    return found


def trim(store: Store) -> int:
    """Keep at most ``BACKLOG`` messages per notifier, dropping the oldest (with a warning):
    a notifier down for a long storm would otherwise flood its chat when it is back."""
    dropped = 0
    for notifier, extra in store.outbox.over(BACKLOG).items():
        dropped += store.outbox.drop_oldest(notifier, extra)
        log.warning(
            "notifier %s: %d undelivered messages dropped, the oldest beyond the last %d",
            notifier, extra, BACKLOG,
        )  # fmt: skip
    return dropped


def delivered(store: Store, entry_ids: list[int]) -> None:
    """Forget entries their notifier has received."""
    store.outbox.remove(entry_ids)


def failed(store: Store, entry_id: int, error: str, now: datetime) -> str | None:
    """Record a failed delivery and schedule the next try; returns the title of a message
    given up on (too old), else None."""
    queued = store.outbox.entry(entry_id)
    if queued is None:
        return None
    attempts = queued.attempts + 1
    if now - queued.created_at >= GIVE_UP_AFTER:
        store.outbox.remove([entry_id])
        return _message(queued.message).title
    wait = min(RETRY_MAX, RETRY_FIRST * 2 ** (attempts - 1))
    store.outbox.retry_later(entry_id, attempts, now + wait, error[:500])
    return None


def drop_unknown(store: Store, notifiers: set[str]) -> int:
    """Drop messages queued for notifiers no longer configured; returns how many."""
    gone = [name for name in store.outbox.notifiers() if name not in notifiers]
    if not gone:
        return 0
    count = store.outbox.drop_notifiers(gone)
    log.warning("dropped %d undelivered messages of notifiers no longer configured", count)
    return count


def pending(store: Store) -> dict[str, int]:
    """How many messages wait, per notifier (empty when the store has no outbox)."""
    if not has_outbox(store):
        return {}
    return store.outbox.pending()


class Confirmations:
    """What a dispatcher calls the moment a notifier confirms an outbox message: the entry
    leaves the outbox and its ``sent`` record is kept, then and there (see
    ``DeliveryLedger``)."""

    def __init__(self, store: Store) -> None:
        self.ledger = DeliveryLedger(store)

    def __call__(self, delivery: Delivery) -> bool:
        """Record ``delivery`` (an outbox entry a notifier has); True once it is."""
        if delivery.key is None:
            return False
        record = DeliveryRecord(
            delivery.at, delivery.notifier, "sent", delivery.title, list(delivery.alert_ids), ""
        )
        return self.ledger.confirm(delivery.key, record)

    def close(self) -> None:
        """Close the ledger's own connection."""
        self.ledger.close()

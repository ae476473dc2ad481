"""Scheduled delivery of the morning review to chat, once per store and day.

The headless mode calls ``deliver_due_reviews`` every cycle. A store's review of yesterday
is due once the local time has passed ``review.send_at``; what was sent is recorded in the
``meta`` table, so that a restart does not send it again. A failed send is not recorded and
is tried again next cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta

from opsboard.errors import UsageError
from opsboard.output import format_value
from opsboard.review.build import build_review
from opsboard.review.model import Review
from opsboard.review.narrative import movement
from opsboard.review.stores import review_stores
from opsboard.runtime import Runtime
from opsboard.storage.store import Store

log = logging.getLogger(__name__)

#: ``send(title, body)``; returning ``False`` (or raising) means it was not delivered.
Send = Callable[[str, str], object]

_KEY = "review.sent.{store}"


def sent_key(store_name: str) -> str:
    """The ``meta`` key holding the last day whose review was sent for ``store_name``."""
    return _KEY.format(store=store_name)


def chat_summary(review: Review, top: int) -> tuple[str, str]:
    """A short title and body for chat: the headline and the ``top`` problems."""
    title = f"{review.store} review of {review.day.strftime('%a')} {review.day}"
    lines = []
    for note in review.completeness.notes[:2]:
        lines.append(f"! data {note.kind}: {note.source}: {note.detail}")
    for metric in ("gmv", "uv", "conversion_rate", "aov", "spend", "roi"):
        move = review.figure(metric)
        if move is None or (move.value is None and move.status == "no_data"):
            continue
        lines.append(f"{move.label}: {format_value(move.value, metric)} ({movement(move)})")
    for line in review.summary:
        if line.startswith(("GMV change", "Visitors:")):
            lines.append(line)
    problems = review.problems[:top]
    if problems:
        lines.append("To do:")
        lines += [
            f"{n}. {d.title} ({d.subject}): {d.remedy}" for n, d in enumerate(problems, start=1)
        ]
    else:
        lines.append("No rule of thumb was broken.")
    still_open = sum(a.open for a in review.alerts)
    if review.alerts:
        lines.append(f"Alerts: {len(review.alerts)} fired, {still_open} still open.")
    if review.cannot_tell:
        lines.append(f"Cannot tell: {review.cannot_tell[0]}")
    return title, "\n".join(lines)


def deliver_due_reviews(runtime: Runtime, store: Store, send: Send, now: datetime) -> list[str]:
    """Send each due review of yesterday; returns the stores whose review was sent now."""
    settings = runtime.settings.review
    if settings.send_at is None:
        return []
    hour, minute = (int(part) for part in settings.send_at.split(":"))
    due_at = time(hour, minute)
    sent: list[str] = []
    for store_name in review_stores(runtime, store):
        local = now.astimezone(runtime.tz_for(store_name))
        if local.time() < due_at:
            continue
        day = local.date() - timedelta(days=1)
        key = sent_key(store_name)
        last = store.meta(key)
        if last is not None and last >= day.isoformat():
            continue
        try:
            review = build_review(runtime, store, store_name, day)
        except UsageError as exc:
            # A store named in review.stores with no config and no data yet: nothing to say.
            log.debug("review of %s skipped: %s", store_name, exc.message)
            continue
        try:
            title, body = chat_summary(review, settings.top)
            delivered = send(title, body)
        except Exception as exc:  # one store's failure must not stop the others
            log.warning("review of %s for %s not sent: %s", store_name, day, exc)
            continue
        if delivered is False:
            log.warning("review of %s for %s not delivered; retrying next cycle", store_name, day)
            continue
        store.set_meta(key, day.isoformat())
        sent.append(store_name)
    return sent

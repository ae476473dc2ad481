"""When each store's morning review is due, what the chat summary says, and what was sent.

A store's review of yesterday is due once its local time has passed its send time: the
store's own ``review_send_at`` when it has one, else ``[review] send_at``. What was
delivered is recorded per store and notifier in the ``meta`` table, so that a restart does
not send it again and a notifier that failed is retried alone.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from opsboard.config.models import Settings
from opsboard.formatting import in_prose
from opsboard.i18n import _
from opsboard.metrics import metric_kind
from opsboard.review.lines import note_kind
from opsboard.review.model import Review
from opsboard.review.narrative import (
    bridge_line,
    channel_line,
    money_in_prose,
    movement,
    not_assessed_line,
    short_day,
    short_subject,
)
from opsboard.storage.store import Store

log = logging.getLogger(__name__)

_SENT = "review.sent.{store}.{notifier}"
#: Where a review sent before deliveries were recorded per notifier is remembered.
_SENT_ANYWHERE = "review.sent.{store}"


def send_time(settings: Settings, store_name: str) -> time | None:
    """The local time at which ``store_name``'s review is due, or None when it is not sent."""
    store = settings.store(store_name)
    text = store.review_send_at or settings.review.send_at
    if text is None:
        return None
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except ValueError:  # the config check rejects it; never stop the alerts over it
        log.warning("review of %s: send time %r is not HH:MM; not sent", store_name, text)
        return None


def scheduled(settings: Settings) -> bool:
    """Whether any store's review is sent on a schedule."""
    return settings.review.send_at is not None or any(s.review_send_at for s in settings.stores)


def due_day(settings: Settings, store_name: str, local_now: datetime) -> date | None:
    """The day whose review is due at ``local_now`` (the store's time): yesterday, once the
    send time has passed; None before it, or when the store's review is not sent."""
    due_at = send_time(settings, store_name)
    if due_at is None or local_now.time() < due_at:
        return None
    return local_now.date() - timedelta(days=1)


def sent_key(store_name: str, notifier: str) -> str:
    """The ``meta`` key holding the last day whose review ``notifier`` delivered."""
    return _SENT.format(store=store_name, notifier=notifier)


def delivered(store: Store, store_name: str, notifier: str, day: date) -> bool:
    """Whether ``notifier`` already delivered ``store_name``'s review of ``day`` (or later)."""
    for key in (sent_key(store_name, notifier), _SENT_ANYWHERE.format(store=store_name)):
        last = store.meta(key)
        if last is not None and last >= day.isoformat():
            return True
    return False


def chat_summary(review: Review, top: int) -> tuple[str, str]:
    """A short title and body for chat: the headline and the ``top`` problems."""
    title = _("{store} review of {day}").format(
        store=review.store, day=short_day(review.day.isoformat())
    )
    lines = []
    if review.unfinished:
        lines.append(_("! {day} is not over: figures so far, not compared").format(day=review.day))
    for note in review.completeness.notes[:2]:
        lines.append(
            _("! data {kind}: {source}: {detail}").format(
                kind=note_kind(note.kind), source=note.source, detail=note.detail
            )
        )
    # The morning meeting starts with where the store stands against plan.
    lines += [_("Plan: {line}").format(line=line) for line in review.plan]
    lines += list(review.contribution[:1])
    for metric in ("gmv", "uv", "conversion_rate", "aov", "spend", "roi"):
        move = review.figure(metric)
        if move is None or (move.value is None and move.status == "no_data"):
            continue
        shown = (
            money_in_prose(move.value, review.currency)
            if metric_kind(metric) == "money"
            else in_prose(move.value, metric)
        )
        lines.append(
            _("{figure}: {value} ({movement})").format(
                figure=move.label, value=shown, movement=movement(move)
            )
        )
    lines += [line for line in (bridge_line(review), channel_line(review)) if line]
    problems = review.problems[:top]
    if problems:
        lines.append(_("To do:"))
        for n, d in enumerate(problems, start=1):
            stake = (
                _("; about {amount} at stake").format(
                    amount=money_in_prose(d.impact, review.currency)
                )
                if d.impact >= 0.005
                else ""
            )
            lines.append(
                _("{n}. {title} ({subject}{stake}): {remedy}").format(
                    n=n,
                    title=d.title,
                    subject=short_subject(d.subject),
                    stake=stake,
                    remedy=d.remedy,
                )
            )
    elif review.not_assessed:
        lines.append(not_assessed_line(review))
    elif review.day_has_data:
        lines.append(_("No rule of thumb was broken."))
    still_open = sum(a.open for a in review.alerts)
    if review.alerts:
        lines.append(
            _("Alerts: {count} fired, {open} still open.").format(
                count=len(review.alerts), open=still_open
            )
        )
    if review.cannot_tell:
        lines.append(_("Cannot tell: {what}").format(what=review.cannot_tell[0]))
    return title, "\n".join(lines)

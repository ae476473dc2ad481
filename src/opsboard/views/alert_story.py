"""The whole story of one alert, as the dashboard opens it: its message, the figures it
was judged on, each change of its state, who was told and who acknowledged it, and for a
refused file, the file and why it was refused.

Textual-free; reads only (a viewer writes nothing here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from opsboard import alerts as alert_state
from opsboard.storage import ingests
from opsboard.storage.store import Store
from opsboard.views.alerts import AlertRow

#: The figures of an alert, in the order the story lists them: (field, label).
_FIGURES = (
    ("value", "Observed"),
    ("threshold", "Limit"),
    ("clear", "Clears at"),
    ("baseline", "Baseline"),
    ("spend", "Spend"),
    ("budget", "Budget"),
    ("projected", "Projected"),
    ("exhausts_at", "Runs out at"),
)
#: A baseline field with no figure: every rule carries one, only change rules compare.
_BARE = frozenset(("yesterday", "last_week", "trailing_median", "trailing_days"))
#: How many earlier times the same rule fired on the same scope the story lists.
EARLIER = 5


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """One thing that happened to the alert (or to an earlier one of the same rule and
    scope), at an instant."""

    at: datetime
    what: str


@dataclass(frozen=True, slots=True)
class AlertStory:
    """Everything known about one alert."""

    alert: AlertRow
    message: str
    figures: tuple[tuple[str, str], ...]
    """(label, value as the rule shows it): observed, limit, clears at, baseline..."""
    history: tuple[StoryEvent, ...]
    """Oldest first: pending, firing, told, acknowledged, silenced, resolved."""
    earlier: tuple[StoryEvent, ...] = ()
    """Earlier alerts of the same rule and scope, newest first."""
    file: str = ""
    """For a refused file: where it was dropped."""
    file_reason: str = ""
    """For a refused file: the whole reason it was refused."""
    labels: tuple[tuple[str, str], ...] = ()


def _utc(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def local(instant: datetime, tz: tzinfo) -> str:
    """An instant as the story writes it, in the store's zone: ``12-07 16:46``."""
    return f"{instant.astimezone(tz):%m-%d %H:%M}"


def load_story(store: Store, alert: AlertRow, *, at: datetime, tz: tzinfo) -> AlertStory:
    """The story of ``alert`` as known at ``at`` (later events are left out in a replay),
    its times in ``tz`` (the store's zone)."""
    view = alert_state.get_alert(store, alert.id, now=at)
    detail = view.detail
    figures = tuple(
        (label, str(detail[key]))
        for key, label in _FIGURES
        if str(detail.get(key) or "") and not (key == "baseline" and detail[key] in _BARE)
    )
    events: list[StoryEvent] = []
    if view.pending_since is not None and view.pending_since != view.fired_at:
        events.append(StoryEvent(view.pending_since, "pending: the condition began"))
    if view.fired_at is not None:
        events.append(StoryEvent(view.fired_at, "firing"))
    for ack in store.alerts.acks_of(alert.id):
        when = _utc(ack.at)
        if when is not None:
            note = f": {ack.note}" if ack.note else ""
            events.append(StoryEvent(when, f"acknowledged by {ack.by}{note}"))
    for sent in reversed(store.outbox.deliveries_of(alert.id)):  # oldest first
        if sent.status == "sent":
            events.append(StoryEvent(sent.at, f"told {sent.notifier}"))
        else:
            events.append(StoryEvent(sent.at, f"telling {sent.notifier} failed: {sent.error}"))
    for quiet in alert_state.silences(store, now=at):
        if quiet.matches(view.rule, view.store, view.scope):
            reason = f": {quiet.reason}" if quiet.reason else ""
            events.append(
                StoryEvent(
                    quiet.created_at,
                    f"silenced by {quiet.by} until {local(quiet.until, tz)}{reason}",
                )
            )
    if view.resolved_at is not None:
        events.append(StoryEvent(view.resolved_at, f"resolved: {view.message}"))
    events = sorted((e for e in events if e.at <= at), key=lambda e: e.at)
    earlier = []
    for past in store.alerts.episodes(view.rule, view.store, view.scope, EARLIER + 1):
        began = past.fired_at or past.pending_since
        if past.id == alert.id or began is None or began > at:
            continue
        ended = f", resolved {local(past.resolved_at, tz)}" if past.resolved_at else ""
        state = "fired" if past.fired_at else "pending"
        earlier.append(StoryEvent(began, f"{state} (alert {past.id}){ended}"))
    path, reason = "", ""
    if view.scope.startswith("file:"):
        path = view.scope.removeprefix("file:")
        refused = ingests.refusal_of(store, path)
        reason = (refused.message if refused else "") or str(detail.get("reason") or "")
    return AlertStory(
        alert=alert,
        message=view.message,
        figures=figures,
        history=tuple(events),
        earlier=tuple(earlier[:EARLIER]),
        file=path,
        file_reason=reason.strip(),
        labels=tuple(sorted(view.labels.items())),
    )

"""The whole story of one alert, as the dashboard opens it: its message, the figures it
was judged on, each change of its state, who was told and who acknowledged it, and for a
refused file, the file and why it was refused.

Textual-free; reads only (a viewer writes nothing here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from opsboard import alerts as alert_state
from opsboard.i18n import N_, _
from opsboard.storage import ingests
from opsboard.storage.store import Store
from opsboard.views.alerts import AlertRow

#: The figures of an alert, in the order the story lists them: (field, label).
_FIGURES = (
    ("value", N_("Observed")),
    ("threshold", N_("Limit")),
    ("clear", N_("Clears at")),
    ("baseline", N_("Baseline")),
    ("spend", N_("Spend")),
    ("budget", N_("Budget")),
    ("projected", N_("Projected")),
    ("exhausts_at", N_("Runs out at")),
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
        (_(label), str(detail[key]))
        for key, label in _FIGURES
        if str(detail.get(key) or "") and not (key == "baseline" and detail[key] in _BARE)
    )
    events: list[StoryEvent] = []
    if view.pending_since is not None and view.pending_since != view.fired_at:
        events.append(StoryEvent(view.pending_since, _("pending: the condition began")))
    if view.fired_at is not None:
        events.append(StoryEvent(view.fired_at, _("firing")))
    for ack in store.alerts.acks_of(alert.id):
        when = _utc(ack.at)
        if when is not None:
            note = _(": {note}").format(note=ack.note) if ack.note else ""
            what = _("acknowledged by {who}{note}").format(who=ack.by, note=note)
            events.append(StoryEvent(when, what))
    for sent in reversed(store.outbox.deliveries_of(alert.id)):  # oldest first
        if sent.status == "sent":
            events.append(StoryEvent(sent.at, _("told {notifier}").format(notifier=sent.notifier)))
        else:
            failed = _("telling {notifier} failed: {error}")
            events.append(
                StoryEvent(sent.at, failed.format(notifier=sent.notifier, error=sent.error))
            )
    for quiet in alert_state.silences(store, now=at):
        if quiet.matches(view.rule, view.store, view.scope):
            reason = _(": {note}").format(note=quiet.reason) if quiet.reason else ""
            what = _("silenced by {who} until {time}{reason}").format(
                who=quiet.by, time=local(quiet.until, tz), reason=reason
            )
            events.append(StoryEvent(quiet.created_at, what))
    if view.resolved_at is not None:
        resolved = _("resolved: {message}").format(message=view.message)
        events.append(StoryEvent(view.resolved_at, resolved))
    events = sorted((e for e in events if e.at <= at), key=lambda e: e.at)
    earlier = []
    for past in store.alerts.episodes(view.rule, view.store, view.scope, EARLIER + 1):
        began = past.fired_at or past.pending_since
        if past.id == alert.id or began is None or began > at:
            continue
        ended = (
            _(", resolved {time}").format(time=local(past.resolved_at, tz))
            if past.resolved_at
            else ""
        )
        state = _("fired") if past.fired_at else _("pending")
        what = _("{state} (alert {id}){ended}").format(state=state, id=past.id, ended=ended)
        earlier.append(StoryEvent(began, what))
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

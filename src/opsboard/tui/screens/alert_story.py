"""One alert's whole story, over the screen it was opened from: message, figures,
history, who acknowledged, and for a refused file the file and its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from opsboard.formatting import cells, pad
from opsboard.i18n import N_, _
from opsboard.timeutil import zone
from opsboard.tui.language import localize_bindings
from opsboard.views.alert_story import AlertStory, local
from opsboard.views.alerts import AlertRow, scope_words

#: Severities and where an alert is listed, as the story's first line says them.
_SEVERITY_WORDS = {"critical": N_("CRITICAL"), "warning": N_("WARNING"), "info": N_("INFO")}
_BUCKET_WORDS = {
    "firing": N_("firing"),
    "pending": N_("pending"),
    "acknowledged": N_("acknowledged"),
    "strategic": N_("strategic"),
    "resolved": N_("resolved"),
}


def _field(name: str) -> str:
    """A field's name in the left margin (9 cells, a CJK name counting two a character)."""
    return pad(_(name), 8, right=False) + " "


def story_text(story: AlertStory, tz_name: str = "") -> Text:
    """The story as the screen writes it (also what tests read)."""
    alert = story.alert
    text = Text()
    severity = _(_SEVERITY_WORDS.get(alert.severity, alert.severity.upper()))
    text.append(f"{severity} {_(_BUCKET_WORDS.get(alert.bucket, alert.bucket))}", style="bold")
    text.append(f"   {alert.rule}\n", style="bold")
    text.append(_field(N_("Scope")), style="dim")
    text.append(f"{scope_words(alert, None)}\n")
    text.append("\n")
    text.append(f"{story.message}\n")
    if story.figures:
        text.append("\n")
        width = max(cells(label) for label, _value in story.figures)
        for label, value in story.figures:
            text.append(pad(label, width, right=False) + "  ", style="dim")
            text.append(f"{value}\n")
    if story.file:
        text.append("\n" + _field(N_("File")), style="bold")
        text.append(f"{story.file}\n")
        if story.file_reason:
            text.append(_field(N_("Reason")), style="bold")
            text.append(f"{story.file_reason}\n")
    text.append("\n" + _("History"), style="bold")
    if tz_name:
        text.append(_(" ({what})").format(what=tz_name), style="dim")
    text.append("\n")
    if not story.history:
        text.append("  " + _("nothing recorded yet") + "\n", style="dim")
    tz = zone(tz_name) if tz_name else None
    for event in story.history:
        when = local(event.at, tz) if tz is not None else f"{event.at:%m-%d %H:%M}"
        text.append(f"  {when}  ", style="dim")
        text.append(f"{event.what}\n")
    if not alert.acked_by:
        text.append("  " + _("not acknowledged") + "\n", style="dim")
    if story.earlier:
        text.append("\n" + _("Earlier") + "\n", style="bold")
        for event in story.earlier:
            when = local(event.at, tz) if tz is not None else f"{event.at:%m-%d %H:%M}"
            text.append(f"  {when}  ", style="dim")
            text.append(f"{event.what}\n")
    if story.labels:
        text.append("\n" + _field(N_("Labels")), style="dim")
        text.append(", ".join(f"{k}={v}" for k, v in story.labels) + "\n")
    return text


class AlertStoryScreen(ModalScreen[str | None]):
    """The story of one alert; dismissed with ``"ack"`` or ``"silence"`` when the operator
    asks for one of them from here, else None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", N_("Close")),
        Binding("a", "act('ack')", N_("Ack alert")),
        Binding("x", "act('silence')", N_("Silence")),
    ]

    def __init__(self, alert: AlertRow, build: Callable[[], AlertStory], tz_name: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.alert = alert
        self.build = build
        self.tz_name = tz_name

    def compose(self) -> ComposeResult:
        """A scrolling text in a box."""
        with VerticalScroll(id="story-box") as box:
            box.border_title = _("Alert {id}: {rule}").format(
                id=self.alert.id, rule=self.alert.rule
            )
            box.border_subtitle = _("a ack  x silence  esc close")
            yield Static(Text(self.alert.message), id="story")

    def on_mount(self) -> None:
        """Read the story in a worker thread."""
        self.load()

    @work(thread=True, exclusive=True, group="story")
    def load(self) -> None:
        """Read and write out the story; a problem is shown in its place."""
        try:
            text = story_text(self.build(), self.tz_name)
        except Exception as exc:  # shown on screen, the dashboard carries on
            problem = _("The alert's history could not be read: {error}").format(error=exc)
            text = Text(f"{self.alert.message}\n\n{problem}")
        self.app.call_from_thread(self.query_one("#story", Static).update, text)

    def action_close(self) -> None:
        """Back to the alerts."""
        self.dismiss(None)

    def action_act(self, what: str) -> None:
        """Close, and acknowledge or silence the alert."""
        self.dismiss(what)

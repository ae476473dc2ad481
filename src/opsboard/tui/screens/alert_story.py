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

from opsboard.timeutil import zone
from opsboard.views.alert_story import AlertStory, local
from opsboard.views.alerts import AlertRow, scope_words


def story_text(story: AlertStory, tz_name: str = "") -> Text:
    """The story as the screen writes it (also what tests read)."""
    alert = story.alert
    text = Text()
    text.append(f"{alert.severity.upper()} {alert.bucket}", style="bold")
    text.append(f"   {alert.rule}\n", style="bold")
    text.append("Scope    ", style="dim")
    text.append(f"{scope_words(alert, None)}\n")
    text.append("\n")
    text.append(f"{story.message}\n")
    if story.figures:
        text.append("\n")
        width = max(len(label) for label, _ in story.figures)
        for label, value in story.figures:
            text.append(f"{label:<{width}}  ", style="dim")
            text.append(f"{value}\n")
    if story.file:
        text.append("\nFile     ", style="bold")
        text.append(f"{story.file}\n")
        if story.file_reason:
            text.append("Reason   ", style="bold")
            text.append(f"{story.file_reason}\n")
    text.append("\nHistory", style="bold")
    if tz_name:
        text.append(f" ({tz_name})", style="dim")
    text.append("\n")
    if not story.history:
        text.append("  nothing recorded yet\n", style="dim")
    tz = zone(tz_name) if tz_name else None
    for event in story.history:
        when = local(event.at, tz) if tz is not None else f"{event.at:%m-%d %H:%M}"
        text.append(f"  {when}  ", style="dim")
        text.append(f"{event.what}\n")
    if not alert.acked_by:
        text.append("  not acknowledged\n", style="dim")
    if story.earlier:
        text.append("\nEarlier\n", style="bold")
        for event in story.earlier:
            when = local(event.at, tz) if tz is not None else f"{event.at:%m-%d %H:%M}"
            text.append(f"  {when}  ", style="dim")
            text.append(f"{event.what}\n")
    if story.labels:
        text.append("\nLabels   ", style="dim")
        text.append(", ".join(f"{k}={v}" for k, v in story.labels) + "\n")
    return text


class AlertStoryScreen(ModalScreen[str | None]):
    """The story of one alert; dismissed with ``"ack"`` or ``"silence"`` when the operator
    asks for one of them from here, else None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close"),
        Binding("a", "act('ack')", "Ack alert"),
        Binding("x", "act('silence')", "Silence"),
    ]

    def __init__(self, alert: AlertRow, build: Callable[[], AlertStory], tz_name: str) -> None:
        super().__init__()
        self.alert = alert
        self.build = build
        self.tz_name = tz_name

    def compose(self) -> ComposeResult:
        """A scrolling text in a box."""
        with VerticalScroll(id="story-box") as box:
            box.border_title = f"Alert {self.alert.id}: {self.alert.rule}"
            box.border_subtitle = "a ack  x silence  esc close"
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
            text = Text(f"{self.alert.message}\n\nThe alert's history could not be read: {exc}")
        self.app.call_from_thread(self.query_one("#story", Static).update, text)

    def action_close(self) -> None:
        """Back to the alerts."""
        self.dismiss(None)

    def action_act(self, what: str) -> None:
        """Close, and acknowledge or silence the alert."""
        self.dismiss(what)

"""Small prompts: a note for an acknowledgement, a duration for a silence."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from opsboard.errors import UsageError
from opsboard.i18n import N_, _
from opsboard.text import inert
from opsboard.tui.language import localize_bindings
from opsboard.views.alerts import parse_duration


class AckPrompt(ModalScreen[str | None]):
    """Ask for an acknowledgement note; dismissed with the note, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, what: str, *, blink: bool = True) -> None:
        super().__init__()
        localize_bindings(self)
        self.what = what
        self.blink = blink

    def compose(self) -> ComposeResult:
        """A label and a one-line input."""
        with Vertical(id="prompt-box") as box:
            box.border_title = _("Acknowledge")
            yield Label(inert(self.what), markup=False)
            note = Input(placeholder=_("note (enter to save, esc to cancel)"), id="note")
            note.cursor_blink = self.blink
            yield note

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save the note."""
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Leave without acknowledging."""
        self.dismiss(None)


class SilencePrompt(ModalScreen[timedelta | None]):
    """Ask how long to silence a rule: ``30m``, ``2h``, ``1d``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, what: str, *, blink: bool = True) -> None:
        super().__init__()
        localize_bindings(self)
        self.what = what
        self.blink = blink

    def compose(self) -> ComposeResult:
        """A label, an input with a default and a line for errors."""
        with Vertical(id="prompt-box") as box:
            box.border_title = _("Silence")
            yield Label(inert(self.what), markup=False)
            duration = Input(value="2h", placeholder=_("for how long: 30m, 2h, 1d"), id="duration")
            duration.cursor_blink = self.blink
            yield duration
            yield Label("", id="prompt-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Silence for the duration typed, or say what is wrong with it."""
        try:
            duration = parse_duration(event.value)
            if duration <= timedelta(0):
                raise UsageError("a silence needs a positive duration", hint="e.g. 30m, 2h or 1d")
        except UsageError as exc:
            self.query_one("#prompt-error", Label).update(Text(inert(str(exc))))
            return
        self.dismiss(duration)

    def action_cancel(self) -> None:
        """Leave without silencing."""
        self.dismiss(None)

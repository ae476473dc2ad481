"""Asked before the collecting dashboard quits while other dashboards view its data."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class QuitPrompt(ModalScreen[bool]):
    """Quit and hand collecting over, or stay; dismissed with True to quit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,q,enter", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Stay"),
    ]

    def __init__(self, within_seconds: float) -> None:
        super().__init__()
        self.within_seconds = within_seconds

    def compose(self) -> ComposeResult:
        """What quitting does, and the two answers."""
        within = f"{self.within_seconds:g} s"
        with Vertical(id="prompt-box") as box:
            box.border_title = "Quit the collecting dashboard?"
            yield Label(
                "This dashboard collects for the team: it polls the sources and sends the "
                "alerts. Other dashboards are open on the same database; when this one "
                f"quits, one of them takes collecting over within {within} (if its config "
                "has sources)."
            )
            yield Label("y/q/enter quit    n/esc stay", id="prompt-keys")

    def action_answer(self, quit: bool) -> None:
        """Leave with the answer."""
        self.dismiss(quit)

"""Asked before the collecting dashboard quits while other dashboards view its data."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from opsboard.i18n import N_, _
from opsboard.tui.language import localize_bindings


class QuitPrompt(ModalScreen[bool]):
    """Quit and hand collecting over, or stay; dismissed with True to quit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,q,enter", "answer(True)", N_("Quit")),
        Binding("n,escape", "answer(False)", N_("Stay")),
    ]

    def __init__(self, within_seconds: float) -> None:
        super().__init__()
        localize_bindings(self)
        self.within_seconds = within_seconds

    def compose(self) -> ComposeResult:
        """What quitting does, and the two answers."""
        within = f"{self.within_seconds:g} s"
        with Vertical(id="prompt-box") as box:
            box.border_title = _("Quit the collecting dashboard?")
            yield Label(
                _(
                    "This dashboard collects for the team: it polls the sources and sends the "
                    "alerts. Other dashboards are open on the same database; when this one "
                    "quits, one of them takes collecting over within {within} (if its config "
                    "has sources)."
                ).format(within=within)
            )
            yield Label(_("y/q/enter quit    n/esc stay"), id="prompt-keys")

    def action_answer(self, quit: bool) -> None:
        """Leave with the answer."""
        self.dismiss(quit)

"""Every key binding, on one screen."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_EXTRA = [
    ("up/down", "move in a table"),
    ("enter", "on an alert: its whole story; on a group of alerts: open or close it"),
    ("tab", "next panel"),
    ("ctrl+p", "command palette: switch store or period, jump to an alert, themes"),
]


class HelpScreen(ModalScreen[None]):
    """The keys of the dashboard, its current screen and the tables."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        """A two-column table of keys and what they do."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        seen: set[str] = set()
        for key, description in [*self.bindings, *_EXTRA]:
            if key in seen:
                continue
            seen.add(key)
            table.add_row(key, description)
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc to close"
            yield Static(Text("opsboard: live store traffic, promotion and alerts\n", style="bold"))
            yield Static(table)

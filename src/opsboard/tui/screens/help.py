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

from opsboard.i18n import N_, _
from opsboard.tui.language import localize_bindings

_EXTRA = [
    ("up/down", N_("move in a table")),
    ("enter", N_("on an alert: its whole story; on a group of alerts: open or close it")),
    ("tab", N_("next panel")),
    ("ctrl+p", N_("command palette: switch store or period, jump to an alert, themes")),
]


class HelpScreen(ModalScreen[None]):
    """The keys of the dashboard, its current screen and the tables."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", N_("Close"))
    ]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        localize_bindings(self)
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
            table.add_row(key, _(description))
        with VerticalScroll(id="help-box") as box:
            box.border_title = _("Keys")
            box.border_subtitle = _("esc to close")
            title = _("opsboard: live store traffic, promotion and alerts")
            yield Static(Text(title + "\n", style="bold"))
            yield Static(table)

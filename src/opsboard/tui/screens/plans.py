"""Plans: each target with a progress bar, its share of time, days left and what each
remaining day needs (DESIGN.md 4.6)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static

from opsboard.i18n import N_, _
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.widgets.plan_rows import PlanRows
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.views.plans import PlansView


class PlansScreen(DashboardScreen):
    """Each target of the store (or of every store) against its plan paced by the store's
    own curve."""

    kind = "plans"
    view_name = N_("Plans")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('overview')", N_("Overview")),
    ]

    def compose(self) -> ComposeResult:
        """One panel of targets, scrolled when there are more than the screen holds."""
        yield TitleBar(id="title")
        with (
            VerticalScroll(id="body"),
            Vertical(id="plans-panel", classes="panel") as panel,
        ):
            panel.border_title = _("Targets against plan")
            panel.border_subtitle = _("paced by the store's own curve")
            yield PlanRows(unicode=self.dashboard.unicode, id="plan-rows")
            yield Static("", id="plans-note")
        yield StatusBar(id="status")
        yield Footer()

    def show(self, data: Any) -> None:
        """Show the targets, or how to add some."""
        assert isinstance(data, PlansView)
        self.show_frame(at=data.at, live=data.live, tz_name=data.tz_name, health=data.health)
        several = len({row.store for row in data.rows}) > 1
        self.query_one(PlanRows).show(data.rows, several=several)
        self.query_one("#plans-note", Static).update(data.note)
        self.query_one("#plans-note").display = bool(data.note)

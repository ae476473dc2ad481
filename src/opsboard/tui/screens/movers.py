"""SKU movers: SKUs sorted by abnormal change, and the selected one in detail."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer

from opsboard.i18n import N_, _
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.widgets.hourly_chart import HourlyChart
from opsboard.tui.widgets.movers_table import MoversTable
from opsboard.tui.widgets.sku_detail import SkuDetail
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.views.movers import MoversView


class MoversScreen(DashboardScreen):
    """SKUs whose visitors, conversion or bounce moved against last week."""

    kind = "movers"
    view_name = N_("SKU movers")

    def compose(self) -> ComposeResult:
        """The ranked list on the left, the chosen SKU on the right (below when narrow)."""
        yield TitleBar(id="title")
        with Horizontal(id="movers-columns"):
            with Vertical(id="movers-panel", classes="panel") as panel:
                panel.border_title = _("Movers vs same hours last week")
                panel.border_subtitle = _("scored against the store's own move")
                yield MoversTable(id="movers")
            with Vertical(id="sku-panel", classes="panel") as panel:
                panel.border_title = _("Selected SKU")
                yield SkuDetail(id="sku-detail")
                yield HourlyChart(unicode=self.dashboard.unicode, id="sku-chart")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """The list takes the keyboard."""
        self.query_one(MoversTable).focus(scroll_visible=False)

    @property
    def chosen(self) -> tuple[str, str] | None:
        """(store, sku) under the cursor."""
        mover = self.query_one(MoversTable).selected
        return (mover.store, mover.sku) if mover else None

    def show(self, data: Any) -> None:
        """Show the ranking and the chosen SKU."""
        assert isinstance(data, MoversView)
        self.show_frame(at=data.at, live=data.live, tz_name=data.tz_name, health=data.health)
        table = self.query_one(MoversTable)
        table.show(data.movers)
        selected = table.selected
        chosen = data.chosen if data.chosen is not None else selected
        self.query_one(SkuDetail).show(chosen)
        if data.chart is not None:
            self.query_one("#sku-chart", HourlyChart).show(data.chart)
        if selected is not None and (data.chosen is None or data.chosen.sku != selected.sku):
            self.dashboard.refresh_data()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A new SKU under the cursor: show it, then load its chart."""
        table = self.query_one(MoversTable)
        self.query_one(SkuDetail).show(table.selected)
        self.dashboard.refresh_data()

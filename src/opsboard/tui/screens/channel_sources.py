"""Each channel opened into its traffic sources, as a screen (key ``t`` on the overview)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from opsboard.formatting import MISSING, compact, money, percent
from opsboard.glossary import channel_label
from opsboard.i18n import N_, _
from opsboard.tui.dashboard import dashboard_of
from opsboard.tui.language import localize_bindings
from opsboard.views.channel_sources import ChannelSources


class ChannelSourcesScreen(Screen[None]):
    """Visitors, conversion and GMV of each channel and, below it, of each of its sources."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "app.pop_screen", N_("Close")),
    ]

    def __init__(self, title: str, build: Callable[[], ChannelSources]) -> None:
        super().__init__()
        localize_bindings(self)
        self.sources_title = title
        self.build = build

    def compose(self) -> ComposeResult:
        """A note on the day shown, then the table."""
        with Vertical(id="sources-box", classes="panel") as box:
            box.border_title = self.sources_title
            box.border_subtitle = _("esc to close")
            yield Static(_("Reading the traffic sources…"), id="sources-day")
            yield DataTable[Text](id="sources-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Columns now, rows from a worker thread."""
        table = self.query_one(DataTable)
        table.add_column(_("Channel / source"), key="name")
        table.add_column(Text(_("UV"), justify="right"), key="uv")
        table.add_column(Text(_("Share"), justify="right"), key="share")
        table.add_column(Text(_("Conv"), justify="right"), key="conv")
        table.add_column(Text(_("GMV"), justify="right"), key="gmv")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="channel-sources")
    def load(self) -> None:
        """Read the sources off the UI thread; a problem is shown in their place."""
        try:
            found: ChannelSources | str = self.build()
        except Exception as exc:  # shown on screen, the dashboard carries on
            found = _("The traffic sources could not be read: {error}").format(error=exc)
        self.app.call_from_thread(self.show, found)

    def show(self, found: ChannelSources | str) -> None:
        """Fill the table (or say why it is empty)."""
        note = self.query_one("#sources-day", Static)
        if isinstance(found, str):
            note.update(Text(found))
            return
        if not found.rows:
            note.update(
                Text(
                    _(
                        "No traffic sources yet. Load a 生意参谋 流量来源 export (流量 → 店铺来源) "
                        "to see each channel's sources: opsboard ingest FILE --store NAME, or "
                        "drop it into the store's drop folder"
                    )
                )
            )
            return
        note.update(Text(_("Latest day with traffic sources: {day}").format(day=found.day_label)))
        table = self.query_one(DataTable)
        table.clear()
        platform = dashboard_of(self.app).view_platform()
        for row in found.rows:
            name = (
                Text(channel_label(row.channel, platform=platform), style="bold")
                if not row.source
                else Text(f"  {row.source}")
            )
            table.add_row(
                name,
                Text(compact(row.uv) if row.uv is not None else MISSING, justify="right"),
                Text(percent(row.share, 0), justify="right", style="" if row.source else "bold"),
                Text(percent(row.conversion_rate, 2), justify="right"),
                Text(
                    money(row.gmv, found.currency) if found.currency else MISSING, justify="right"
                ),
            )

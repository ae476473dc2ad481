"""Files and sources: every file loaded or refused, each source's health, where files go;
and the first-run screen, shown when there is no config yet."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from opsboard.formatting import age, cells
from opsboard.i18n import N_, _
from opsboard.paths import default_config_path
from opsboard.runtime import Runtime
from opsboard.timeutil import zone
from opsboard.tui.language import localize_bindings
from opsboard.tui.palette import palette
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.views.sources import SourcesView, drop_folders, start_help, state_word

#: File names longer than this lose their middle, so that store, dates and points fit.
FILE_NAME_WIDTH = 28


def _shortened(name: str, width: int) -> str:
    """``name`` cut in the middle to ``width`` terminal cells (its start and extension stay;
    a CJK character takes two cells)."""
    if cells(name) <= width:
        return name
    head_room = (width - 1) * 2 // 3
    head = _fitting(name, head_room)
    tail = _fitting(name[::-1], width - 1 - cells(head))[::-1]
    return f"{head}…{tail}"


def _fitting(text: str, room: int) -> str:
    """The longest start of ``text`` within ``room`` cells."""
    taken = ""
    for char in text:
        if cells(taken + char) > room:
            break
        taken += char
    return taken


class SourcesScreen(DashboardScreen):
    """Each file loaded or refused (newest first) and each source's health."""

    kind = "sources"
    view_name = N_("Files and sources")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('overview')", N_("Overview")),
    ]

    def compose(self) -> ComposeResult:
        """Help on top, then the sources, then the files."""
        yield TitleBar(id="title")
        with VerticalScroll(id="body"):
            with Vertical(id="start-panel", classes="panel") as panel:
                panel.border_title = _("Getting data in")
                yield Static("", id="start-help")
            with Vertical(id="sources-panel", classes="panel") as panel:
                panel.border_title = _("Sources")
                yield DataTable(id="sources", cursor_type="row", zebra_stripes=False)
            with Vertical(id="files-panel", classes="panel") as panel:
                panel.border_title = _("Files, newest first")
                yield DataTable(id="files", cursor_type="row")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Set the columns; the files take the keyboard."""
        sources = self.query_one("#sources", DataTable)
        sources.add_columns(
            _("source"), _("type"), _("store"), _("state"), _("since"), _("last load"), _("reason")
        )
        files = self.query_one("#files", DataTable)
        files.add_columns(
            _("when"), _("file"), "", _("store"), _("dates"), _("points"), _("format"), _("reason")
        )
        files.focus(scroll_visible=False)

    def show(self, data: Any) -> None:
        """Show the help, the sources and the files."""
        assert isinstance(data, SourcesView)
        self.show_frame(at=data.at, live=True, tz_name=data.tz_name, health=data.health)
        help_lines = start_help(data.config_path, data.has_config, list(data.drop_folders))
        self.query_one("#start-help", Static).update("\n".join(help_lines))
        colours = palette(self.app)
        tz = zone(data.tz_name)
        now = self.dashboard.now()
        sources = self.query_one("#sources", DataTable)
        sources.clear()
        for row in data.sources:
            style = colours.good if row.state == "ok" else colours.warning
            if row.state in ("failing", "down"):
                style = colours.bad
            sources.add_row(
                row.name,
                row.kind,
                row.store or "-",
                Text(state_word(row.state), style=style),
                age((now - row.since).total_seconds()) if row.since else "-",
                f"{row.last_load.astimezone(tz):%m-%d %H:%M}" if row.last_load else "-",
                row.reason,
            )
        files = self.query_one("#files", DataTable)
        files.clear()
        for file in data.files:
            when = file.when.astimezone(tz)
            files.add_row(
                f"{when:%m-%d %H:%M}",
                _shortened(file.name, FILE_NAME_WIDTH),
                Text(_("loaded"), style=colours.good)
                if file.loaded
                else Text(_("refused"), style=colours.bold(colours.bad)),
                file.store or "-",
                file.short_dates or "-",
                f"{file.points:,}" if file.loaded else "-",
                file.format or "-",
                (file.reason.splitlines() or [""])[0],
            )
        panel = self.query_one("#files-panel")
        panel.border_subtitle = (
            _("times in {zone}; refused files go to the folder's failed/").format(zone=data.tz_name)
            if data.files
            else _("no file loaded or refused yet")
        )


class FirstRunScreen(ModalScreen[None]):
    """Shown once at start when there is no config: where it goes and how to make one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "app.pop_screen", N_("Close")),
        Binding("f", "files", N_("Files")),
    ]

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        localize_bindings(self)
        self.runtime = runtime

    def compose(self) -> ComposeResult:
        """The start help, and the database in use."""
        lines = start_help(str(default_config_path()), False, drop_folders(self.runtime.settings))
        lines += [
            "",
            _("Data goes into {path}").format(path=self.runtime.db_path),
            "",
            _("esc: close  f: files"),
        ]
        with VerticalScroll(id="first-run-box") as box:
            box.border_title = _("Welcome to opsboard")
            yield Static("\n".join(lines), id="first-run")

    def action_files(self) -> None:
        """Close, and show the Files and sources screen."""
        self.app.pop_screen()
        self.app.switch_mode("sources")

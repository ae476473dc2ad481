"""The morning review of yesterday, as a screen: the same report as `opsboard review`."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from opsboard.i18n import N_, _
from opsboard.tui.dashboard import dashboard_of
from opsboard.tui.language import localize_bindings
from opsboard.tui.widgets.status_bar import StatusBar


class ReviewScreen(Screen[None]):
    """Yesterday's diagnosis for the store in view, built off the UI thread."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,v", "app.pop_screen", N_("Close review")),
    ]

    def __init__(self, title: str, build: Callable[[], str]) -> None:
        super().__init__()
        localize_bindings(self)
        self.review_title = title
        self.build = build

    def compose(self) -> ComposeResult:
        """A scrolling Markdown report."""
        with VerticalScroll(id="review-box") as box:
            box.border_title = self.review_title
            box.border_subtitle = _("esc to close")
            yield Markdown("*" + _("Building the review…") + "*", id="review")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Build the review in a worker thread; say who collects, as every screen does."""
        dashboard_of(self.app).refresh_status()
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        """Build and render the review; a problem is shown in its place."""
        try:
            text = self.build()
        except Exception as exc:  # shown on screen, the dashboard carries on
            failed = _("The review could not be built:")
            text = f"**{failed}** {exc}"
        self.app.call_from_thread(self.query_one("#review", Markdown).update, text)

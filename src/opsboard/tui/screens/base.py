"""What the dashboard's data screens share: a title bar, a status bar, a footer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual.screen import Screen

from opsboard.i18n import _
from opsboard.tui.dashboard import Dashboard, dashboard_of
from opsboard.tui.language import localize_bindings
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.views.alerts import HealthRow


class DashboardScreen(Screen[None]):
    """A screen the refresh loop feeds: it names the data it needs (``kind``) and shows it."""

    kind: ClassVar[str] = ""
    view_name: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def dashboard(self) -> Dashboard:
        """The app, typed."""
        return dashboard_of(self.app)

    def show(self, data: Any) -> None:
        """Show freshly loaded data (called on the app's thread)."""
        raise NotImplementedError

    def show_frame(
        self, *, at: datetime, live: bool, tz_name: str, health: tuple[HealthRow, ...]
    ) -> None:
        """Update the title and status bars."""
        app = self.dashboard
        self.query_one(TitleBar).show(
            view=_(self.view_name), store=app.store_name, at=at, tz_name=tz_name, live=live
        )
        self._health = health
        self._tz_name = tz_name
        self.refresh_status()

    def move_clock(self, at: datetime) -> None:
        """Move the title bar's clock to ``at`` between loads (a new minute, no new data)."""
        self.query_one(TitleBar).move_to(at)

    def refresh_status(self) -> None:
        """Redraw the status bar with the app's newest collector status."""
        self.draw_status(self.query_one(StatusBar))

    def draw_status(self, bar: StatusBar) -> None:
        """Draw this screen's status on ``bar`` (its own, or that of a screen above it)."""
        app = self.dashboard
        tz_name = getattr(self, "_tz_name", None)
        if tz_name is None:
            return  # nothing loaded yet: the first load draws it
        bar.show(
            health=self._health,
            refreshed=app.last_refresh,
            collecting=app.collecting,
            now=app.now(),
            tz_name=tz_name,
            note=_("no config yet: f shows how to start") if app.first_run else "",
        )

    def on_screen_resume(self) -> None:
        """Coming back into view: load fresh data at once (hidden screens do not refresh)."""
        self.dashboard.refresh_data()

"""What the dashboard's data screens share: a title bar, a status bar, a footer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual.screen import Screen

from opsboard.tui.dashboard import Dashboard, dashboard_of
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.views.alerts import HealthRow


class DashboardScreen(Screen[None]):
    """A screen the refresh loop feeds: it names the data it needs (``kind``) and shows it."""

    kind: ClassVar[str] = ""
    view_name: ClassVar[str] = ""

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
            view=self.view_name, store=app.store_name, at=at, tz_name=tz_name, live=live
        )
        self.query_one(StatusBar).show(
            health=health,
            refreshed=app.last_refresh,
            role=app.role,
            now=app.now(),
            tz_name=tz_name,
        )

    def on_screen_resume(self) -> None:
        """Coming back into view: load fresh data at once (hidden screens do not refresh)."""
        self.dashboard.refresh_data()

"""What the screens and the command palette ask of the dashboard app.

Screens and palette commands reach the app that holds them through this protocol, so that
they need not import ``opsboard.tui.app`` (which imports them).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, Protocol, cast, runtime_checkable

from textual.app import App

from opsboard.views.alerts import AlertRow
from opsboard.views.collecting import CollectorStatus


@runtime_checkable
class Dashboard(Protocol):
    """The dashboard app's state and actions that its screens and commands use."""

    store_name: str | None
    store_names: list[str]
    unicode: bool
    role: str
    collecting: CollectorStatus
    first_run: bool
    last_refresh: datetime | None
    visible_alerts: tuple[AlertRow, ...]

    def now(self) -> datetime:
        """The current instant (the app's clock)."""

    def refresh_data(self) -> None:
        """Load the shown screen's data again now."""

    def view_platform(self) -> str:
        """The platform whose channel words the view in sight takes."""

    def refresh_status(self) -> None:
        """Redraw the status bar of the screen in view."""

    def set_store(self, name: str | None) -> None:
        """Show one store, or every store with ``None``."""

    def action_live(self) -> None:
        """Back to live data."""

    def replay_day(self, days_back: int) -> None:
        """Replay the close of a day ``days_back`` days ago."""

    def action_step(self, hours: int) -> None:
        """Step the replay by ``hours``."""

    def action_review(self) -> None:
        """Open yesterday's morning review."""

    def open_channel_sources(self) -> None:
        """Open each channel into its traffic sources."""

    def action_save_screenshot(self) -> None:
        """Save a screenshot."""

    def set_chart_metric(self, metric: str) -> None:
        """Chart ``metric``."""

    def ack_selected(self) -> None:
        """Acknowledge the selected alert."""

    def silence_selected(self) -> None:
        """Silence the selected alert's rule."""

    def jump_to_alert(self, alert_id: int) -> None:
        """Select the alert ``alert_id`` on the overview."""

    def open_alert(self, alert: AlertRow) -> None:
        """Show ``alert``'s whole story."""

    def ask_ack(self, alert: AlertRow) -> None:
        """Ask for a note and acknowledge ``alert``."""

    def ask_ack_all(self, alerts: tuple[AlertRow, ...]) -> None:
        """Ask for one note and acknowledge each of ``alerts``."""

    def ask_silence_all(self, alerts: tuple[AlertRow, ...]) -> None:
        """Ask for how long and silence the rule on each of ``alerts``' scopes."""

    def ask_silence(self, alert: AlertRow) -> None:
        """Ask for how long and silence ``alert``'s rule."""

    def switch_mode(self, mode: str) -> Awaitable[None]:
        """Show another view (Textual's modes)."""


def dashboard_of(app: App[Any]) -> Dashboard:
    """``app`` as the dashboard (every screen and command runs inside one)."""
    assert isinstance(app, Dashboard), f"{type(app).__name__} is not the dashboard"
    return cast(Dashboard, app)

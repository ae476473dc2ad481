"""The dashboard's alert actions: the story of an alert, acknowledging and silencing one
alert or a group's members, each written off the UI thread."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual import work

from opsboard.errors import OpsboardError
from opsboard.i18n import _
from opsboard.timeutil import zone
from opsboard.tui.collecting import CollectingApp
from opsboard.tui.screens.alert_story import AlertStoryScreen
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.screens.overview import OverviewScreen
from opsboard.tui.screens.prompt import AckPrompt, SilencePrompt
from opsboard.views.alerts import AlertRow, message_after_rule


class AlertingApp(CollectingApp):
    """Acts on the alerts the overview lists; the app provides the view's clock."""

    #: The replayed instant, or None when live.
    at: datetime | None
    blink: bool

    def now(self) -> datetime:
        """The current instant (the app's clock)."""
        raise NotImplementedError

    def refresh_data(self) -> None:
        """Reload what the current screen shows."""
        raise NotImplementedError

    def _data_screen(self) -> DashboardScreen | None:
        raise NotImplementedError

    def _selected_alert(self) -> AlertRow | None:
        from opsboard.tui.widgets.alerts_table import AlertsTable

        screen = self._data_screen()
        if not isinstance(screen, OverviewScreen):
            return None
        return screen.query_one(AlertsTable).selected

    def ack_selected(self) -> None:
        """Acknowledge the alert under the cursor."""
        alert = self._selected_alert()
        if alert is not None:
            self.ask_ack(alert)

    def silence_selected(self) -> None:
        """Silence the alert under the cursor."""
        alert = self._selected_alert()
        if alert is not None:
            self.ask_silence(alert)

    def jump_to_alert(self, alert_id: int) -> None:
        """Show the Overview with the cursor on alert ``alert_id``."""
        from opsboard.tui.widgets.alerts_table import AlertsTable

        self.switch_mode("overview")
        table = self.screen.query_one(AlertsTable)
        if table.select_alert(alert_id):
            table.focus()

    def open_alert(self, alert: AlertRow) -> None:
        """Show the alert's whole story; from there ``a`` and ``x`` act on it."""

        def done(then: str | None) -> None:
            if then == "ack":
                self.ask_ack(alert)
            elif then == "silence":
                self.ask_silence(alert)

        at = self.at or self.now()
        tz_name = self.source.tz_name(alert.store or None)
        story = AlertStoryScreen(alert, lambda: self.source.alert_story(alert, at), tz_name)
        self.push_screen(story, done)

    def ask_ack(self, alert: AlertRow) -> None:
        """Ask for a note, then record the acknowledgement."""
        what = _("{rule} on {scope}: {message}").format(
            rule=alert.rule,
            scope=alert.scope_label,
            message=message_after_rule(alert.rule, alert.message),
        )
        self._ask_ack((alert,), what)

    def ask_ack_all(self, alerts: tuple[AlertRow, ...]) -> None:
        """Ask for one note, then acknowledge every one of ``alerts`` (a group's members)."""
        what = _("All {count} alerts of {rule} in this group").format(
            count=len(alerts), rule=alerts[0].rule
        )
        self._ask_ack(alerts, what)

    def _ask_ack(self, alerts: tuple[AlertRow, ...], what: str) -> None:
        def done(note: str | None) -> None:
            if note is not None:
                self._write_ack(alerts, note)

        self.push_screen(AckPrompt(what, blink=self.blink), done)

    def ask_silence(self, alert: AlertRow) -> None:
        """Ask for a duration, then silence the alert's rule on its scope."""
        what = _("Silence {rule} on {scope} for:").format(rule=alert.rule, scope=alert.scope_label)
        self._ask_silence((alert,), what)

    def ask_silence_all(self, alerts: tuple[AlertRow, ...]) -> None:
        """Ask for a duration, then silence the rule on each of ``alerts``' scopes."""
        what = _("Silence {rule} on all {count} scopes of this group for:").format(
            rule=alerts[0].rule, count=len(alerts)
        )
        self._ask_silence(alerts, what)

    def _ask_silence(self, alerts: tuple[AlertRow, ...], what: str) -> None:
        def done(duration: timedelta | None) -> None:
            if duration is not None:
                self._write_silence(alerts, duration)

        self.push_screen(SilencePrompt(what, blink=self.blink), done)

    @staticmethod
    def _told(alerts: tuple[AlertRow, ...]) -> str:
        if len(alerts) == 1:
            return alerts[0].rule
        return _("{rule} ({count} alerts)").format(rule=alerts[0].rule, count=len(alerts))

    @work(thread=True, group="write", exit_on_error=False)
    def _write_ack(self, alerts: tuple[AlertRow, ...], note: str) -> None:
        try:
            for alert in alerts:
                self.source.acknowledge(alert.id, note, self.now())
        except OpsboardError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        told = _("acknowledged {what}").format(what=self._told(alerts))
        self.call_from_thread(self.notify, told)
        self.call_from_thread(self.refresh_data)

    @work(thread=True, group="write", exit_on_error=False)
    def _write_silence(self, alerts: tuple[AlertRow, ...], duration: timedelta) -> None:
        try:
            for alert in alerts:
                until = self.source.silence(alert, duration, self.now())
        except OpsboardError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        local = until.astimezone(zone(self.source.tz_name(alerts[0].store or None)))
        told = _("silenced {what} until {time}").format(
            what=self._told(alerts), time=f"{local:%H:%M %Z}"
        )
        self.call_from_thread(self.notify, told)
        self.call_from_thread(self.refresh_data)

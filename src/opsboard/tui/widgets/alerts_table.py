"""Firing and recent alerts with severity, scope, value, threshold, age and who acknowledged."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from opsboard.tui.data import AlertRow
from opsboard.tui.format import age
from opsboard.tui.widgets.fitted_table import FittedTable

_SEVERITY = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
_STATE_MARK = {"firing": ("!", "bold"), "pending": ("?", ""), "resolved": ("v", "dim")}


def _number(value: float | None, shown: str = "") -> str:
    if shown:
        return shown
    if value is None:
        return "-"
    if abs(value) < 10 and not float(value).is_integer():
        return f"{value:.2f}"
    return f"{value:,.0f}"


class AlertsTable(FittedTable):
    """One row per alert; the cursor row is the one ``a`` acknowledges and ``x`` silences."""

    FLEXIBLE = (2, 3, 6)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[tuple[AlertRow, ...], datetime, str | None] | None = None
        self.alerts: tuple[AlertRow, ...] = ()

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column("Severity", key="severity")
        self.add_column("Age", key="age")
        self.add_column("Rule", key="rule")
        self.add_column("Scope", key="scope")
        self.add_column(Text("Value", justify="right"), key="value")
        self.add_column(Text("Limit", justify="right"), key="threshold")
        self.add_column("Ack", key="ack")

    @property
    def selected(self) -> AlertRow | None:
        """The alert under the cursor."""
        if not self.alerts or not 0 <= self.cursor_row < len(self.alerts):
            return None
        return self.alerts[self.cursor_row]

    def show(self, alerts: tuple[AlertRow, ...], now: datetime, store: str | None = None) -> None:
        """Show ``alerts``, keeping the cursor on the same alert; unchanged means no redraw.

        With one ``store`` in view its name is left out of the scope column.
        """
        key = (alerts, now.replace(second=0, microsecond=0), store)
        if key == self._shown:
            return
        self._shown = key
        chosen = self.selected.id if self.selected else None
        self.alerts = alerts
        rows: list[tuple[list[Text], str | None]] = []
        for alert in alerts:
            ack = Text("")
            if alert.silenced_until is not None:
                ack.append(f"silenced {age((alert.silenced_until - now).total_seconds())}", "dim")
            elif alert.acked_by:
                ack.append(f"{alert.acked_by}", "green")
                if alert.ack_note:
                    ack.append(f": {alert.ack_note}", "dim")
            mark, mark_style = _STATE_MARK.get(alert.state, ("?", ""))
            severity = Text(f"{mark} ", style=mark_style)
            severity.append(alert.severity.upper()[:4], style=_SEVERITY.get(alert.severity, ""))
            severity.append(f" {alert.state}", style=mark_style or "bold")
            scope = alert.scope or "store" if store and alert.store == store else alert.scope_label
            rows.append(
                (
                    [
                        severity,
                        Text(age((now - alert.since).total_seconds()) if alert.since else "-"),
                        Text(alert.rule),
                        Text(scope),
                        Text(_number(alert.value, alert.shown_value), justify="right"),
                        Text(_number(alert.threshold, alert.shown_threshold), justify="right"),
                        ack,
                    ],
                    str(alert.id),
                )
            )
        if not alerts:
            rows.append(([Text("no alerts", style="dim"), *[Text("")] * 6], None))
        self.set_rows(rows)
        if chosen is not None:
            for index, alert in enumerate(alerts):
                if alert.id == chosen:
                    self.move_cursor(row=index, animate=False)

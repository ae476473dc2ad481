"""Firing and recent alerts with severity, scope, value, threshold, age and who acknowledged."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import PurePath

from rich.text import Text
from textual import events
from textual.message import Message

from opsboard.formatting import MISSING, age, bare, with_name
from opsboard.text import inert
from opsboard.tui.palette import Palette, palette
from opsboard.tui.widgets.fitted_table import FittedTable, NamedText
from opsboard.views.alerts import AlertRow

_STATE_MARK = {
    "firing": ("!", "bold"),
    "pending": ("?", ""),
    "strategic": ("SL", "dim"),
    "resolved": ("v", "dim"),
}
#: Below this many cells the table drops the words it can do without (the state word, the
#: scope's kind, the note of an acknowledgement), so that the SKU or plan stays readable.
NARROW = 100


def short_scope(scope: str) -> str:
    """The scope without its kind: ``sku:1002`` -> ``1002``; a file by its name only."""
    kind, _, what = scope.partition(":")
    if not what:
        return scope
    if kind == "file":
        return PurePath(what).name
    return what


def scope_text(alert: AlertRow, store: str | None, narrow: bool) -> str:
    """The scope column, with the campaign's or SKU's name after its id (the name is what
    the column's clipping shortens): the store is left out when one store is in view."""
    scope = with_name(short_scope(alert.scope) if narrow else alert.scope, alert.name)
    if store and alert.store == store:
        return scope or "store"
    return " / ".join(part for part in (inert(alert.store), scope) if part) or "all"


class AlertsTable(FittedTable):
    """One row per alert; the cursor row is the one ``a`` acknowledges and ``x`` silences."""

    FLEXIBLE = (2, 3, 6)

    class Narrowed(Message):
        """The table crossed the narrow breakpoint: its state words became marks or back."""

        def __init__(self, narrow: bool) -> None:
            super().__init__()
            self.narrow = narrow

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[tuple[AlertRow, ...], datetime, str | None, bool] | None = None
        self._now: datetime | None = None
        self._store: str | None = None
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

    @property
    def narrow(self) -> bool:
        """True when the table is too narrow for every word."""
        width = self.scrollable_content_region.width or self.size.width
        return 0 < width < NARROW

    def show(self, alerts: tuple[AlertRow, ...], now: datetime, store: str | None = None) -> None:
        """Show ``alerts``, keeping the cursor on the same alert; unchanged means no redraw.

        With one ``store`` in view its name is left out of the scope column.
        """
        narrow = self.narrow
        key = (alerts, now.replace(second=0, microsecond=0), store, narrow)
        if key == self._shown:
            return
        if self._shown is None or self._shown[3] != narrow:
            self.post_message(self.Narrowed(narrow))
        self._shown = key
        self._now, self._store = now, store
        chosen = self.selected.id if self.selected else None
        self.alerts = alerts
        colours = palette(self.app)
        rows: list[tuple[list[Text], str | None]] = [
            (self._cells(alert, now, store, narrow, colours), str(alert.id)) for alert in alerts
        ]
        if not alerts:
            rows.append(([Text("no alerts", style="dim"), *[Text("")] * 6], None))
        self.set_rows(rows)
        if chosen is not None:
            for index, alert in enumerate(alerts):
                if alert.id == chosen:
                    self.move_cursor(row=index, animate=False)

    @staticmethod
    def _cells(
        alert: AlertRow, now: datetime, store: str | None, narrow: bool, colours: Palette
    ) -> list[Text]:
        ack = Text("")
        if alert.quiet_reason:
            # Muted by a promotion window or held while its source fails: not being told.
            kind = alert.quiet_reason.partition(":")[0]
            ack.append(kind if narrow else alert.quiet_reason, "dim")
        elif alert.silenced_until is not None:
            until = age((alert.silenced_until - now).total_seconds())
            ack.append(f"muted {until}" if narrow else f"silenced {until}", "dim")
        elif alert.acked_by:
            ack.append(f"{alert.acked_by}", colours.good)
            if alert.ack_note and not narrow:
                ack.append(f": {alert.ack_note}", "dim")
        mark, mark_style = _STATE_MARK.get(alert.state, ("?", ""))
        severity = Text(f"{mark} ", style=mark_style)
        severity_style = {
            "critical": colours.bold(colours.bad),
            "warning": colours.warning,
            "info": colours.info,
        }
        severity.append(alert.severity.upper()[:4], style=severity_style.get(alert.severity, ""))
        if not narrow:
            severity.append(f" {alert.state}", style=mark_style or "bold")
        return [
            severity,
            Text(age((now - alert.since).total_seconds()) if alert.since else MISSING),
            Text(alert.rule),
            NamedText(
                scope_text(alert, store, narrow),
                keep=len(scope_text(replace(alert, name=""), store, narrow)),
            ),
            Text(alert.shown_value or bare(alert.value), justify="right"),
            Text(alert.shown_threshold or bare(alert.threshold), justify="right"),
            ack,
        ]

    def on_resize(self, event: events.Resize) -> None:
        """Across the narrow breakpoint the rows are written again, else only fitted."""
        if self._now is not None and self._shown is not None and self._shown[3] != self.narrow:
            self.show(self.alerts, self._now, self._store)
            return
        super().on_resize(event)

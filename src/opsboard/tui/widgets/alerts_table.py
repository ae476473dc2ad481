"""Firing and recent alerts with severity, scope, value, threshold, age and who acknowledged.

Alerts of one rule in one state, three or more, are one line (``ad-ctr-drop ▸ 11
campaigns``) that Enter opens into its members; Enter on an alert asks for its story.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from opsboard.formatting import MISSING, age, bare
from opsboard.i18n import N_, _
from opsboard.tui.palette import Palette, palette
from opsboard.tui.widgets.fitted_table import FittedTable, NamedText
from opsboard.views.alert_groups import AlertGroup, AlertLine, alert_lines
from opsboard.views.alerts import AlertRow, scope_words

_STATE_MARK = {
    "firing": ("!", "bold"),
    "pending": ("?", ""),
    "strategic": ("SL", "dim"),
    "resolved": ("v", "dim"),
}
#: Severities and states as the table says them.
_SEVERITY_WORDS = {"critical": N_("CRIT"), "warning": N_("WARN"), "info": N_("INFO")}
_STATE_WORDS = {
    "firing": N_("firing"),
    "pending": N_("pending"),
    "strategic": N_("strategic"),
    "resolved": N_("resolved"),
}
#: Below this many cells the table drops the words it can do without (the state word, the
#: note of an acknowledgement), so that the SKU or plan stays readable.
NARROW = 100
_COLUMNS = (
    N_("Severity"),
    N_("Age"),
    N_("Rule"),
    N_("Scope"),
    N_("Value"),
    N_("Limit"),
    N_("Ack"),
)


def scope_text(alert: AlertRow, store: str | None, narrow: bool = False) -> str:
    """The scope column: the part of the scope that tells alerts apart (the plan's or
    SKU's id, a file's name) with the platform's name after it; the store is left out when
    one store is in view. ``narrow`` is kept for callers; the words are the same."""
    return scope_words(alert, store)


def _scope_cell(alert: AlertRow, store: str | None) -> NamedText:
    """The scope, its id never cut: the name goes first, then the store is shortened."""
    bare_scope = scope_text(replace(alert, name=""), store)
    shown_store = bool(alert.store) and not (store and alert.store == store)
    lead = len(alert.store) if shown_store and bare_scope != alert.store else 0
    return NamedText(scope_text(alert, store), keep=len(bare_scope), lead=lead)


class AlertsTable(FittedTable):
    """One line per alert or group of alerts; the cursor line is the one ``a``
    acknowledges and ``x`` silences, and Enter opens (a group's members, an alert's
    story)."""

    FLEXIBLE: tuple[int, ...] = (2, 3, 6)
    SHRINK_FIRST = (2,)

    class Narrowed(Message):
        """The table crossed the narrow breakpoint: its state words became marks or back."""

        def __init__(self, narrow: bool) -> None:
            super().__init__()
            self.narrow = narrow

    class Opened(Message):
        """Enter on an alert: show its story."""

        def __init__(self, alert: AlertRow) -> None:
            super().__init__()
            self.alert = alert

    def __init__(
        self, *, id: str | None = None, unicode: bool = True, opened: set[str] | None = None
    ) -> None:
        super().__init__(id=id)
        self.unicode = unicode
        self._shown: tuple[object, ...] | None = None
        self._now: datetime | None = None
        self._store: str | None = None
        self._with_ack: bool | None = None
        self.alerts: tuple[AlertRow, ...] = ()
        self.lines: list[AlertLine] = []
        #: The keys of the groups the operator opened (kept across refreshes, and across a
        #: new layout when the screen hands over its own set).
        self.opened: set[str] = set() if opened is None else opened

    def on_mount(self) -> None:
        """Columns come with the first data (the Ack column only when one is needed)."""
        self._columns(with_ack=False)

    def _columns(self, *, with_ack: bool) -> None:
        if self._with_ack == with_ack:
            return
        self._with_ack = with_ack
        self.clear(columns=True)
        for label in _COLUMNS if with_ack else _COLUMNS[:-1]:
            number = label in ("Value", "Limit")
            self.add_column(
                Text(_(label), justify="right" if number else "left"), key=label.lower()
            )
        self.FLEXIBLE = (2, 3, 6) if with_ack else (2, 3)

    @property
    def selected_line(self) -> AlertLine | None:
        """The line under the cursor."""
        if not self.lines or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.lines[self.cursor_row]

    @property
    def selected(self) -> AlertRow | None:
        """The alert under the cursor (None on a group's line)."""
        line = self.selected_line
        return None if line is None else line.alert

    @property
    def narrow(self) -> bool:
        """True when the table is too narrow for every word."""
        width = self.scrollable_content_region.width or self.size.width
        return 0 < width < NARROW

    def show(self, alerts: tuple[AlertRow, ...], now: datetime, store: str | None = None) -> None:
        """Show ``alerts``, keeping the cursor on the same line; unchanged means no redraw.

        With one ``store`` in view its name is left out of the scope column.
        """
        narrow = self.narrow
        key = (alerts, now.replace(second=0, microsecond=0), store, narrow, frozenset(self.opened))
        if key == self._shown:
            return
        if self._shown is None or self._shown[3] != narrow:
            self.post_message(self.Narrowed(narrow))
        self._shown = key
        self._now, self._store = now, store
        chosen = self.selected_line.key if self.selected_line else None
        self.alerts = alerts
        self.lines = alert_lines(alerts, frozenset(self.opened))
        colours = palette(self.app)
        cells = [self._cells(line, now, store, narrow, colours) for line in self.lines]
        with_ack = any(row[-1].plain for row in cells)
        self._columns(with_ack=with_ack)
        rows: list[tuple[list[Text], str | None]] = [
            (row if with_ack else row[:-1], line.key)
            for row, line in zip(cells, self.lines, strict=True)
        ]
        if not alerts:
            rows.append(([Text(_("no alerts"), style="dim"), *[Text("")] * 5], None))
        self.set_rows(rows)
        if chosen is not None:
            for index, line in enumerate(self.lines):
                if line.key == chosen:
                    self.move_cursor(row=index, animate=False)

    def _cells(
        self, line: AlertLine, now: datetime, store: str | None, narrow: bool, colours: Palette
    ) -> list[Text]:
        if line.group is not None:
            return self._group_cells(line.group, line.open, now, store, narrow, colours)
        assert line.alert is not None
        alert = line.alert
        rule = Text(" └" if self.unicode else " `-", style="dim") if line.member else None
        file = alert.scope.startswith("file:")
        return [
            self._severity(alert.state, alert.severity, narrow, colours),
            Text(age((now - alert.since).total_seconds()) if alert.since else MISSING),
            rule or Text(alert.rule),
            _scope_cell(alert, store),
            # A refused file has no figure: its rule already says it was rejected, and
            # the room is its name's.
            Text("" if file else alert.shown_value or bare(alert.value), justify="right"),
            Text("" if file else alert.shown_threshold or bare(alert.threshold), justify="right"),
            self._ack(alert, now, narrow, colours),
        ]

    def _group_cells(
        self,
        group: AlertGroup,
        is_open: bool,
        now: datetime,
        store: str | None,
        narrow: bool,
        colours: Palette,
    ) -> list[Text]:
        signs = ("▾", "▸") if self.unicode else ("-", "+")
        sign = signs[0] if is_open else signs[1]
        acked = sum(1 for m in group.members if m.acked_by)
        return [
            self._severity(group.state, group.severity, narrow, colours),
            Text(age((now - group.since).total_seconds()) if group.since else MISSING),
            Text(group.rule, style="bold"),
            # "▸ 11 campaigns" stays whole; the count of stores after it gives way.
            NamedText(
                f"{sign} {group.words(store)}",
                keep=len(f"{sign} {group.words(store).partition(' · ')[0]}"),
                style="bold",
            ),
            Text(""),
            Text(group.threshold, justify="right"),
            Text(_("{acked} acked").format(acked=acked), style=colours.good) if acked else Text(""),
        ]

    @staticmethod
    def _severity(state: str, severity: str, narrow: bool, colours: Palette) -> Text:
        mark, mark_style = _STATE_MARK.get(state, ("?", ""))
        cell = Text(f"{mark} ", style=mark_style)
        severity_style = {
            "critical": colours.bold(colours.bad),
            "warning": colours.warning,
            "info": colours.info,
        }
        cell.append(
            _(_SEVERITY_WORDS.get(severity, severity.upper()[:4])),
            style=severity_style.get(severity, ""),
        )
        if not narrow:
            cell.append(" " + _(_STATE_WORDS.get(state, state)), style=mark_style or "bold")
        return cell

    @staticmethod
    def _ack(alert: AlertRow, now: datetime, narrow: bool, colours: Palette) -> Text:
        ack = Text("")
        if alert.quiet_reason:
            # Muted by a promotion window or held while its source fails: not being told.
            kind = alert.quiet_reason.partition(":")[0]
            ack.append(kind if narrow else alert.quiet_reason, "dim")
        elif alert.silenced_until is not None:
            until = age((alert.silenced_until - now).total_seconds())
            muted = _("muted {time}") if narrow else _("silenced {time}")
            ack.append(muted.format(time=until), "dim")
        elif alert.acked_by:
            # Who, never cut; the note is what gives way to the scope.
            ack = NamedText("", keep=len(alert.acked_by))
            ack.append(f"{alert.acked_by}", colours.good)
            if alert.ack_note and not narrow:
                ack.append(f" · {alert.ack_note}", "dim")
        return ack

    def toggle_group(self) -> bool:
        """Open or close the group under the cursor; False when the cursor is on an alert."""
        line = self.selected_line
        if line is None or line.group is None or self._now is None:
            return False
        self.opened.symmetric_difference_update({line.group.key})
        self.show(self.alerts, self._now, self._store)
        return True

    def select_alert(self, alert_id: int) -> bool:
        """Put the cursor on alert ``alert_id``, opening its group if it is in one."""
        for line in self.lines:
            group = line.group
            if group is not None and not line.open and any(m.id == alert_id for m in group.members):
                self.opened.add(group.key)
                if self._now is not None:
                    self.show(self.alerts, self._now, self._store)
                break
        for index, line in enumerate(self.lines):
            if line.alert is not None and line.alert.id == alert_id:
                self.move_cursor(row=index, animate=False)
                return True
        return False

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: a group opens or closes; an alert asks for its story."""
        event.stop()
        if self.toggle_group():
            return
        alert = self.selected
        if alert is not None:
            self.post_message(self.Opened(alert))

    def on_resize(self, event: events.Resize) -> None:
        """Across the narrow breakpoint the rows are written again, else only fitted."""
        if self._now is not None and self._shown is not None and self._shown[3] != self.narrow:
            self.show(self.alerts, self._now, self._store)
            return
        super().on_resize(event)

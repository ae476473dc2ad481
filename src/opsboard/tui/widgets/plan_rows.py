"""The Plans screen's rows: each target with a progress bar, time, days left and what each
remaining day needs; one line per target when wide, two when narrow (80 columns)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import bar, cells, pad, shorten
from opsboard.i18n import _
from opsboard.tui.palette import palette
from opsboard.views.plans import PlanRow, share_text

#: From this many cells of room the rows sit in one line each, in columns.
ONE_LINE = 110
#: The progress bar's cells: one line, two lines.
BAR_WIDE, BAR_NARROW = 10, 10
#: The most cells a target's name takes in columns.
NAME_WIDTH = 24


class PlanRows(Static):
    """Each target's share done (the bar: what is used for a budget), its share of time,
    days left and what each remaining day needs."""

    DEFAULT_CSS = "PlanRows { height: auto; }"

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.unicode = unicode
        self._shown: tuple[tuple[PlanRow, ...], bool] | None = None

    def show(self, rows: tuple[PlanRow, ...], *, several: bool) -> None:
        """Show ``rows`` (``several``: of more than one store, each row names its store);
        nothing is redrawn when they did not change."""
        if (rows, several) == self._shown:
            return
        self._shown = (rows, several)
        self._draw()

    def on_resize(self) -> None:
        """Wider or narrower: one line or two per target."""
        if self._shown:
            self._draw()

    def _styles(self) -> dict[str, Style | str]:
        colours = palette(self.app)
        return {
            "ahead": colours.good,
            "met": colours.good,
            "on track": "",
            "upcoming": "",
            "behind": colours.warning,
            "missed": colours.bad,
        }

    def _draw(self) -> None:
        rows, several = self._shown or ((), False)
        room = self.content_size.width or self.app.size.width - 4
        names = [(f"{row.store} " if several else "") + row.name for row in rows]
        columns = self._columns(rows, names) if room >= ONE_LINE else None
        # Columns only where every line fits (Chinese headers and periods are wider).
        if columns is not None and max(cells(line) for line in columns.plain.split("\n")) <= room:
            self.update(columns)
        else:
            self.update(self._two_lines(rows, names, room))

    def _columns(self, rows: tuple[PlanRow, ...], names: list[str]) -> Text:
        styles = self._styles()
        figures = [f"{r.actual} / {r.goal}" if r.actual else r.goal for r in rows]
        # A ratio needs nothing per day: its column shows where the last days went.
        needed = [r.trend if r.ratio else r.needed for r in rows]
        done = [share_text(r.done_share) if r.actual and not r.ratio else "" for r in rows]
        columns: list[tuple[str, list[str], bool]] = [
            (_("Target"), names, False),
            (_("Period"), [r.period for r in rows], False),
            ("", [""] * len(rows), False),  # the bar
            (_("Done"), done, True),
            (_("Actual / goal"), figures, True),
            (_("Time"), [share_text(r.time_share) for r in rows], True),
            (_("Days left"), [str(r.days_left) for r in rows], True),
            (_("Needed/day, trend"), needed, True),
        ]
        widths = [max([cells(head), *(cells(c) for c in cells_)]) for head, cells_, _r in columns]
        widths[0] = min(widths[0], NAME_WIDTH)
        widths[2] = BAR_WIDE
        text = Text(no_wrap=True, overflow="ellipsis")
        heads = [
            pad(shorten(h, w), w, right=r) for (h, _c, r), w in zip(columns, widths, strict=True)
        ]
        text.append(" ".join(heads) + "  " + _("Status"), style="bold")
        for index, row in enumerate(rows):
            text.append("\n")
            for column, ((_h, values, right), width) in enumerate(
                zip(columns, widths, strict=True)
            ):
                if column:
                    text.append(" ")
                if column == 2:
                    text.append(self._bar(row, width), style=styles[row.status])
                else:
                    text.append(pad(shorten(values[index], width), width, right=right))
            text.append("  ")
            text.append(row.status_text, style=styles[row.status])
        return text

    def _two_lines(self, rows: tuple[PlanRow, ...], names: list[str], room: int) -> Text:
        styles = self._styles()
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (row, name) in enumerate(zip(rows, names, strict=True)):
            if index:
                text.append("\n")
            status = row.status_text
            head = f"{name} · {row.period} · " + _("goal {goal}").format(goal=row.goal)
            head = shorten(head, max(room - cells(status) - 2, 8))
            text.append(pad(head, room - cells(status), right=False), style="bold")
            text.append(status, style=styles[row.status])
            text.append("\n  ")
            text.append(self._bar(row, BAR_NARROW), style=styles[row.status])
            parts = []
            if row.actual and row.ratio:
                parts.append(_("{figure} to date").format(figure=row.actual))
            elif row.actual:
                word = _("{share} used") if row.ceiling else _("{share} done")
                parts.append(f"{row.actual} " + word.format(share=share_text(row.done_share)))
            parts.append(_("time {share}").format(share=share_text(row.time_share)))
            parts.append(_("{days} days left").format(days=row.days_left))
            if row.needed:
                word = _("{amount}/day left") if row.ceiling else _("{amount}/day needed")
                parts.append(word.format(amount=row.needed))
            if row.trend:
                parts.append(_("last 3 days {trend}").format(trend=row.trend))
            text.append(" " + shorten(" · ".join(parts), max(room - BAR_NARROW - 3, 8)))
        return text

    def _bar(self, row: PlanRow, width: int) -> str:
        return bar(min(row.done_share or 0.0, 1.0), width, unicode=self.unicode)

"""The per-store strip that leads the all-stores Overview: one line per store."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from opsboard.formatting import MISSING, compact, money, month_day, pad, ratio
from opsboard.i18n import _
from opsboard.tui.palette import palette
from opsboard.views.overview import StoreRow

#: Cells of the store's name in the strip (longer names are cut).
NAME_WIDTH = 14


def latest_mark(row: StoreRow) -> str:
    """``latest: Jun 18`` where a store shows its latest day with data, else ""."""
    return _("latest: {day}").format(day=month_day(row.day)) if row.latest else ""


class StoreStrip(Vertical):
    """Each store over its own day, in its own currency, with a sparkline of its hours."""

    DEFAULT_CSS = """
    StoreStrip { height: auto; }
    StoreStrip > .strip-row { height: 1; }
    StoreStrip .strip-figures { width: auto; }
    StoreStrip .strip-spark { width: 1fr; max-width: 24; margin: 0 0 0 1; }
    """

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unicode = unicode
        self._shown: tuple[StoreRow, ...] | None = None
        self._stores: tuple[str, ...] = ()
        self._lines: list[tuple[Static, Sparkline]] = []

    def compose(self) -> ComposeResult:
        """Rows come with data."""
        yield from ()

    def show(self, rows: tuple[StoreRow, ...]) -> None:
        """Show ``rows``; nothing is redrawn when they did not change."""
        if rows == self._shown:
            return
        self._shown = rows
        stores = tuple(row.store for row in rows)
        if stores != self._stores:
            # Other stores: new lines, made with their contents (nothing to update later).
            self._stores = stores
            self.remove_children()
            self._lines = [
                (Static(self._figures(row), classes="strip-figures"), self._spark(row))
                for row in rows
            ]
            self.mount_all(Horizontal(*line, classes="strip-row") for line in self._lines)
            return
        for (figures, spark), row in zip(self._lines, rows, strict=True):
            figures.update(self._figures(row))
            self._fill(spark, row)

    def _hours(self, row: StoreRow) -> list[float]:
        """Visitors per hour from midnight to the last hour with data, an hour without
        data as 0 (none in ASCII terminals, which lack the bars)."""
        if not self.unicode:
            return []
        known = [h for h, value in enumerate(row.hours) if value is not None]
        return [row.hours[h] or 0.0 for h in range(known[-1] + 1)] if known else []

    def _spark(self, row: StoreRow) -> Sparkline:
        spark = Sparkline([], classes="strip-spark", summary_function=max)
        self._fill(spark, row)
        return spark

    def _fill(self, spark: Sparkline, row: StoreRow) -> None:
        """One cell per hour where there is room, so that the hours still to come stay
        blank instead of stretching the hours so far over the whole day."""
        hours = self._hours(row)
        spark.data = hours
        spark.styles.max_width = max(len(hours), 1)
        spark.display = bool(hours)

    def _figures(self, row: StoreRow) -> Text:
        colours = palette(self.app)
        text = Text()
        text.append(f"{row.store[:NAME_WIDTH]:<{NAME_WIDTH}}", style="bold")
        uv = compact(row.uv) if row.uv is not None else MISSING
        text.append(" " + _("{visitors}UV").format(visitors=pad(uv, 6)))
        text.append(" " + pad(money(row.gmv, row.currency), 8))
        text.append(" " + _("ROI") + f" {ratio(row.roi):>4}")
        firing = _(" {firing} firing").format(firing=row.firing) if row.firing else _(" no alerts")
        text.append(pad(firing, 10, right=False), style=colours.bad if row.firing else "dim")
        mark = latest_mark(row)
        if mark:
            text.append(f" {mark}", style=colours.bold(colours.warning))
        return text

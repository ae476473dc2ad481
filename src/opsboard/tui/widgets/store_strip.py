"""The per-store strip that leads the all-stores Overview: one line per store."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from opsboard.formatting import MISSING, compact, money, ratio
from opsboard.tui.palette import palette
from opsboard.views.overview import StoreRow

#: Cells of the figures before the sparkline: store, visitors, GMV, ROI, alerts.
NAME_WIDTH = 16


def latest_mark(row: StoreRow) -> str:
    """``latest: Jun 18`` where a store shows its latest day with data, else ""."""
    return f"latest: {row.day:%b} {row.day.day}" if row.latest else ""


class StoreStrip(Vertical):
    """Each store over its own day, in its own currency, with a sparkline of its hours."""

    DEFAULT_CSS = """
    StoreStrip { height: auto; }
    StoreStrip > .strip-row { height: 1; }
    StoreStrip .strip-figures { width: auto; }
    StoreStrip .strip-spark { width: 1fr; min-width: 8; margin: 0 0 0 1; }
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
            hours = self._hours(row)
            spark.data = hours
            spark.display = bool(hours)

    def _hours(self, row: StoreRow) -> list[float]:
        """The hours the sparkline draws: those with data (none in ASCII terminals)."""
        return [h for h in row.hours if h is not None] if self.unicode else []

    def _spark(self, row: StoreRow) -> Sparkline:
        hours = self._hours(row)
        spark = Sparkline(hours, classes="strip-spark", summary_function=max)
        spark.display = bool(hours)
        return spark

    def _figures(self, row: StoreRow) -> Text:
        colours = palette(self.app)
        text = Text()
        text.append(f"{row.store[:NAME_WIDTH]:<{NAME_WIDTH}}", style="bold")
        uv = compact(row.uv) if row.uv is not None else MISSING
        text.append(f" {uv:>6} UV")
        text.append(f" {money(row.gmv, row.currency):>8}")
        text.append(f" ROI {ratio(row.roi):>5}")
        firing = f" {row.firing} firing" if row.firing else "  no alerts"
        text.append(f"{firing:<10}", style=colours.bad if row.firing else "dim")
        mark = latest_mark(row)
        if mark:
            text.append(f" {mark}", style=colours.bold(colours.warning))
        return text

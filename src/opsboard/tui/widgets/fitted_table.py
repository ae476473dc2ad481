"""A data table whose text columns shrink to the terminal, so numbers are never cut."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable


def share_width(room: int, desired: list[int], minimum: int = 4) -> list[int]:
    """Widths for text columns that want ``desired`` cells but must share ``room``.

    Columns that fit keep their width; the rest split what is left, at least ``minimum``.
    """
    widths = list(desired)
    while sum(widths) > room and max(widths) > minimum:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def clip(text: Text, width: int) -> Text:
    """``text`` shortened to ``width`` cells with an ellipsis."""
    if text.cell_len <= width:
        return text
    clipped = text.copy()
    clipped.truncate(max(1, width), overflow="ellipsis")
    return clipped


class FittedTable(DataTable[Text]):
    """Rows are given whole; text columns named in ``FLEXIBLE`` are clipped to fit the width."""

    #: Indexes of the columns that may be clipped (names, scopes, notes; never numbers).
    FLEXIBLE: tuple[int, ...] = ()

    def __init__(self, *, id: str | None = None, cursor: bool = True) -> None:
        super().__init__(
            id=id,
            cursor_type="row" if cursor else "none",
            show_cursor=cursor,
            zebra_stripes=cursor,
        )
        self._rows: list[tuple[list[Text], str | None]] = []
        self._fitted_width = 0

    def set_rows(self, rows: list[tuple[list[Text], str | None]]) -> None:
        """Replace every row: (cells, key)."""
        self._rows = rows
        self._fill()

    def _fill(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self._fitted_width = width
        columns = len(self.columns)
        desired = [0] * columns
        for cells, _key in self._rows:
            for index, cell in enumerate(cells):
                desired[index] = max(desired[index], cell.cell_len)
        for index, column in enumerate(self.columns.values()):
            desired[index] = max(desired[index], column.label.cell_len)
        fixed = sum(w for i, w in enumerate(desired) if i not in self.FLEXIBLE)
        room = width - fixed - 2 * columns - 1
        flexible = [desired[i] for i in self.FLEXIBLE]
        limits = dict(zip(self.FLEXIBLE, share_width(room, flexible), strict=True))
        self.clear()
        for column in self.columns.values():
            column.content_width = column.label.cell_len
        for cells, key in self._rows:
            fitted = [clip(c, limits[i]) if i in limits else c for i, c in enumerate(cells)]
            self.add_row(*fitted, key=key)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the rows again to the new width."""
        width = self.scrollable_content_region.width or event.size.width
        if self._rows and width != self._fitted_width:
            self._fill()

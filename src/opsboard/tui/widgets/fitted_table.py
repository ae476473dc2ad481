"""A data table whose text columns shrink to the terminal, so numbers are never cut."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from opsboard.formatting import shorten


def share_width(room: int, desired: list[int], minimum: int = 4) -> list[int]:
    """Widths for text columns that want ``desired`` cells but must share ``room``.

    Columns that fit keep their width; the rest split what is left, at least ``minimum``.
    """
    widths = list(desired)
    while sum(widths) > room and max(widths) > minimum:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


class NamedText(Text):
    """A cell of an id followed by a name (``kw-generic 关键词推广``): the table gives it the
    room of its id first, and shortens the name, never the id, to what is left.

    ``lead``: how many characters at the start (a store's name before ``" / "``) may be
    shortened, after the name is gone, so that the id is still whole."""

    def __init__(self, text: str, keep: int, style: str = "", lead: int = 0) -> None:
        super().__init__(text, style=style)
        #: Characters at the start that are never cut (the id and what comes before it).
        self.keep = keep
        #: Characters at the start shortened before the id would be.
        self.lead = lead


def _leads(cells: list[Text], width: int) -> int | None:
    """The room every store's name before an id gets in a column ``width`` cells wide,
    so that the stores of all rows are shortened alike; None when every id fits beside its
    whole store."""
    fixed = []
    short = False
    for cell in cells:
        keep, lead = getattr(cell, "keep", None), getattr(cell, "lead", 0)
        if not (isinstance(keep, int) and isinstance(lead, int) and 0 < lead < keep):
            continue
        rest = cell_len(cell.plain[lead:keep])
        short = short or cell_len(cell.plain[:keep]) > width
        if width - rest >= 2:  # a row whose id leaves no room for a store is left out
            fixed.append(rest)
    return width - max(fixed) if short and fixed else None


def clip(text: Text, width: int, lead_room: int | None = None) -> Text:
    """``text`` shortened to ``width`` cells with an ellipsis (of a ``NamedText``, its name
    only, while its id fits; then the store before it, to ``lead_room`` cells when given)."""
    keep = getattr(text, "keep", None)
    lead = getattr(text, "lead", 0)
    if (
        lead_room is not None
        and isinstance(keep, int)
        and isinstance(lead, int)
        and 0 < lead < keep
        and cell_len(text.plain[:lead]) > lead_room
    ):
        store = shorten(text.plain[:lead], lead_room)
        text = NamedText(
            store + text.plain[lead:],
            keep=keep - lead + len(store),
            style=str(text.style),
            lead=len(store),
        )
        keep = text.keep
    if text.cell_len <= width:
        return text
    if isinstance(keep, int) and width >= cell_len(text.plain[:keep]):
        head, name = text.plain[:keep], text.plain[keep:].lstrip()
        room = width - cell_len(head) - 1
        shortened = shorten(name, room) if room > 1 else ""
        if shortened == "…":  # not one character of the name fits: the id alone
            shortened = ""
        return Text(f"{head} {shortened}" if shortened else head, style=text.style)
    lead = getattr(text, "lead", 0)
    if isinstance(keep, int) and isinstance(lead, int) and 0 < lead < keep:
        # The id does not fit beside the whole store: the store is shortened instead.
        fixed = text.plain[lead:keep]
        room = width - cell_len(fixed)
        if room >= 2:
            return Text(shorten(text.plain[:lead], room) + fixed, style=text.style)
        # Not even a shortened store fits: the id alone, cut only if it must be.
        return clip(Text(fixed.lstrip(" /"), style=text.style), width)
    clipped = text.copy()
    clipped.truncate(max(1, width), overflow="ellipsis")
    return clipped


class FittedTable(DataTable[Text]):
    """Rows are given whole; text columns named in ``FLEXIBLE`` are clipped to fit the width."""

    #: Indexes of the columns that may be clipped (names, scopes, notes; never numbers).
    FLEXIBLE: tuple[int, ...] = ()
    #: Flexible columns that give up their room first, down to ``SHRINK_FLOOR`` cells,
    #: before the others are shortened (a rule's name before the plan it fires on).
    SHRINK_FIRST: tuple[int, ...] = ()
    SHRINK_FLOOR = 10

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
        """Replace every row: (cells, key); rows equal to those shown change nothing (a
        reload that brings no news repaints nothing)."""
        if rows == self._rows and self.row_count == len(rows):
            return
        self._rows = rows
        self._fill()

    def _fill(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self._fitted_width = width
        columns = len(self.columns)
        desired = [0] * columns
        # Of names beside ids, the ids come first: the names get the room left over.
        needed = [0] * columns
        for cells, _key in self._rows:
            for index, cell in enumerate(cells):
                desired[index] = max(desired[index], cell.cell_len)
                keep = getattr(cell, "keep", None)
                least = cell_len(cell.plain[:keep]) if isinstance(keep, int) else cell.cell_len
                needed[index] = max(needed[index], least)
        for index, column in enumerate(self.columns.values()):
            desired[index] = max(desired[index], column.label.cell_len)
            needed[index] = max(needed[index], column.label.cell_len)
        fixed = sum(w for i, w in enumerate(needed) if i not in self.FLEXIBLE)
        room = width - fixed - 2 * columns - 1
        flexible = [needed[i] for i in self.FLEXIBLE]
        excess = sum(flexible) - room
        for index in self.SHRINK_FIRST:
            if excess <= 0 or index not in self.FLEXIBLE:
                continue
            position = self.FLEXIBLE.index(index)
            give = min(excess, flexible[position] - self.SHRINK_FLOOR)
            if give > 0:
                flexible[position] -= give
                excess -= give
        limits = dict(zip(self.FLEXIBLE, share_width(room, flexible), strict=True))
        # What is left goes to the names, column by column.
        spare = room - sum(limits.values())
        for index in range(columns):
            least = limits.get(index, needed[index])
            more = max(0, min(spare, desired[index] - least))
            if index in limits or desired[index] > needed[index]:
                limits[index] = least + more
            spare -= more
        self.clear()
        for column in self.columns.values():
            column.content_width = column.label.cell_len
        leads = {i: _leads([cells[i] for cells, _ in self._rows], w) for i, w in limits.items()}
        for cells, key in self._rows:
            fitted = [
                clip(c, limits[i], leads[i]) if i in limits else c for i, c in enumerate(cells)
            ]
            self.add_row(*fitted, key=key)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the rows again to the new width."""
        width = self.scrollable_content_region.width or event.size.width
        if self._rows and width != self._fitted_width:
            self._fill()

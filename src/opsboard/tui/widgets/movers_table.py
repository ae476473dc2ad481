"""The SKU movers list: SKUs sorted by how abnormally they moved against last week."""

from __future__ import annotations

from rich.text import Text

from opsboard.formatting import MISSING, change, compact, percent, points, with_name
from opsboard.i18n import N_, _
from opsboard.text import inert
from opsboard.tui.palette import palette
from opsboard.tui.widgets.fitted_table import FittedTable, NamedText
from opsboard.views.movers import Mover

_MOVED = {"uv": N_("visitors"), "conversion": N_("conv"), "bounce": N_("bounce")}


class MoversTable(FittedTable):
    """One row per SKU; the cursor row is shown in detail beside it."""

    FLEXIBLE = (1,)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Mover, ...] | None = None
        self.movers: tuple[Mover, ...] = ()

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column(_("SKU"), key="sku")
        self.add_column(_("Moved"), key="moved")
        self.add_column(Text(_("UV"), justify="right"), key="uv")
        self.add_column(Text(_("vs wk"), justify="right"), key="uv_change")
        self.add_column(Text(_("Conv"), justify="right"), key="conv")
        self.add_column(Text(_("Bounce"), justify="right"), key="bounce")
        self.add_column(Text(_("Score"), justify="right"), key="score")

    @property
    def selected(self) -> Mover | None:
        """The SKU under the cursor."""
        if not self.movers or not 0 <= self.cursor_row < len(self.movers):
            return None
        return self.movers[self.cursor_row]

    def show(self, movers: tuple[Mover, ...]) -> None:
        """Show ``movers``, keeping the cursor on the same SKU; unchanged means no redraw."""
        if movers == self._shown:
            return
        self._shown = movers
        chosen = (self.selected.store, self.selected.sku) if self.selected else None
        self.movers = movers
        rows: list[tuple[list[Text], str | None]] = []
        colours = palette(self.app)
        for mover in movers:
            conversion = f"{percent(mover.conversion, 1)} "
            conversion += points(mover.conversion, mover.conversion_base)
            bounce = f"{percent(mover.bounce, 0)} {points(mover.bounce, mover.bounce_base)}"
            rows.append(
                (
                    [
                        # The product's name after its id: shortened to the room left.
                        NamedText(with_name(mover.sku, mover.name), keep=len(inert(mover.sku))),
                        Text(_(_MOVED.get(mover.moved, mover.moved)), style="bold"),
                        Text(
                            compact(mover.uv) if mover.uv is not None else MISSING,
                            justify="right",
                        ),
                        Text(
                            change(mover.uv_change),
                            justify="right",
                            style=colours.bad if (mover.uv_change or 0) < -0.2 else "",
                        ),
                        Text(conversion, justify="right"),
                        Text(
                            bounce,
                            justify="right",
                            style=colours.bad if (mover.bounce or 0) > mover.bounce_limit else "",
                        ),
                        Text(f"{mover.score:+.1f}", justify="right"),
                    ],
                    f"{mover.store}:{mover.sku}",
                )
            )
        if not movers:
            rows.append(([Text(_("no SKU data today"), style="dim"), *[Text("")] * 6], None))
        self.set_rows(rows)
        if chosen is not None:
            for index, mover in enumerate(movers):
                if (mover.store, mover.sku) == chosen:
                    self.move_cursor(row=index, animate=False)

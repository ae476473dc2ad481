"""One SKU's figures against its baseline, and what the operator should look at."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import MISSING, compact, percent
from opsboard.glossary import metric_label
from opsboard.i18n import _
from opsboard.text import inert
from opsboard.tui.palette import Palette, palette
from opsboard.views.movers import Mover


class SkuDetail(Static):
    """Figures of the selected SKU and its diagnosis."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: Mover | None = None

    @property
    def shown(self) -> Mover | None:
        """The SKU described."""
        return self._shown

    def show(self, mover: Mover | None) -> None:
        """Describe ``mover``; nothing is redrawn when it did not change."""
        if mover == self._shown and self._shown is not None:
            return
        self._shown = mover
        if mover is None:
            self.update(Text(_("Select a SKU to see its figures."), style="dim"))
            return
        grid = Table.grid(padding=(0, 2))
        grid.add_column()
        grid.add_column(justify="right")
        grid.add_column(justify="right")
        grid.add_row(
            Text(_("SKU {sku}").format(sku=inert(mover.sku)), style="bold"),
            Text(_("today")),
            Text(_("last wk")),
        )
        grid.add_row(
            metric_label("uv"),
            *(compact(v) if v is not None else MISSING for v in (mover.uv, mover.uv_base)),
        )
        grid.add_row(
            metric_label("conversion_rate"),
            percent(mover.conversion, 2),
            percent(mover.conversion_base, 2),
        )
        grid.add_row(
            metric_label("bounce_rate"), percent(mover.bounce, 1), percent(mover.bounce_base, 1)
        )
        grid.add_row(metric_label("ctr"), percent(mover.ctr, 1), "")
        notes = Text()
        for note in mover.diagnosis or (_("nothing beyond the usual range"),):
            notes.append(
                "- " + note + "\n",
                style=Palette.bold(palette(self.app).warning) if mover.diagnosis else "dim",
            )
        from rich.console import Group

        head = [Text(inert(mover.store), style="dim")]
        if mover.name:
            head.append(Text(inert(mover.name), style="bold"))
        self.update(Group(*head, grid, Text(""), notes))

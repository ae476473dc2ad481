"""Spend today on SKUs that have no orders: money going nowhere."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import money, with_name
from opsboard.i18n import _
from opsboard.tui.palette import Palette, palette
from opsboard.views.overview import UnsoldSpend


class UnsoldSpendLine(Static):
    """``No orders: 100200300406 ¥1.2k (133 clicks), ...``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[tuple[UnsoldSpend, ...], bool] | None = None

    def show(self, rows: tuple[UnsoldSpend, ...], *, spend_seen: bool = True) -> None:
        """Show ``rows``, each in its store's own currency; nothing is redrawn when they
        did not change. With no spend at all (``spend_seen`` false) there is nothing to
        say, rather than a reassurance with no data behind it."""
        key = (rows, spend_seen)
        if key == self._shown:
            return
        self._shown = key
        if not rows:
            line = _("Every SKU with spend has orders today.") if spend_seen else ""
            self.update(Text(line, style="dim"))
            return
        spent = Palette.bold(palette(self.app).bad)
        text = Text(_("Spend, no orders: "), style="bold")
        for index, row in enumerate(rows):
            if index:
                text.append(", ")
            # The product's name after its id, shortened: the line lists several.
            text.append(with_name(row.sku, row.name, len(row.sku) + 15))
            text.append(f" {money(row.spend, row.currency)}", style=spent)
            if row.clicks:
                text.append(_(" ({clicks} clicks)").format(clicks=f"{row.clicks:.0f}"))
        self.update(text)

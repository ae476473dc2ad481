"""The Overview's plan strip: one line per target under way, with a progress bar."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import bar
from opsboard.tui.palette import palette
from opsboard.views.overview import PlanLine

#: Cells of the progress bar before each line.
BAR_WIDTH = 10


class PlanStrip(Static):
    """Each target's share done (the bar) and where it stands against the paced plan."""

    DEFAULT_CSS = "PlanStrip { height: auto; }"

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.unicode = unicode
        self._shown: tuple[PlanLine, ...] | None = None

    def show(self, lines: tuple[PlanLine, ...]) -> None:
        """Show ``lines``; nothing is redrawn when they did not change."""
        if lines == self._shown:
            return
        self._shown = lines
        self._draw()

    def on_resize(self) -> None:
        """Narrower or wider: the short or the full lines."""
        if self._shown:
            self._draw()

    def _draw(self) -> None:
        lines = self._shown or ()
        room = self.content_size.width or self.app.size.width - 4
        colours = palette(self.app)
        style: dict[str, Style | str] = {
            "ahead": colours.good,
            "met": colours.good,
            "on track": "",
            "behind": colours.warning,
            "missed": colours.bad,
        }
        # One length for all lines: short ones everywhere once one full line would wrap.
        full = all(len(line.text) + BAR_WIDTH + 1 <= room for line in lines)
        text = Text(no_wrap=False)
        for index, line in enumerate(lines):
            if index:
                text.append("\n")
            done = min(line.done_share or 0.0, 1.0)
            text.append(bar(done, BAR_WIDTH, unicode=self.unicode) + " ", style=style[line.status])
            text.append(line.text if full else line.short)
        self.update(text)

"""An hourly chart of today against yesterday and the same day last week (plotext)."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from opsboard.tui.widgets.traffic import label_of
from opsboard.views.overview import HourlySeries

#: Box-drawing characters of plotext's frame, and their ASCII stand-ins.
_ASCII = str.maketrans("┌┐└┘├┤┬┴┼─│", "+++++++++-|")


class HourlyChart(PlotextPlot):
    """Three lines over the 24 local hours: today (bold), yesterday, last week."""

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unicode = unicode
        self._shown: HourlySeries | None = None

    def show(self, series: HourlySeries) -> None:
        """Plot ``series``; nothing is redrawn when it did not change."""
        if series == self._shown:
            return
        self._shown = series
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        markers = ("braille", "braille", "braille") if self.unicode else ("*", "+", ".")
        for label, values, marker, color in (
            ("last week", series.last_week, markers[2], "gray"),
            ("yesterday", series.yesterday, markers[1], "cyan"),
            ("today", series.today, markers[0], "orange"),
        ):
            hours = [h for h, v in zip(series.hours, values, strict=True) if v is not None]
            points = [v for v in values if v is not None]
            if points:
                plt.plot(hours, points, marker=marker, label=label, color=color)
        plt.xlim(0, 23)
        plt.xticks([0, 6, 12, 18, 23], ["0h", "6h", "12h", "18h", "23h"])
        title = f"{label_of(series.metric)} by hour"
        plt.title(f"{title}: {series.note}" if series.note else title)
        self.refresh()

    def render(self) -> RenderResult:
        """The plot, with its frame in ASCII where the terminal lacks Unicode."""
        rendered = super().render()
        if not self.unicode and isinstance(rendered, Text):
            rendered.plain = rendered.plain.translate(_ASCII)
        return rendered

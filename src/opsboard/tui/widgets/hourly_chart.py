"""An hourly chart of today against yesterday and the same day last week (plotext)."""

from __future__ import annotations

import math
import re

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from opsboard.formatting import cells, compact, percent
from opsboard.i18n import _, pgettext
from opsboard.metrics import DERIVED_METRICS
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
        # The hour under way is not over: drawn on the line it would read as a fall, so it
        # stands apart, marked as so far.
        today, open_hour = _closed_hours(series)
        top = 0.0
        for label, values, marker, color in (
            (pgettext("chart legend", "last week"), series.last_week, markers[2], "gray"),
            (pgettext("chart legend", "yesterday"), series.yesterday, markers[1], "cyan"),
            (_("today"), today, markers[0], "orange"),
        ):
            hours = [h for h, v in zip(series.hours, values, strict=True) if v is not None]
            points = [v for v in values if v is not None]
            if points:
                plt.plot(hours, points, marker=marker, label=label, color=color)
                top = max(top, *points)
        if open_hour is not None:
            hour, value = open_hour
            plt.scatter([hour], [value], marker="o" if not self.unicode else "●",
                        label=_("{hour}h so far").format(hour=hour), color="orange")  # fmt: skip
            top = max(top, value)
        plt.xlim(0, 23)
        plt.xticks([0, 6, 12, 18, 23], ["0h", "6h", "12h", "18h", "23h"])
        if top > 0:
            ticks = nice_ticks(top)
            plt.ylim(0, ticks[-1])
            plt.yticks(ticks, [tick_label(t, series.metric) for t in ticks])
        title = _("{metric} by hour").format(metric=label_of(series.metric))
        if series.currency:
            title += f" ({series.currency})"
        plt.title(f"{title}: {_(series.note)}" if series.note else title)
        self.refresh()

    def render(self) -> RenderResult:
        """The plot, with its frame in ASCII where the terminal lacks Unicode."""
        rendered = super().render()
        if not isinstance(rendered, Text):
            return rendered
        if not self.unicode:
            rendered.plain = rendered.plain.translate(_ASCII)
        return fit_wide(rendered)


def fit_wide(plot: Text) -> Text:
    """The plot with each line as wide in cells as plotext made it in characters: plotext
    counts a CJK character (a Chinese title or legend) as one cell, so the spaces after
    such words give back the second cell of each, and the frame stays straight."""
    if cells(plot.plain) == len(plot.plain):
        return plot
    lines = plot.split("\n", allow_blank=True)
    for index, line in enumerate(lines):
        excess = cells(line.plain) - len(line.plain)
        if excess <= 0:
            continue
        wide = next(i for i, char in enumerate(line.plain) if cells(char) == 2)
        end = line.plain.find(" ", wide)
        if end < 0:
            continue
        room = len(line.plain[end:]) - len(line.plain[end:].lstrip(" ")) - 1
        cut = min(excess, room)
        if cut > 0:
            lines[index] = line[:end] + line[end + cut :]
    return Text("\n").join(lines)


def _closed_hours(
    series: HourlySeries,
) -> tuple[tuple[float | None, ...], tuple[int, float] | None]:
    """Today's values without the hour under way, and that hour with its value so far."""
    hour = series.now_hour
    if not 0 <= hour < len(series.today) or series.today[hour] is None:
        return series.today, None
    value = series.today[hour]
    assert value is not None
    closed = tuple(None if h == hour else v for h, v in enumerate(series.today))
    return closed, (hour, value)


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round steps from 0 to at least ``top`` (1, 2 or 5 times a power of ten)."""
    raw = top / count
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def tick_label(value: float, metric: str) -> str:
    """A y-axis label in the metric's own unit: ``12.5k`` visitors, ``3.0%`` conversion."""
    spec = DERIVED_METRICS.get(metric)
    text = percent(value, 1) if spec is not None and spec.kind == "rate" else compact(value)
    if cells(text) != len(text):
        # 2万 would push its line of the frame one cell right (plotext counts 万 as one).
        return f"{value:,.0f}"
    # Round steps need no decimals: 20k, not 20.0k.
    return re.sub(r"\.0+(?=[kMB%]|$)", "", text)

"""Traffic figures today against the same hours yesterday and last week."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable

from opsboard.formatting import MISSING, change, figure
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, uses_money
from opsboard.query.currency import CONVERTED_MARK
from opsboard.tui.palette import Palette, palette
from opsboard.views.overview import TrafficFigure

#: Metrics for which a fall is good news.
LOWER_IS_BETTER = frozenset({"bounce_rate", "acos", "cpc"})


def label_of(metric: str) -> str:
    """The operator's name of a metric."""
    if metric in BASE_METRICS:
        return BASE_METRICS[metric].label
    if metric in DERIVED_METRICS:
        return DERIVED_METRICS[metric].label
    return metric


def styled_change(metric: str, value: float | None, colours: Palette) -> Text:
    """A change coloured as good news or bad news (``colours.good`` / ``colours.bad``)."""
    if value is None:
        return Text(MISSING, style="dim", justify="right")
    good = (value < 0) if metric in LOWER_IS_BETTER else (value > 0)
    style: Style | str = "" if abs(value) < 0.02 else (colours.good if good else colours.bad)
    return Text(change(value), style=style, justify="right")


class TrafficFigures(DataTable[Text]):
    """Visitors, page views, bounce rate, conversion, buyers, GMV and AOV."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=False, show_cursor=False)
        self._shown: tuple[tuple[TrafficFigure, ...], str, bool, str] | None = None

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column("Today", key="metric")
        self.add_column(Text("Now", justify="right"), key="today")
        self.add_column(Text("vs yday", justify="right"), key="yday")
        self.add_column(Text("vs wk", justify="right"), key="week")

    def show(
        self,
        figures: tuple[TrafficFigure, ...],
        currency: str,
        *,
        converted: bool = False,
        note: str = "",
    ) -> None:
        """Show ``figures``; money marked ``≈`` where ``converted`` at configured rates, and
        ``note`` (why money is blank, or that it is converted) under the panel."""
        key = (figures, currency, converted, note)
        if key == self._shown:
            return
        self._shown = key
        self.clear()
        colours = palette(self.app)
        for item in figures:
            value = figure(item.metric, item.today, currency)
            if converted and item.today is not None and uses_money(item.metric):
                value = CONVERTED_MARK + value
            self.add_row(
                Text(label_of(item.metric)),
                Text(value, style="bold", justify="right"),
                styled_change(item.metric, item.vs_yesterday, colours),
                styled_change(item.metric, item.vs_last_week, colours),
                key=item.metric,
            )
        if not figures:
            self.add_row(Text("no traffic data yet", style="dim"), Text(""), Text(""), Text(""))
        if isinstance(self.parent, Widget):
            # The panel says why GMV is blank, or that it is converted.
            self.parent.border_subtitle = note if figures else ""

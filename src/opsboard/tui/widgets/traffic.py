"""Traffic figures today against the same hours yesterday and last week."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable

from opsboard.formatting import MISSING, change, figure, points
from opsboard.glossary import metric_label
from opsboard.i18n import _
from opsboard.metrics import DERIVED_METRICS, uses_money
from opsboard.query.currency import CONVERTED_MARK
from opsboard.tui.palette import Palette, palette
from opsboard.views.overview import TrafficFigure

#: Metrics for which a fall is good news.
LOWER_IS_BETTER = frozenset({"bounce_rate", "acos", "cpc"})


def label_of(metric: str) -> str:
    """The operator's name of a metric, in the language in use (访客数 in Chinese)."""
    return metric_label(metric)


def styled_change(metric: str, value: float | None, colours: Palette) -> Text:
    """A change coloured as good news or bad news (``colours.good`` / ``colours.bad``)."""
    if value is None:
        return Text(MISSING, style="dim", justify="right")
    good = (value < 0) if metric in LOWER_IS_BETTER else (value > 0)
    style: Style | str = "" if abs(value) < 0.02 else (colours.good if good else colours.bad)
    return Text(change(value), style=style, justify="right")


def styled_points(metric: str, now: float | None, base: float | None, colours: Palette) -> Text:
    """A rate's move in percentage points (``-0.2pt``), as SKU movers and the review show
    rates, coloured as good news or bad news."""
    if now is None or base is None:
        return Text(MISSING, style="dim", justify="right")
    moved = now - base
    good = (moved < 0) if metric in LOWER_IS_BETTER else (moved > 0)
    style: Style | str = "" if abs(moved) < 0.001 else (colours.good if good else colours.bad)
    return Text(points(now, base), style=style, justify="right")


def _is_rate(metric: str) -> bool:
    spec = DERIVED_METRICS.get(metric)
    return spec is not None and spec.kind == "rate"


class TrafficFigures(DataTable[Text]):
    """Visitors, page views, bounce rate, conversion, buyers, GMV and AOV."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=False, show_cursor=False)
        self._shown: tuple[tuple[TrafficFigure, ...], str, bool, str, str, str] | None = None

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column(_("Today"), key="metric")
        self.add_column(Text(_("Now"), justify="right"), key="today")
        self.add_column(Text(_("vs yday"), justify="right"), key="yday")
        self.add_column(Text(_("vs wk"), justify="right"), key="week")

    def show(
        self,
        figures: tuple[TrafficFigure, ...],
        currency: str,
        *,
        converted: bool = False,
        note: str = "",
        now_label: str | None = None,
        day_label: str | None = None,
    ) -> None:
        """Show ``figures``; money marked ``≈`` where ``converted`` at configured rates,
        ``note`` (why money is blank, or that it is converted) under the panel, and the
        figures' column headed ``now_label`` (a replayed hour's time instead of "Now") under
        ``day_label`` (the replayed day instead of "Today")."""
        now_label = now_label or _("Now")
        day_label = day_label or _("Today")
        key = (figures, currency, converted, note, now_label, day_label)
        if key == self._shown:
            return
        self._shown = key
        self.columns["metric"].label = Text(day_label)  # type: ignore[index]
        self.columns["today"].label = Text(now_label, justify="right")  # type: ignore[index]
        self.clear()
        colours = palette(self.app)
        for item in figures:
            value = figure(item.metric, item.today, currency)
            if converted and item.today is not None and uses_money(item.metric):
                value = CONVERTED_MARK + value
            if _is_rate(item.metric):
                moves = (
                    styled_points(item.metric, item.today, item.yesterday, colours),
                    styled_points(item.metric, item.today, item.last_week, colours),
                )
            else:
                moves = (
                    styled_change(item.metric, item.vs_yesterday, colours),
                    styled_change(item.metric, item.vs_last_week, colours),
                )
            self.add_row(
                Text(label_of(item.metric)),
                Text(value, style="bold", justify="right"),
                *moves,
                key=item.metric,
            )
        if not figures:
            self.add_row(Text(_("no traffic data yet"), style="dim"), Text(""), Text(""), Text(""))
        if isinstance(self.parent, Widget):
            # The panel says why GMV is blank, or that it is converted.
            self.parent.border_subtitle = note if figures else ""

"""The Overview: traffic, paid promotion, alerts and source health of one store or all."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Static

from opsboard.formatting import month_day, ratio
from opsboard.i18n import N_, _
from opsboard.timeutil import zone
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.widgets.alerts_table import AlertsTable
from opsboard.tui.widgets.channels import ChannelSplit
from opsboard.tui.widgets.hourly_chart import HourlyChart
from opsboard.tui.widgets.plan_strip import PlanStrip
from opsboard.tui.widgets.promotion import PromotionTable
from opsboard.tui.widgets.status_bar import StatusBar
from opsboard.tui.widgets.store_strip import StoreStrip
from opsboard.tui.widgets.title_bar import TitleBar
from opsboard.tui.widgets.traffic import TrafficFigures
from opsboard.tui.widgets.unsold import UnsoldSpendLine
from opsboard.views.alert_groups import AlertGroup
from opsboard.views.alerts import AlertRow
from opsboard.views.overview import Overview


def traffic_title(data: Overview) -> str:
    """The traffic panel's title: today, a replayed day up to its hour, or the store's
    latest day with data, marked."""
    if data.latest_day is not None:
        day = data.latest_day
        return _("Traffic, latest: {day} (no data today)").format(day=month_day(day))
    several = _(", all stores") if data.store is None and len(data.stores_strip) > 1 else ""
    if not data.live:
        return _("Traffic replayed: {time}").format(time=replay_time(data)) + several
    return _("Traffic today") + several


def replay_time(data: Overview) -> str:
    """The replayed instant in the view's zone: ``Jun 17 14:00``."""
    at = data.at.astimezone(zone(data.tz_name))
    return f"{month_day(at.date())} {at:%H:%M}"


class OverviewScreen(DashboardScreen):
    """The default screen."""

    kind = "overview"
    view_name = N_("Overview")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ack", N_("Ack alert")),
        Binding("x", "silence", N_("Silence")),
        Binding("t", "channel_sources", N_("Traffic sources"), show=False),
    ]

    #: Width from which the panels sit in two columns.
    WIDE = 150
    #: Width from which the traffic figures and the channel split share the first row.
    PAIRED = 110

    def __init__(self) -> None:
        super().__init__()
        self._layout: str | None = None
        self._last: Overview | None = None
        #: The alert groups the operator opened, kept when the panels are laid out again.
        self._opened: set[str] = set()

    def action_channel_sources(self) -> None:
        """Open each channel into its traffic sources (手淘搜索, 手淘推荐, …)."""
        self.dashboard.open_channel_sources()

    @property
    def shown(self) -> Overview | None:
        """The snapshot the panels show (None before the first load)."""
        return self._last

    def _layout_for(self, width: int) -> str:
        if width >= self.WIDE:
            return "wide"
        return "paired" if width >= self.PAIRED else "stacked"

    def compose(self) -> ComposeResult:
        """Traffic and its chart on the left, alerts, promotion and channels on the right.

        Narrower, the traffic figures and the channels share the first row, then alerts,
        promotion and the chart; stacked, the reading order is traffic, alerts, promotion,
        chart, channels.
        """
        self._layout = self._layout_for(self.app.size.width)
        yield TitleBar(id="title")
        with VerticalScroll(id="body"):
            # All stores: one line per store leads, each over its own day.
            strip = self._panel(
                "stores-panel",
                _("Stores, each on its own day"),
                StoreStrip(unicode=self.dashboard.unicode, id="stores"),
            )
            strip.display = False
            yield strip
            plans = self._panel(
                "plan-panel", _("Plan"), PlanStrip(unicode=self.dashboard.unicode, id="plans")
            )
            plans.border_subtitle = _("p: every target")
            plans.display = False
            yield plans
            if self._layout == "wide":
                with Horizontal(id="columns"):
                    with Vertical(id="left"):
                        yield self._traffic()
                        yield self._chart()
                    with Vertical(id="right"):
                        yield self._alerts()
                        yield self._promotion()
                        yield self._channels()
            elif self._layout == "paired":
                with Vertical(id="columns"):
                    with Horizontal(id="pair"):
                        yield self._traffic()
                        yield self._channels()
                    yield self._alerts()
                    yield self._promotion()
                    yield self._chart()
            else:
                with Vertical(id="columns"):
                    yield self._traffic()
                    yield self._alerts()
                    yield self._promotion()
                    yield self._chart()
                    yield self._channels()
        yield StatusBar(id="status")
        yield Footer()

    @staticmethod
    def _panel(panel_id: str, title: str, *children: Widget) -> Vertical:
        panel = Vertical(*children, id=panel_id, classes="panel")
        panel.border_title = title
        return panel

    def _traffic(self) -> Vertical:
        return self._panel("traffic-panel", _("Traffic today"), TrafficFigures(id="traffic"))

    def _alerts(self) -> Vertical:
        table = AlertsTable(id="alerts", unicode=self.dashboard.unicode, opened=self._opened)
        return self._panel("alerts-panel", _("Alerts"), table)

    def _chart(self) -> Vertical:
        chart = HourlyChart(unicode=self.dashboard.unicode, id="chart")
        return self._panel("chart-panel", _("By hour: today / yesterday / last week"), chart)

    def _promotion(self) -> Vertical:
        return self._panel(
            "promotion-panel",
            _("Paid promotion"),
            PromotionTable(unicode=self.dashboard.unicode, id="promotion"),
            Static("", id="contribution"),
            Static("", id="break-even"),
            UnsoldSpendLine(id="unsold"),
        )

    def _channels(self) -> Vertical:
        table = ChannelSplit(unicode=self.dashboard.unicode, id="channels")
        return self._panel("channels-panel", _("Channels"), table)

    def on_mount(self) -> None:
        """Alerts take the keyboard first: that is what operators act on."""
        self.query_one(AlertsTable).focus(scroll_visible=False)

    def on_resize(self, event: events.Resize) -> None:
        """Across a breakpoint, lay the panels out again and show the same data."""
        layout = self._layout_for(event.size.width)
        if self._layout is not None and layout != self._layout:
            self.call_after_refresh(self._relayout)

    async def _relayout(self) -> None:
        if self._layout_for(self.size.width) == self._layout:
            return  # a burst of resizes: already laid out for this width
        await self.recompose()
        self.query_one(AlertsTable).focus(scroll_visible=False)
        if self._last is not None:
            self.show(self._last)

    def show(self, data: Any) -> None:
        """Hand each panel its part of the snapshot."""
        assert isinstance(data, Overview)
        self._last = data
        self.show_frame(at=data.at, live=data.live, tz_name=data.tz_name, health=data.health)
        strip = self.query_one(StoreStrip)
        strip.show(data.stores_strip)
        self.query_one("#stores-panel").display = bool(data.stores_strip)
        self.query_one(PlanStrip).show(data.plans)
        self.query_one("#plan-panel").display = bool(data.plans)
        self.query_one(TrafficFigures).show(
            data.figures,
            data.currency,
            converted=data.converted,
            note=_(data.money_note),
            now_label=_("Now") if data.live else replay_time(data).rsplit(" ", 1)[1],
            day_label=_("Today") if data.live else replay_time(data).rsplit(" ", 1)[0],
        )
        self.query_one("#traffic-panel").border_title = traffic_title(data)
        self.query_one(HourlyChart).show(data.hourly)
        self.query_one(ChannelSplit).show(data.channels, data.currency, converted=data.converted)
        money_note = _(data.money_note) if data.channels else ""
        self.query_one("#channels-panel").border_subtitle = money_note
        self.query_one(PromotionTable).show(data.promotion, data.break_even_roi)
        self.query_one(UnsoldSpendLine).show(
            data.unsold, spend_seen=any(row.spend for row in data.promotion)
        )
        self.query_one(AlertsTable).show(data.alerts, data.at, data.store)
        firing = sum(1 for a in data.alerts if a.state == "firing")
        self.query_one("#alerts-panel").border_title = _("Alerts ({firing} firing)").format(
            firing=firing
        )
        if data.break_even_roi is not None:
            note = _("Break-even ROI {roi}  <BE under it  SL strategic loss").format(
                roi=ratio(data.break_even_roi)
            )
        elif data.store is None:
            note = _("<BE under the store's break-even ROI  SL strategic loss")
        else:
            note = _("Break-even ROI unknown: set the store's margin in the config")
        self.query_one("#break-even", Static).update(note)
        shown = self.query_one("#contribution", Static)
        shown.update(data.contribution)
        shown.display = bool(data.contribution)

    def on_alerts_table_narrowed(self, message: AlertsTable.Narrowed) -> None:
        """Narrow, the state words give way to marks: say what the marks mean."""
        legend = _("! firing  ? pending  SL strategic loss  v resolved") if message.narrow else ""
        self.query_one("#alerts-panel").border_subtitle = legend

    def on_alerts_table_opened(self, message: AlertsTable.Opened) -> None:
        """Enter on an alert: its whole story."""
        self.dashboard.open_alert(message.alert)

    def _chosen(self) -> AlertRow | AlertGroup | None:
        """The alert or the group of alerts under the cursor."""
        line = self.query_one(AlertsTable).selected_line
        if line is None or (line.alert is None and line.group is None):
            self.notify(_("No alert selected"), severity="warning")
            return None
        return line.alert or line.group

    def action_ack(self) -> None:
        """Acknowledge the alert under the cursor (or every alert of the group), with a
        note."""
        chosen = self._chosen()
        if isinstance(chosen, AlertGroup):
            self.dashboard.ask_ack_all(chosen.members)
        elif chosen is not None:
            self.dashboard.ask_ack(chosen)

    def action_silence(self) -> None:
        """Silence the rule of the alert under the cursor (or of every alert of the group)
        for a while."""
        chosen = self._chosen()
        if isinstance(chosen, AlertGroup):
            self.dashboard.ask_silence_all(chosen.members)
        elif chosen is not None:
            self.dashboard.ask_silence(chosen)

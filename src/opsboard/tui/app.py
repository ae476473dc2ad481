"""The opsboard dashboard: a Textual app over the store.

Workers fetch, messages deliver, handlers render: each refresh cycle loads the data of
the screen in view in a thread worker, and when it finishes the next cycle is scheduled
with ``set_timer``, so that cycles never overlap and hidden screens never load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from opsboard.config.models import DEFAULT_THEME
from opsboard.errors import OpsboardError
from opsboard.formatting import long_day, unicode_ok
from opsboard.glossary import view_platform
from opsboard.i18n import N_, _
from opsboard.runtime import Runtime
from opsboard.text import inert, inert_lines
from opsboard.timeutil import floor_hour, local_midnight, zone
from opsboard.tui.alerting import AlertingApp
from opsboard.tui.collecting import Collect
from opsboard.tui.commands import DashboardCommands, command_palette, localized
from opsboard.tui.file_toasts import tell_files
from opsboard.tui.language import localize_bindings
from opsboard.tui.palette import SIXTEEN_COLOURS, THEME_VARIABLES, few_colours
from opsboard.tui.saving import save_screen
from opsboard.tui.screens.base import DashboardScreen
from opsboard.tui.screens.channel_sources import ChannelSourcesScreen
from opsboard.tui.screens.help import HelpScreen
from opsboard.tui.screens.movers import MoversScreen
from opsboard.tui.screens.overview import OverviewScreen
from opsboard.tui.screens.plans import PlansScreen
from opsboard.tui.screens.sources import FirstRunScreen, SourcesScreen
from opsboard.views.alerts import AlertRow
from opsboard.views.overview import CHART_METRICS, Overview
from opsboard.views.preferences import Preferences
from opsboard.views.source import DashboardSource, Request
from opsboard.views.sources import FileRow

log = logging.getLogger(__name__)


#: With no new data, how often the screen is read again for what follows the clock alone
#: (a budget's projected run-out, the hour under way); new data is shown at once.
TIME_RELOAD = timedelta(minutes=5)
#: Between loads, how often the status bar reads who collects and when it polled.
STATUS_EVERY = timedelta(seconds=10)


class OpsboardApp(AlertingApp):
    """Live traffic, paid promotion and alerts for one store or all."""

    CSS_PATH = "app.tcss"
    TITLE = "opsboard"
    #: Under 110 columns the SKU movers stack; from 150 the Overview sits in two columns.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-medium"), (150, "-wide")]  # noqa: RUF012
    MODES: ClassVar[dict[str, Any]] = {
        "overview": OverviewScreen,
        "movers": MoversScreen,
        "sources": SourcesScreen,
        "plans": PlansScreen,
    }
    DEFAULT_MODE = "overview"
    COMMANDS: ClassVar[set[Any]] = {SystemCommandsProvider, DashboardCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "switch_mode('overview')", N_("Overview"), show=False),
        Binding("k", "switch_mode('movers')", N_("SKU movers")),
        Binding("f", "switch_mode('sources')", N_("Files")),
        # Not in the footer (80 columns keep `q Quit`): the plan panel and help name it.
        Binding("p", "switch_mode('plans')", N_("Plans"), show=False),
        Binding("s", "next_store", N_("Store")),
        Binding("v", "review", N_("Review")),
        Binding("c", "cycle_chart", N_("Chart metric"), show=False),
        Binding("left_square_bracket", "step(-1)", N_("Replay: one hour back"), show=False),
        Binding("right_square_bracket", "step(1)", N_("Replay: one hour forward"), show=False),
        Binding("left_curly_bracket", "step(-24)", N_("Replay: one day back"), show=False),
        Binding("right_curly_bracket", "step(24)", N_("Replay: one day forward"), show=False),
        Binding("l", "live", N_("Back to live"), show=False),
        Binding("r", "refresh", N_("Read the store now"), show=False),
        Binding("ctrl+s", "save_screenshot", N_("Save a screenshot (SVG)"), show=False),
        Binding("question_mark,f1", "help", N_("Help")),
        Binding("q", "quit", N_("Quit")),
    ]
    #: Key names as the help screen writes them.
    KEY_NAMES: ClassVar[dict[str, str]] = {
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "left_curly_bracket": "{",
        "right_curly_bracket": "}",
        "question_mark": "?",
    }

    def __init__(
        self,
        runtime: Runtime,
        *,
        store: str | None = None,
        at: datetime | None = None,
        collect: Collect = "auto",
        live_refresh: bool = True,
        unicode: bool | None = None,
        blink: bool = True,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.runtime = runtime
        self.source = DashboardSource(runtime, runtime.open_store())
        self.store_name: str | None = store
        self.at: datetime | None = at
        self.collect = collect
        self.live_refresh = live_refresh
        self.unicode = unicode_ok() if unicode is None else unicode
        self.blink = blink
        self.chart_metric = CHART_METRICS[0]
        self.init_collecting()
        #: No config file and nothing configured: the screens say how to start.
        self.first_run = runtime.config_path is None and not (
            runtime.settings.stores or runtime.settings.adapters
        )
        self._seen_ingest: int | None = None
        self.last_refresh: datetime | None = None
        self.store_names: list[str] = []
        self.visible_alerts: tuple[AlertRow, ...] = ()
        self._timer: Timer | None = None
        self._loading = False
        self._again = False
        self._loaded_minute: datetime | None = None
        self._status_at = datetime.min.replace(tzinfo=UTC)
        self._fingerprint: tuple[object, ...] = ()
        self.cycles = 0
        self.preferences = Preferences.load()
        #: The theme was chosen for the terminal's colours, not by the operator: not kept.
        self._fitted_theme = False
        self.register_theme(SIXTEEN_COLOURS)
        theme = self.preferences.theme_over(runtime.settings.theme)
        if theme in self.available_themes:
            self.theme = theme

    # -- life cycle --------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The dashboard's own theme variables (``tui.palette``), which a theme may set."""
        return dict(THEME_VARIABLES)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification shown as written: never Rich markup, control characters escaped
        (messages name files, stores and plans, which come from outside)."""
        super().notify(
            inert_lines(message), title=inert(title), severity=severity, timeout=timeout,
            markup=False,
        )  # fmt: skip
        # The screen is drawn again once the toast has gone: with no new data nothing else
        # would redraw the panel it covered.
        shown = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self.set_timer(shown + 0.5, lambda: self.screen.refresh(layout=True))

    def on_mount(self) -> None:
        """Become the collector if none runs, then load the first data."""
        self.store_names = self.source.stores()
        self.start_collecting()
        if self.first_run:
            self.push_screen(FirstRunScreen(self.runtime))
        if not self.is_headless:
            self.fit_theme_to_terminal()
        if self.runtime.settings.theme not in self.available_themes:
            self.notify(
                _("unknown theme {theme} in the config; pick one with ctrl+p > Change theme")
                .format(theme=repr(self.runtime.settings.theme)),
                severity="warning",
            )  # fmt: skip

    def on_unmount(self) -> None:
        """Stop collecting and close the store."""
        self.stop_collecting()
        self.source.close()

    def fit_theme_to_terminal(self) -> None:
        """In a terminal of 16 colours, the default theme gives way to one of its own ANSI
        colours (a theme the operator chose stays)."""
        chosen = self.preferences.theme_over(self.runtime.settings.theme)
        if chosen == DEFAULT_THEME and few_colours(self.console.color_system):
            self._fitted_theme = True
            self.theme = SIXTEEN_COLOURS.name

    def watch_theme(self, theme: str) -> None:
        """Remember a theme picked in the palette for the next start."""
        if self._fitted_theme:
            self._fitted_theme = False
            return
        if self.is_running and theme != self.preferences.theme_over(self.runtime.settings.theme):
            self.preferences = self.preferences.with_theme(theme, self.runtime.settings.theme)
            self.preferences.save()

    # -- the refresh loop --------------------------------------------------------------------

    def now(self) -> datetime:
        """The current instant from the runtime's clock (frozen in tests)."""
        return self.runtime.clock.now()

    @property
    def live(self) -> bool:
        """True unless replaying history."""
        return self.at is None

    def _data_screen(self) -> DashboardScreen | None:
        if not self.screen_stack:
            return None
        screen = self.screen
        return screen if isinstance(screen, DashboardScreen) else None

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.live_refresh:
            interval = self.runtime.settings.refresh_interval.total_seconds()
            self._timer = self.set_timer(max(0.5, interval), self._tick)

    def _tick(self) -> None:
        """A timed cycle: reload when the data changed, or when the figures that follow the
        clock (pacing, the hour under way) are ``TIME_RELOAD`` old; a new minute alone only
        moves the title bar's clock (cheap when idle)."""
        screen = self._data_screen()
        if screen is None:
            self._schedule()
            return
        now = self.now()
        minute = now.replace(second=0, microsecond=0)
        fingerprint = self.source.fingerprint()
        stale = self._loaded_minute is None or minute - self._loaded_minute >= TIME_RELOAD
        if stale or fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self.refresh_data()
            return
        if self.live:
            screen.move_clock(now)
            if not self._loading and now - self._status_at >= STATUS_EVERY:
                # Who collects and when it polled, between loads.
                self._status_at = now
                self.collecting = self.source.collector_status(
                    collecting_here=self.collector is not None, failure=self.collector_failure
                )
                self.refresh_status()
        self._schedule()

    def refresh_data(self) -> None:
        """Load the screen in view now, or right after the cycle in progress."""
        if self._loading:
            self._again = True
            return
        screen = self._data_screen()
        if screen is None:
            self._schedule()  # hidden behind a modal or help: skip this cycle
            return
        self._loading = True
        self._loaded_minute = self.now().replace(second=0, microsecond=0)
        sku = screen.chosen if isinstance(screen, MoversScreen) else None
        self._load(
            Request(
                kind=screen.kind,
                store=self.store_name,
                at=self.at or self.now(),
                live=self.live,
                chart_metric=self.chart_metric,
                sku=sku,
            )
        )

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self, request: Request) -> tuple[Request, Any, Any, list[FileRow]]:
        status = self.source.collector_status(
            collecting_here=self.collector is not None, failure=self.collector_failure
        )
        if self._seen_ingest is None:
            self._seen_ingest, news = self.source.newest_ingest(), []
        else:
            news = self.source.new_files(self._seen_ingest)
        return request, self.source.load(request), status, news

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Deliver a finished load to its screen and schedule the next cycle."""
        worker = event.worker
        if worker.group != "load" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._loading = False
        if event.state is WorkerState.SUCCESS and worker.result is not None:
            request, data, self.collecting, news = worker.result
            self._seen_ingest = tell_files(self, news, self._seen_ingest)
            self.last_refresh = self.now() if self.live else self.last_refresh
            self.cycles += 1
            if isinstance(data, Overview):
                self.visible_alerts = data.alerts
                if not self.store_names:
                    self.store_names = list(data.stores)
            screen = self._data_screen()
            if screen is not None and screen.kind == request.kind:
                screen.show(data)
        elif event.state is WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, OpsboardError) else repr(error)
            log.error("loading the dashboard failed: %s", message)
            self.notify(_("could not read the store: {message}").format(message=message),
                        severity="error")  # fmt: skip
        if self._again:
            self._again = False
            self.refresh_data()
        else:
            self._schedule()

    def refresh_status(self) -> None:
        """Redraw the status bar of the screen in view (a full screen over a dashboard
        screen, such as the review, shows that one's)."""
        from opsboard.tui.widgets.status_bar import StatusBar

        under = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, DashboardScreen)), None
        )
        bars = self.screen.query(StatusBar)
        if under is not None and bars:
            under.draw_status(bars.first())

    def view_platform(self) -> str:
        """The platform whose channel words the view in sight takes (generic words across
        stores of several platforms)."""
        settings = self.runtime.settings
        names = [self.store_name] if self.store_name else self.store_names
        return view_platform(settings.store(name).platform for name in names)

    # -- store, period, replay ---------------------------------------------------------------

    def set_store(self, name: str | None) -> None:
        """Show ``name`` (None: every store)."""
        self.store_name = name
        self.refresh_data()

    def action_next_store(self) -> None:
        """Cycle through all stores and each store."""
        self.store_names = self.source.stores()
        choices: list[str | None] = [None, *self.store_names]
        index = choices.index(self.store_name) if self.store_name in choices else 0
        self.set_store(choices[(index + 1) % len(choices)])

    def action_step(self, hours: int) -> None:
        """Replay: move the dashboard's instant by ``hours`` (back to live past now)."""
        now = self.now()
        base = self.at if self.at is not None else floor_hour(now) + timedelta(minutes=59)
        moved = base + timedelta(hours=hours)
        self.at = None if moved >= now else moved
        self.refresh_data()

    def replay_day(self, days_back: int) -> None:
        """Replay the close (23:59) of the day ``days_back`` days ago."""
        tz = zone(self.source.tz_name(self.store_name))
        day = self.now().astimezone(tz).date() - timedelta(days=days_back)
        self.at = local_midnight(day + timedelta(days=1), tz) - timedelta(minutes=1)
        self.refresh_data()

    def action_live(self) -> None:
        """Back to live data."""
        self.at = None
        self.refresh_data()

    def action_refresh(self) -> None:
        """Read the store again now."""
        self.refresh_data()

    def set_chart_metric(self, metric: str) -> None:
        """Chart ``metric`` by hour."""
        self.chart_metric = metric
        self.refresh_data()

    def action_cycle_chart(self) -> None:
        """Chart the next metric."""
        self.cycle_chart_metric()

    def cycle_chart_metric(self) -> None:
        """Chart the next metric."""
        index = CHART_METRICS.index(self.chart_metric)
        self.set_chart_metric(CHART_METRICS[(index + 1) % len(CHART_METRICS)])

    def action_review(self) -> None:
        """Open the morning review of the day before the one in view (each store's own)."""
        store = self.store_name
        at = self.at or self.now()
        if store:
            day = long_day(self.source.review_day(store, at))
            title = _("Review of {day}: {store}").format(day=day, store=store)
        else:
            title = _("Review of yesterday in each store's time zone: every store")
        # Loaded when first opened: its Markdown parser and highlighter cost a dashboard
        # that stays open all day a few megabytes.
        from opsboard.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(title, lambda: self.source.review_markdown(store, at)))

    #: Actions that change what the dashboard shows; behind another screen they would act
    #: on a view nobody sees.
    _VIEW_ACTIONS = frozenset(
        {"next_store", "switch_mode", "step", "live", "cycle_chart", "review", "refresh"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dashboard keys work only while a dashboard screen is in view."""
        return not (action in self._VIEW_ACTIONS and self._data_screen() is None)

    def open_channel_sources(self) -> None:
        """Open each channel into its traffic sources (each store's latest day with some)."""
        store = self.store_name
        at = self.at or self.now()
        title = _("Channels and their sources: {store}").format(store=store or _("every store"))
        self.push_screen(
            ChannelSourcesScreen(title, lambda: self.source.channel_sources(store, at))
        )

    # -- help, palette, screenshots ----------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, in the language in use."""
        return localized(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """Open the command palette (its prompt in the language in use)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(command_palette())

    def action_help(self) -> None:
        """Show every binding."""
        rows: list[tuple[str, str]] = []
        screen_bindings = list(type(self.screen).__dict__.get("BINDINGS", []))
        for binding in [*screen_bindings, *self.BINDINGS]:
            if not isinstance(binding, Binding):
                continue
            keys = "/".join(self.KEY_NAMES.get(k, k) for k in binding.key.split(","))
            rows.append((keys, _(binding.description)))
        rows += [
            ("a", _("acknowledge the selected alert (Overview)")),
            ("x", _("silence the selected alert's rule (Overview)")),
        ]
        self.push_screen(HelpScreen(rows))

    def action_save_screenshot(self) -> None:
        """Save an SVG of the screen into the user's data folder (owner-only), named by the
        store's local time, and say where."""
        local = self.now().astimezone(zone(self.source.tz_name(self.store_name)))
        try:
            path = save_screen(self, self.store_name, local)
        except OSError as exc:
            self.notify(_("screenshot not saved: {error}").format(error=exc), severity="error")
            return
        self.notify(str(path), title=_("Screenshot saved"), timeout=15)


def make_app(
    runtime: Runtime,
    *,
    store: str | None = None,
    at: datetime | None = None,
    collect: Collect = "auto",
    live_refresh: bool = True,
    unicode: bool | None = None,
    blink: bool = True,
) -> OpsboardApp:
    """The dashboard, as the CLI, the tests and the screenshots build it.

    ``collect="never"`` makes a viewer whatever the lock says; ``live_refresh=False`` loads
    once per request and never on a timer (for deterministic tests and screenshots).
    """
    return OpsboardApp(
        runtime,
        store=store,
        at=at,
        collect=collect,
        live_refresh=live_refresh,
        unicode=unicode,
        blink=blink,
    )

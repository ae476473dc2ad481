"""The command palette's dashboard commands: store, period, alerts, refresh, screenshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial

from textual.app import SystemCommand
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from opsboard.i18n import N_, _
from opsboard.text import inert
from opsboard.tui.dashboard import dashboard_of
from opsboard.tui.widgets.traffic import label_of
from opsboard.views.overview import CHART_METRICS

#: An alert's severity and state as its palette entry says them.
_WORDS = {
    "critical": N_("critical"),
    "warning": N_("warning"),
    "info": N_("info"),
    "firing": N_("firing"),
    "pending": N_("pending"),
    "strategic": N_("strategic"),
    "resolved": N_("resolved"),
}


class DashboardCommands(Provider):
    """Commands built from the dashboard's current stores and alerts."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = dashboard_of(self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                _("Store: all stores"),
                partial(app.set_store, None),
                _("figures summed over every store"),
            ),
        ]
        for name in app.store_names:
            commands.append(
                (
                    _("Store: {store}").format(store=name),
                    partial(app.set_store, name),
                    _("show this store"),
                )
            )
        commands += [
            (_("Period: live (today)"), app.action_live, _("back to live data")),
            (_("Period: yesterday"), partial(app.replay_day, 1), _("replay yesterday's close")),
            (_("Period: same day last week"), partial(app.replay_day, 7), _("replay last week")),
            (_("Replay: one hour back"), partial(app.action_step, -1),
             _("step back through history")),
            (_("View: Overview"), partial(app.switch_mode, "overview"),
             _("traffic, promotion, alerts")),
            (_("View: SKU movers"), partial(app.switch_mode, "movers"), _("SKUs that moved")),
            (
                _("View: files and sources"),
                partial(app.switch_mode, "sources"),
                _("each file loaded or refused, each source's health, where files go"),
            ),
            (_("View: plans"), partial(app.switch_mode, "plans"),
             _("each target: done, time, days left, needed per day")),
            (_("View: morning review"), app.action_review,
             _("yesterday: what moved, why, what to do")),
            (_("Refresh now"), app.refresh_data, _("read the store again")),
            (_("Save a screenshot"), app.action_save_screenshot, _("an SVG of the screen")),
            (_("Acknowledge selected alert"), app.ack_selected, _("with a note")),
            (_("Silence selected alert"), app.silence_selected, _("for a while")),
        ]  # fmt: skip
        for metric in CHART_METRICS:
            commands.append(
                (
                    _("Chart: {metric}").format(metric=label_of(metric)),
                    partial(app.set_chart_metric, metric),
                    _("hourly chart"),
                )
            )
        for alert in app.visible_alerts:
            commands.append(
                (
                    inert(
                        _("Alert: {rule} {scope}").format(rule=alert.rule, scope=alert.scope_label)
                    ),
                    partial(app.jump_to_alert, alert.id),
                    inert(
                        _("{severity} {state}: {message}").format(
                            severity=_(_WORDS.get(alert.severity, alert.severity)),
                            state=_(_WORDS.get(alert.state, alert.state)),
                            message=alert.message,
                        )
                    ),
                )
            )
        return commands

    async def discover(self) -> Hits:
        """Every command, before anything is typed."""
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands matching what was typed."""
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


#: Textual's own palette words, marked here so that the catalog holds their Chinese.
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Search for commands…"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def localized(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands (theme, keys, screenshot, quit) in the language in use."""
    for command in commands:
        yield command._replace(title=_(command.title), help=_(command.help))


def command_palette() -> CommandPalette:
    """The command palette, its search box prompting in the language in use."""
    return CommandPalette(placeholder=_("Search for commands…"), id="--command-palette")

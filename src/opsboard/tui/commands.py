"""The command palette's dashboard commands: store, period, alerts, refresh, screenshot."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from opsboard.text import inert
from opsboard.tui.dashboard import dashboard_of
from opsboard.tui.widgets.traffic import label_of
from opsboard.views.overview import CHART_METRICS


class DashboardCommands(Provider):
    """Commands built from the dashboard's current stores and alerts."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = dashboard_of(self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Store: all stores", partial(app.set_store, None), "figures summed over every store"),
        ]
        for name in app.store_names:
            commands.append((f"Store: {name}", partial(app.set_store, name), "show this store"))
        commands += [
            ("Period: live (today)", app.action_live, "back to live data"),
            ("Period: yesterday", partial(app.replay_day, 1), "replay yesterday's close"),
            ("Period: same day last week", partial(app.replay_day, 7), "replay last week"),
            ("Replay: one hour back", partial(app.action_step, -1), "step back through history"),
            ("View: Overview", partial(app.switch_mode, "overview"), "traffic, promotion, alerts"),
            ("View: SKU movers", partial(app.switch_mode, "movers"), "SKUs that moved"),
            (
                "View: files and sources",
                partial(app.switch_mode, "sources"),
                "each file loaded or refused, each source's health, where files go",
            ),
            (
                "View: plans",
                partial(app.switch_mode, "plans"),
                "each target: done, time, days left, needed per day",
            ),
            ("View: morning review", app.action_review, "yesterday: what moved, why, what to do"),
            ("Refresh now", app.refresh_data, "read the store again"),
            ("Save a screenshot", app.action_save_screenshot, "an SVG of the screen"),
            ("Acknowledge selected alert", app.ack_selected, "with a note"),
            ("Silence selected alert", app.silence_selected, "for a while"),
        ]
        for metric in CHART_METRICS:
            commands.append(
                (
                    f"Chart: {label_of(metric)}",
                    partial(app.set_chart_metric, metric),
                    "hourly chart",
                )
            )
        for alert in app.visible_alerts:
            commands.append(
                (
                    inert(f"Alert: {alert.rule} {alert.scope_label}"),
                    partial(app.jump_to_alert, alert.id),
                    inert(f"{alert.severity} {alert.state}: {alert.message}"),
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

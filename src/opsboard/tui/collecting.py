"""Collector or viewer, and the hand-over between dashboards.

A dashboard started where no collector runs collects in-process; the others view. A viewer
checks the collector lock once per poll interval and takes collecting over as soon as the
lock is free (the collector quit, or its process is gone), so that collection never stops
while a dashboard is open. Quitting the collecting dashboard asks first when other
dashboards view the same database, and says that collection stops when none does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any, Literal

from textual import work
from textual.app import App

from opsboard.collect.inprocess import InProcessCollector
from opsboard.i18n import N_, _
from opsboard.runtime import Runtime
from opsboard.views.collecting import Collecting, CollectorStatus
from opsboard.views.source import DashboardSource

log = logging.getLogger(__name__)

Collect = Literal["auto", "never"]

#: The longest a viewer waits between two looks at the collector lock.
CHECK_AT_MOST_EVERY = timedelta(seconds=60)
#: The shortest: a drop folder polled twice a second need not be watched that often.
CHECK_AT_LEAST_EVERY = timedelta(seconds=0.5)


#: Seconds between two looks at the database by the collecting dashboard itself: it only
#: refreshes its "polled at" line (a look a poll, twice a second, cost more than the polls).
CHECK_WHILE_COLLECTING = 10.0


def check_interval(runtime: Runtime) -> float:
    """Seconds between a viewer's looks at the collector lock: its shortest poll interval
    (capped at a minute), so that it takes over within one poll interval."""
    intervals = [a.poll_interval for a in runtime.settings.adapters if a.enabled]
    shortest = min([*intervals, CHECK_AT_MOST_EVERY])
    return max(shortest, CHECK_AT_LEAST_EVERY).total_seconds()


class CollectingApp(App[None]):
    """The dashboard's part that collects, or watches for the chance to."""

    runtime: Runtime
    source: DashboardSource
    collect: Collect

    def init_collecting(self) -> None:
        """Set the state (called from ``__init__`` once the runtime and source are set)."""
        self.role = "viewer"
        self.collector: InProcessCollector | None = None
        self._collecting = CollectorStatus(Collecting.NOBODY)
        #: The other process last seen collecting, for the note when this one takes over.
        self.last_collector = ""
        self.collector_failure = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._checked_at = -CHECK_WHILE_COLLECTING

    @property
    def collecting(self) -> CollectorStatus:
        """Who collects, as last seen."""
        return self._collecting

    @collecting.setter
    def collecting(self, status: CollectorStatus) -> None:
        self._collecting = status
        if status.collecting is Collecting.ELSEWHERE:
            self.last_collector = status.holder

    def refresh_data(self) -> None:
        """Load the shown screen's data again now (the app's refresh loop)."""
        raise NotImplementedError

    def refresh_status(self) -> None:
        """Redraw the status bar with the newest collector status."""
        raise NotImplementedError

    # -- starting, taking over, stopping ------------------------------------------------

    def start_collecting(self) -> None:
        """Collect if no other process does; otherwise view, and watch the lock."""
        self._loop = asyncio.get_running_loop()
        if self.collect != "auto":
            return
        collector = self._new_collector()
        if collector.claim():
            self._collect_with(collector)
        else:
            self.source.attach_viewer(True)
        if self.runtime.settings.adapters:
            self.set_interval(check_interval(self.runtime), self._look_at_collector)

    def _new_collector(self) -> InProcessCollector:
        loop = self._loop
        assert loop is not None

        # Never block the collector's thread on the screen: post, do not wait.
        def collected(report: Any) -> None:
            loop.call_soon_threadsafe(self._collected, report)

        def failed(error: str) -> None:
            loop.call_soon_threadsafe(self._collector_failed, error)

        return InProcessCollector(self.runtime, collected, failed)

    def _collect_with(self, collector: InProcessCollector) -> None:
        self.collector = collector
        self.role = "collector"
        self.source.attach_viewer(False)
        collector.start()
        self.collecting = CollectorStatus(Collecting.HERE)

    def _look_at_collector(self) -> None:
        """A viewer looks every poll interval (to take over within one); the collector
        itself only every ``CHECK_WHILE_COLLECTING`` seconds."""
        now = time.monotonic()
        if self.collector is not None and now - self._checked_at < CHECK_WHILE_COLLECTING:
            return
        self._checked_at = now
        self._check_collector()

    @work(thread=True, group="collector", exclusive=True, exit_on_error=False)
    def _check_collector(self) -> None:
        """Take collecting over when nobody holds the lock; keep the status bar true."""
        if self.collector is None and not self.collector_failure:
            self.source.attach_viewer(True)  # again: a probe may have kept it out
            if not self.source.collector_running():
                collector = self._new_collector()
                if collector.claim():
                    self.call_from_thread(self._took_over, collector)
                    return
        status = self.source.collector_status(
            collecting_here=self.collector is not None, failure=self.collector_failure
        )
        self.call_from_thread(self._show_status, status)

    def _show_status(self, status: CollectorStatus) -> None:
        if status != self.collecting:
            self.collecting = status
            self.refresh_status()

    def _took_over(self, collector: InProcessCollector) -> None:
        before = self.last_collector or _("the collector")
        self._collect_with(collector)
        self.notify(
            _(
                "{before} stopped: this dashboard collects now (polls the sources, sends alerts)"
            ).format(before=before),
            title=_("Collecting"),
            timeout=15,
        )
        self.refresh_status()
        self.refresh_data()

    def _collector_failed(self, error: str) -> None:
        """The in-process collector stopped: free the lock so that another can collect."""
        stopped = _("collection stopped: {error}").format(error=error)
        self.notify(stopped, severity="error", timeout=30)
        self.role = "collector (stopped)"
        self.collector_failure = error
        collector, self.collector = self.collector, None
        if collector is not None:
            self._close_collector(collector)
        reason = _("collection failed: {error}").format(error=error)
        self.collecting = CollectorStatus(Collecting.NOBODY, reason=reason)
        self.refresh_data()

    @work(thread=True, group="collector-close", exit_on_error=False)
    def _close_collector(self, collector: InProcessCollector) -> None:
        collector.close()

    def _collected(self, report: Any) -> None:
        """After a collection cycle that wrote points: show them at once."""
        if getattr(report, "total_points", 0) or getattr(report, "failed", None):
            self.refresh_data()

    def stop_collecting(self) -> None:
        """Stop collecting and stop counting as a viewer (on unmount)."""
        if self.collector is not None:
            self.collector.close()
            self.collector = None
        self.source.attach_viewer(False)

    # -- quitting ------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; the collecting dashboard asks first when other dashboards view the data."""
        if self.collector is None:
            self.exit()
            return
        if not await asyncio.to_thread(self.source.viewers_attached):
            self.exit(message=_(NOBODY_COLLECTS))
            return
        from opsboard.tui.screens.quit import QuitPrompt

        def answered(quit: bool | None) -> None:
            if quit:
                self.exit(message=_(HANDED_OVER))

        self.push_screen(QuitPrompt(check_interval(self.runtime)), answered)


#: Said in the terminal after the collecting dashboard quits.
NOBODY_COLLECTS = N_(
    "opsboard: this dashboard was collecting and no other dashboard is open: nothing is "
    "polled and no alert is sent until `opsboard` or `opsboard watch` runs again"
)
HANDED_OVER = N_(
    "opsboard: this dashboard was collecting; another dashboard open on the database "
    "takes collecting over"
)

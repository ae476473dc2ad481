"""The dashboard's one connection to the store, shared by its worker threads.

Textual-free. Reads build the snapshots the screens show; the only writes are
acknowledgements and silences (a viewer writes nothing else). A lock keeps two workers
from using the connection at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opsboard.i18n import _
from opsboard.paths import default_config_path
from opsboard.query.plans import all_targets
from opsboard.runtime import Runtime
from opsboard.storage import meta
from opsboard.storage.store import Store
from opsboard.timeutil import DEFAULT_TIMEZONE, zone
from opsboard.views import alerts as data
from opsboard.views import sources
from opsboard.views.alert_story import AlertStory, load_story
from opsboard.views.channel_sources import ChannelSources, load_channel_sources
from opsboard.views.collecting import CollectorStatus, collector_status
from opsboard.views.movers import MoversLoader, MoversView
from opsboard.views.overview import Overview, OverviewLoader
from opsboard.views.plans import PlansView, load_plans
from opsboard.views.sources import FileRow, SourcesView


@dataclass(frozen=True, slots=True)
class Request:
    """What one refresh cycle loads: which view, for which store, at which instant."""

    kind: str
    store: str | None
    at: datetime
    live: bool
    chart_metric: str = "uv"
    sku: tuple[str, str] | None = None


class DashboardSource:
    """Loads what the screens show; records acknowledgements and silences."""

    def __init__(self, runtime: Runtime, store: Store) -> None:
        self.runtime = runtime
        self.store = store
        store.keep_open()  # a dashboard stays open all day, as the headless mode does
        self.engine = runtime.engine(store)
        self.overview_loader = OverviewLoader(store, self.engine, runtime.settings)
        self.movers_loader = MoversLoader(self.engine, runtime.settings)
        self.lock = threading.Lock()

    def fingerprint(self) -> tuple[object, ...]:
        """A cheap summary of what the screens show; it changes when anything they show does.

        New points always come with an ingest record; alerts, acknowledgements, silences and
        source states have their own rows (see ``opsboard.storage.meta.changes_fingerprint``).
        """
        with self.lock:
            return meta.changes_fingerprint(self.store)

    def stores(self) -> list[str]:
        """Stores with data, then configured stores without data yet."""
        with self.lock:
            known = self.store.stores()
        return known + [s.name for s in self.runtime.settings.stores if s.name not in known]

    def tz_name(self, store: str | None) -> str:
        """The time zone the title bar shows times in."""
        if store:
            return self.runtime.settings.store(store).timezone
        configured = self.runtime.settings.stores
        return configured[0].timezone if configured else DEFAULT_TIMEZONE

    def load(self, request: Request) -> Overview | MoversView | SourcesView | PlansView:
        """The data of one view (runs in a worker thread)."""
        with self.lock:
            if request.kind == "movers":
                return self._movers(request)
            if request.kind == "sources":
                return self._sources(request)
            if request.kind == "plans":
                return self._plans(request)
            return self.overview_loader.load(
                store_name=request.store,
                at=request.at,
                live=request.live,
                chart_metric=request.chart_metric,
            )

    def _movers(self, request: Request) -> MoversView:
        movers = self.movers_loader.load(store_name=request.store, at=request.at)
        chosen = None
        if request.sku is not None:
            chosen = next((m for m in movers if (m.store, m.sku) == request.sku), None)
        elif movers:
            chosen = movers[0]
        chart = (
            self.movers_loader.hourly(store_name=chosen.store, sku=chosen.sku, at=request.at)
            if chosen is not None
            else None
        )
        return MoversView(
            at=request.at,
            live=request.live,
            tz_name=self.tz_name(request.store),
            movers=movers,
            chosen=chosen,
            chart=chart,
            health=tuple(data.load_health(self.store)),
        )

    def _plans(self, request: Request) -> PlansView:
        settings = self.runtime.settings
        names = (
            [request.store]
            if request.store
            else sorted({t.store for t in all_targets(settings, self.store)})
        )
        return load_plans(
            self.store,
            self.engine,
            settings,
            names=names,
            at=request.at,
            live=request.live,
            tz_name=self.tz_name(request.store),
        )

    def _sources(self, request: Request) -> SourcesView:
        config = self.runtime.config_path
        return sources.load_sources(
            self.store,
            self.runtime.settings,
            at=request.at,
            tz_name=self.tz_name(request.store),
            config_path=str(config if config is not None else default_config_path()),
            # The demo configures itself without a file.
            has_config=config is not None
            or bool(self.runtime.settings.stores or self.runtime.settings.adapters),
            store_name=request.store,
        )

    def collector_status(self, *, collecting_here: bool, failure: str = "") -> CollectorStatus:
        """Who collects for the database now (this dashboard, another process, nobody)."""
        with self.lock:
            return collector_status(
                self.store,
                collecting_here=collecting_here,
                has_sources=bool(self.runtime.settings.adapters),
                failure=failure,
            )

    def collector_running(self) -> bool:
        """True when some process holds the collector lock."""
        with self.lock:
            return self.store.collector_running()

    def newest_ingest(self) -> int:
        """The id of the newest load: files after it are news."""
        with self.lock:
            return self.store.newest_ingest()

    def new_files(self, after: int) -> list[FileRow]:
        """Files loaded or refused after ingest ``after``, oldest first."""
        with self.lock:
            return sources.new_files(self.store, self.runtime.settings, after)

    def attach_viewer(self, attached: bool) -> None:
        """Count this dashboard among the viewers of the database, or stop counting it."""
        with self.lock:
            if attached:
                self.store.viewer_mark.hold()
            else:
                self.store.viewer_mark.release()

    def viewers_attached(self) -> bool:
        """True when another dashboard views the database."""
        with self.lock:
            return self.store.viewer_mark.others_attached()

    def acknowledge(self, alert_id: int, note: str, at: datetime) -> None:
        """Record an acknowledgement by the current user."""
        with self.lock:
            data.acknowledge(self.store, alert_id, note=note, by=data.current_user(), at=at)

    def silence(self, alert: data.AlertRow, duration: timedelta, at: datetime) -> datetime:
        """Silence the alert's rule for its store and scope."""
        with self.lock:
            return data.silence(
                self.store,
                rule=alert.rule,
                store_name=alert.store,
                scope=alert.scope,
                duration=duration,
                by=data.current_user(),
                reason=_("from the dashboard"),
                at=at,
            )

    def alert_story(self, alert: data.AlertRow, at: datetime) -> AlertStory:
        """Everything known about ``alert`` at ``at``, its times in its store's zone."""
        with self.lock:
            return load_story(self.store, alert, at=at, tz=zone(self.tz_name(alert.store or None)))

    def review_day(self, store: str, at: datetime) -> date:
        """The day before the one ``at`` falls on in ``store``'s own time zone."""
        from opsboard.review import default_day

        return default_day(self.runtime, store, at)

    def review_markdown(self, store: str | None, at: datetime) -> str:
        """The morning review as Markdown, for one store or every store.

        Each store is reviewed for its own yesterday: at 06:00 in Shanghai it is still the
        evening before in Los Angeles, whose yesterday is a day earlier.
        """
        from opsboard.review import render_many, yesterdays_reviews

        names = [store] if store else self.stores()
        if not names:
            return _("No store has data yet: there is nothing to review.")
        with self.lock:
            reviews = yesterdays_reviews(self.runtime, self.store, names, at=at)
        return render_many(reviews, "markdown")

    def channel_sources(self, store: str | None, at: datetime) -> ChannelSources:
        """Each channel and its traffic sources on each store's latest day with sources."""
        settings = self.runtime.settings
        names = [store] if store else self.stores()
        with self.lock:
            return load_channel_sources(
                self.store,
                self.engine,
                names,
                self.runtime.tz_for,
                lambda name: settings.store(name).currency,
                at,
            )

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.store.close()

"""The platform API adapter: polls an HTTP JSON API (the simulated one, or a real platform
built the same way) and hands the collector hourly points with their bookmarks.

Each store's traffic and ad records are read incrementally with ``since`` (the newest
``updated_at`` committed so far, kept as a bookmark that commits with the points), then
the last ``lookback_hours`` are read again so that figures the platform restated replace
the old ones. Campaign budgets are read per day of the store's calendar.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, field_validator

from opsboard.adapters import Adapter, AdapterContext, AdapterOptions, Batch
from opsboard.config import Secret
from opsboard.models import Grain, HealthState, MetricPoint, SourceHealth
from opsboard.timeutil import local_midnight
from opsboard_mockapi.client import ApiClient, ApiError, AuthError, CallStats
from opsboard_mockapi.health import HealthBook, StorePoll, judge
from opsboard_mockapi.records import BadRecord, PageResult, iso_z, parse_instant, read_page

if TYPE_CHECKING:
    from opsboard_mockapi.runner import Simulator

log = logging.getLogger(__name__)

FORMAT = "platform-api"
DATASETS = ("traffic", "ads")


class PlatformApiOptions(AdapterOptions):
    """Options of the platform API adapter (`type = "api"`)."""

    base_url: AnyHttpUrl
    """The API's address, e.g. `http://127.0.0.1:8765` (the simulated platform)."""

    token: Secret
    """The bearer token: write `${ENV_VAR}` to take it from the environment. Never printed."""

    stores: list[str] = Field(default_factory=list)
    """Store ids to read; empty reads every store the API lists."""

    lookback_hours: int = Field(default=3, ge=0, le=72)
    """Hours re-read on every poll, so that figures the platform restated replace old ones."""

    backfill_days: int = Field(default=2, ge=0, le=90)
    """Days of history read on the first poll (the platform may keep less)."""

    timeout: float = Field(default=10.0, gt=0, le=300)
    """Seconds to wait for an answer before retrying."""

    max_retries: int = Field(default=4, ge=0, le=20)
    """Retries of a failed request (timeouts, 5xx, 429, broken JSON) before giving up."""

    backoff: float = Field(default=0.5, gt=0, le=60)
    """Seconds before the first retry; doubled on each retry, with jitter."""

    max_retry_after: float = Field(default=120.0, ge=0)
    """The longest `Retry-After` honoured within a poll; longer ones end the poll."""

    requests_per_minute: int = Field(default=300, ge=1, le=100_000)
    """The most requests sent in any minute (the platform's quota)."""

    page_size: int = Field(default=500, ge=1, le=1000)
    """Records asked for per page."""

    include_partial_hour: bool = True
    """Store the current hour's figures so far (replaced once the hour has ended)."""

    slow_after: float = Field(default=5.0, gt=0)
    """Answers slower than this many seconds mark the source as slow."""

    stale_after_hours: float = Field(default=3.0, gt=0)
    """A store whose newest figures are older than this is reported stale."""

    auth_retry_minutes: float = Field(default=15.0, ge=0)
    """After the token is refused, wait this long before asking the API again."""

    @field_validator("base_url")
    @classmethod
    def _http_only(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.query or value.fragment:
            raise ValueError("give the API's base address without a query or fragment")
        return value


class PlatformApiAdapter(Adapter):
    """Reads hourly traffic, ad performance and budgets from a platform's HTTP API."""

    Options: ClassVar[type[AdapterOptions]] = PlatformApiOptions
    description: ClassVar[str] = "platform HTTP API (and the bundled simulated platform)"

    def __init__(self, options: AdapterOptions, context: AdapterContext) -> None:
        super().__init__(options, context)
        assert isinstance(options, PlatformApiOptions)
        self.settings: PlatformApiOptions = options
        self.base_url = str(options.base_url).rstrip("/")
        self.client = ApiClient(
            self.base_url,
            options.token.get_secret_value(),
            timeout=options.timeout,
            max_retries=options.max_retries,
            requests_per_minute=options.requests_per_minute,
            backoff=options.backoff,
            max_retry_after=options.max_retry_after,
        )
        self.book = HealthBook(context.source, context.clock)
        self._newest_hour: dict[str, datetime] = {}
        self._auth_blocked_until: datetime | None = None
        self._known_stores: list[str] = list(options.stores)

    # -- the simulated platform ------------------------------------------------------------

    @classmethod
    def serve(
        cls,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        seed: int = 7,
        fault_rate: float = 0.0,
        speed: float = 1.0,
    ) -> None:
        """Serve the simulated platform API in the foreground until interrupted."""
        from opsboard_mockapi.runner import Simulator

        Simulator(
            host=host, port=port, seed=seed, fault_rate=fault_rate, speed=speed
        ).serve_forever()

    @classmethod
    def start_simulator(
        cls,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        speed: float = 1.0,
        fault_rate: float = 0.0,
        start: datetime | None = None,
        slow_seconds: float = 3.0,
        retry_after: int = 1,
    ) -> Simulator:
        """Start the simulated platform in a background thread; ``.stop()`` it when done."""
        from opsboard_mockapi.runner import Simulator

        return Simulator(
            host=host,
            port=port,
            seed=seed,
            speed=speed,
            fault_rate=fault_rate,
            start=start,
            slow_seconds=slow_seconds,
            retry_after=retry_after,
        ).start()

    # -- polling ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.client.aclose()

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        """Read what changed since ``bookmarks`` for every store, one batch per page."""
        now = self.context.clock.now()
        if self._auth_blocked_until is not None and now < self._auth_blocked_until:
            return
        self._auth_blocked_until = None
        self.client.stats = CallStats()
        marks = dict(bookmarks)
        try:
            listing = await self.client.get_json("/v1/stores")
            server_now = parse_instant(listing["server_time"], "server_time")
        except AuthError as exc:
            self._auth_failed(exc)
            return
        except (ApiError, BadRecord) as exc:
            self._whole_source_failed(str(exc), getattr(exc, "rate_limited", False))
            return
        listed = {str(s["id"]): s for s in listing["data"] if isinstance(s, dict) and s.get("id")}
        wanted = self.settings.stores or list(listed)
        self._known_stores = wanted
        for name in wanted:
            outcome = StorePoll(name)
            self.client.stats = CallStats()
            if name not in listed:
                outcome.failure = ApiError(
                    f"the API lists no store {name!r} (it has: {', '.join(listed) or 'none'})"
                )
                self._report(outcome, server_now)
                continue
            tz = self._zone(name, listed[name].get("timezone"))
            try:
                async for batch in self._poll_store(outcome, tz, server_now, marks):
                    yield batch
            except AuthError as exc:
                self._auth_failed(exc)
                return
            except ApiError as exc:
                outcome.failure = exc
            self._report(outcome, server_now)

    def _zone(self, store: str, listed: object) -> tzinfo:
        """The store's days: as configured, else as the API lists them, else the default."""
        if any(s.name == store for s in self.context.settings.stores) or not listed:
            return self.context.tz(store)
        try:
            return ZoneInfo(str(listed))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("%s: the API gives %s an unknown time zone %r", self.source, store, listed)
            return self.context.tz(store)

    async def _poll_store(
        self, outcome: StorePoll, tz: tzinfo, server_now: datetime, marks: dict[str, str]
    ) -> AsyncIterator[Batch]:
        store = outcome.name
        this_hour = server_now.replace(minute=0, second=0, microsecond=0)
        for dataset in DATASETS:
            key = f"{store}:{dataset}"
            path = f"/v1/stores/{store}/{dataset}"
            params: dict[str, Any] = {"limit": self.settings.page_size}
            since = marks.get(key)
            if since:
                # Everything updated since, however long ago the last poll was.
                params["since"] = since
            else:
                backfill = timedelta(days=self.settings.backfill_days)
                params["start"] = iso_z(this_hour - backfill)
            clean = True
            async for page in self.client.pages(path, params):
                result = self._read(page, dataset, store, outcome)
                mark = result.bookmark
                moved = mark is not None and mark != marks.get(key)
                if result.points or moved:
                    yield self._batch(result, store, path, {key: mark} if mark and moved else {})
                    if mark and moved:
                        marks[key] = mark
                if result.rejected:
                    clean = False
                    break
            if clean and since and self.settings.lookback_hours:
                recent = this_hour - timedelta(hours=self.settings.lookback_hours)
                params = {"start": iso_z(recent), "limit": self.settings.page_size}
                async for page in self.client.pages(path, params):
                    result = self._read(page, dataset, store, outcome)
                    if result.points:
                        yield self._batch(result, store, path + " (look-back)", {})
                    if result.rejected:
                        break
        async for batch in self._budgets(store, tz, server_now, marks):
            yield batch

    async def _budgets(
        self, store: str, tz: tzinfo, server_now: datetime, marks: dict[str, str]
    ) -> AsyncIterator[Batch]:
        key = f"{store}:budgets"
        today = server_now.astimezone(tz).date()
        first = (server_now - timedelta(days=self.settings.backfill_days)).astimezone(tz).date()
        if marks.get(key):
            first = max(first, date.fromisoformat(marks[key]))
        path = f"/v1/stores/{store}/budgets"
        page = await self.client.get_json(
            path, {"start_day": first.isoformat(), "end_day": today.isoformat()}
        )
        points = []
        for row in page["data"]:
            try:
                day = date.fromisoformat(str(row["day"]))
                budget = row["budget"]
                if isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0:
                    raise ValueError(f"budget {budget!r} is not a non-negative number")
                points.append(
                    MetricPoint(
                        store,
                        local_midnight(day, tz),
                        Grain.DAY.value,
                        "budget",
                        float(budget),
                        str(row.get("channel") or ""),
                        str(row.get("campaign") or ""),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                # One bad budget row leaves the day's budgets and the bookmark alone.
                log.warning("%s: refused budget row %r: %s", self.source, row, exc)
                return
        # Today's budgets can still change, so the bookmark stays on today.
        yield Batch(
            points=points,
            bookmarks={key: today.isoformat()},
            origin=f"{self.base_url}{path}",
            format=FORMAT,
            store=store,
            on_reject=lambda reason: self._refused_by_store(store, reason),
        )

    def _read(
        self, page: dict[str, Any], dataset: str, store: str, outcome: StorePoll
    ) -> PageResult:
        result = read_page(
            page["data"], dataset, store, include_partial=self.settings.include_partial_hour
        )
        for reason in result.rejected:
            log.warning("%s: %s %s: refused %s", self.source, store, dataset, reason)
        outcome.rejected.extend(result.rejected)
        outcome.points += len(result.points)
        if result.newest_hour is not None:
            newest = self._newest_hour.get(store)
            if newest is None or result.newest_hour > newest:
                self._newest_hour[store] = result.newest_hour
        return result

    def _batch(self, result: PageResult, store: str, path: str, bookmarks: dict[str, str]) -> Batch:
        return Batch(
            raw=result.points,
            bookmarks=bookmarks,
            origin=f"{self.base_url}{path}",
            format=FORMAT,
            store=store,
            on_reject=lambda reason: self._refused_by_store(store, reason),
        )

    # -- health ----------------------------------------------------------------------------

    def _refused_by_store(self, store: str, reason: str) -> None:
        """The database refused a page: the poll ends there and the store is failing."""
        self.book.set(store, HealthState.FAILING, f"a page was not stored: {reason}")

    def _report(self, outcome: StorePoll, server_now: datetime) -> None:
        stats = self.client.stats
        state, reason = judge(
            outcome,
            stats,
            newest_hour=self._newest_hour.get(outcome.name),
            server_now=server_now,
            slow_after=self.settings.slow_after,
            stale_after=timedelta(hours=self.settings.stale_after_hours),
        )
        detail = {**stats.as_dict(), "points": outcome.points, "rejected": len(outcome.rejected)}
        self.book.set(outcome.name, state, reason, detail)

    def _whole_source_failed(self, reason: str, rate_limited: bool) -> None:
        state = HealthState.RATE_LIMITED if rate_limited else HealthState.FAILING
        self.book.set_all(self._known_stores, state, reason)

    def _auth_failed(self, exc: AuthError) -> None:
        wait = timedelta(minutes=self.settings.auth_retry_minutes)
        self._auth_blocked_until = self.context.clock.now() + wait
        if exc.expired:
            reason = (
                "the API token has expired: create a new one on the platform and update the "
                f"token option; next try in {self.settings.auth_retry_minutes:g} min"
            )
        else:
            reason = f"{exc}: check the token option; next try in {wait.total_seconds() / 60:g} min"
        log.warning("%s: %s", self.source, reason)
        self._whole_source_failed(reason, False)

    def health(self) -> list[SourceHealth]:
        """The health of the source and of each store it reads."""
        return self.book.entries()

"""The platform API adapter: polls an HTTP JSON API (the simulated one, or a real platform
built the same way) and hands the collector hourly points with their bookmarks.

Each store's traffic and ad records are read incrementally with ``since`` (the newest
``updated_at`` committed so far, kept as a bookmark that commits with the points), then
the last ``lookback_hours`` of ended hours are read again so that figures the platform
restated replace the old ones. Campaign budgets are read per day of the store's calendar.
What one poll reads for a store is handed over as one batch (one ingest), split only
when it is large (a backfill).

A platform that asks to wait longer than ``max_retry_after`` (a 429 with a long
``Retry-After``, or 429s until the retries ran out) gets no request, for any store, until
the time it named; that time is kept as a bookmark, so a restart waits too.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, ClassVar

from opsboard.adapters.api import (
    Adapter,
    AdapterContext,
    AdapterOptions,
    Batch,
    Names,
    SourceHealth,
    _,
    floor_hour,
    local_day,
    local_midnight,
)
from opsboard_api.client import ApiClient, ApiError, AuthError, CallStats, RateLimited
from opsboard_api.health import StorePoll
from opsboard_api.listing import Listing, read_budgets, read_listing
from opsboard_api.options import PlatformApiOptions
from opsboard_api.records import BadRecord, PageResult, RevisedPoints, iso_z, parse_instant
from opsboard_api.records import read_page as read_records
from opsboard_api.tracking import SourceWatch
from opsboard_api.wire import DATASETS

__all__ = ["FORMAT", "PlatformApiAdapter", "PlatformApiOptions"]

log = logging.getLogger(__name__)

FORMAT = "platform-api"
#: Points gathered before a store's poll hands them over. A steady poll of a store fits
#: in one batch; a backfill is split so that memory stays bounded and its pages commit
#: while the next ones download.
BATCH_POINTS = 10_000


class StoreBatch:
    """The points and bookmarks of one store's poll, not yet handed to the collector."""

    def __init__(self, adapter: PlatformApiAdapter, store: str) -> None:
        self.adapter = adapter
        self.store = store
        self.points = RevisedPoints()
        self.names: Names = {}
        self.bookmarks: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.points) or bool(self.bookmarks)

    @property
    def full(self) -> bool:
        """Large enough to hand over now."""
        return len(self.points) >= BATCH_POINTS

    def take(self) -> Batch:
        """The batch so far; the next one starts empty."""
        points, bookmarks, names = self.points, self.bookmarks, self.names
        self.points, self.bookmarks, self.names = RevisedPoints(), {}, {}
        adapter, store = self.adapter, self.store
        return Batch(
            points=points,
            names=names,
            bookmarks=bookmarks,
            origin=f"{adapter.base_url}/v1/stores" + (f"/{store}" if store else ""),
            format=FORMAT,
            store=store,
            on_reject=lambda reason: adapter.watch.refused_by_store(store, reason),
        )


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
        self.watch = SourceWatch(context.source, context.clock, options)
        self._newest_hour: dict[str, datetime] = {}
        #: When each store's recent hours were last read again (the platform's time).
        self._looked_back: dict[str, datetime] = {}

    # -- polling ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.client.aclose()

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        """Read what changed since ``bookmarks`` for every store, one batch per store."""
        marks = dict(bookmarks)
        watch = self.watch
        watch.remember_bookmarks(marks)
        if watch.waiting(marks):
            return
        self.client.stats = CallStats()
        try:
            answer = await self.client.get_json("/v1/stores")
            server_now = parse_instant(answer["server_time"], "server_time")
        except AuthError as exc:
            watch.auth_failed(exc)
            return
        except RateLimited as exc:
            yield self._wait_batch(exc, StoreBatch(self, ""))
            return
        except (ApiError, BadRecord) as exc:
            watch.whole_source_failed(str(exc))
            return
        listed_stats = self.client.stats
        listing = read_listing(answer["data"])
        for reason in listing.refused.values():
            log.warning(_("%s: the store listing: refused %s"), self.source, reason)
        watch.remember_listing(listing)
        unnamed = listing.refused.get("")
        watch.book.source_problem(
            _("the API sent a store record that was refused: {reason}").format(reason=unnamed)
            if unnamed
            else ""
        )
        for name in watch.wanted(listing):
            outcome = StorePoll(name)
            # The listing's cost (a timeout, a slow answer) is every store's.
            self.client.stats = dataclasses.replace(listed_stats)
            if name not in listing.stores:
                outcome.failure = ApiError(watch.unlisted(name, listing))
                watch.report(outcome, self.client.stats, self._newest_hour.get(name), server_now)
                continue
            pending = StoreBatch(self, name)
            stop: ApiError | None = None
            try:
                async for batch in self._poll_store(outcome, pending, listing, server_now, marks):
                    yield batch
            except (AuthError, RateLimited) as exc:
                stop = exc
            except ApiError as exc:
                outcome.failure = exc
            if isinstance(stop, RateLimited):
                yield self._wait_batch(stop, pending)
                return
            if pending:
                # What was read before any trouble is sound: it commits with its bookmarks.
                yield pending.take()
            if isinstance(stop, AuthError):
                watch.auth_failed(stop)
                return
            watch.report(outcome, self.client.stats, self._newest_hour.get(name), server_now)

    def _wait_batch(self, exc: RateLimited, pending: StoreBatch) -> Batch:
        """The rate limit noted (and kept as a bookmark) with what was read before it."""
        key, until = self.watch.rate_limited(exc)
        pending.bookmarks[key] = until
        return pending.take()

    def _zone(self, store: str, listing: Listing) -> tzinfo:
        """The store's days: as configured, else as the API lists them, else the default."""
        listed = listing.stores.get(store)
        if any(s.name == store for s in self.context.settings.stores) or listed is None:
            return self.context.tz(store)
        return listed

    async def _poll_store(
        self,
        outcome: StorePoll,
        pending: StoreBatch,
        listing: Listing,
        server_now: datetime,
        marks: dict[str, str],
    ) -> AsyncIterator[Batch]:
        store = outcome.name
        tz = self._zone(store, listing)
        this_hour = floor_hour(server_now)
        # A backfill starts at midnight in the store's calendar, so that its first day is
        # whole (its spend against its whole budget).
        first_day = local_day(server_now, tz) - timedelta(days=self.settings.backfill_days)
        look_back = self._look_back_due(store, server_now)
        for dataset in DATASETS:
            key = f"{store}:{dataset}"
            path = f"/v1/stores/{store}/{dataset}"
            params: dict[str, Any] = {"limit": self.settings.page_size}
            since = marks.get(key)
            if since:
                # Everything updated since, however long ago the last poll was.
                params["since"] = since
            else:
                params["start"] = iso_z(local_midnight(first_day, tz))
            clean = True
            async for page in self.client.pages(path, params):
                result = self._read(page, dataset, outcome, counting=bool(since))
                pending.points.extend(result.points)
                pending.names.update(result.names)
                mark = result.bookmark
                if mark and mark != marks.get(key):
                    pending.bookmarks[key] = marks[key] = mark
                if pending.full:
                    yield pending.take()
                if result.rejected:
                    clean = False
                    break
            if clean and since and look_back:
                # Ended hours only: the running hour came with the read above, and reading it
                # again a moment later would only store its growth twice.
                self._looked_back[store] = server_now
                recent = this_hour - timedelta(hours=self.settings.lookback_hours)
                window = {"start": iso_z(recent), "end": iso_z(this_hour)}
                async for page in self.client.pages(
                    path, {**window, "limit": self.settings.page_size}
                ):
                    result = self._read(page, dataset, outcome, counting=False)
                    pending.points.extend(result.points)
                    pending.names.update(result.names)
                    if pending.full:
                        yield pending.take()
                    if result.rejected:
                        break
        await self._budgets(outcome, pending, tz, server_now, first_day, marks)

    def _look_back_due(self, store: str, now: datetime) -> bool:
        """Whether this poll reads the store's recent ended hours again: every
        ``lookback_every_minutes`` (the first poll with a bookmark, and after a restart)."""
        if not self.settings.lookback_hours:
            return False
        last = self._looked_back.get(store)
        every = timedelta(minutes=self.settings.lookback_every_minutes)
        return last is None or not last <= now < last + every

    async def _budgets(
        self,
        outcome: StorePoll,
        pending: StoreBatch,
        tz: tzinfo,
        server_now: datetime,
        first_day: date,
        marks: dict[str, str],
    ) -> None:
        store = outcome.name
        key = f"{store}:budgets"
        today = local_day(server_now, tz)
        first = _day_or(marks.get(key), first_day)
        page = await self.client.get_json(
            f"/v1/stores/{store}/budgets",
            {"start_day": first.isoformat(), "end_day": today.isoformat()},
        )
        rows = read_budgets(page["data"], store, tz, first=first, today=today)
        for reason in rows.rejected:
            log.warning(_("%s: %s budgets: refused %s"), self.source, store, reason)
        outcome.rejected.extend(rows.rejected)
        outcome.points += len(rows.points)
        pending.points.add(rows.points, 0)
        # Today's budgets can still change, so the bookmark stays on today (or on the
        # first day with a refused row, to read it again).
        mark = (rows.bookmark or first).isoformat()
        if mark != marks.get(key):
            pending.bookmarks[key] = marks[key] = mark

    def _read(
        self, page: dict[str, Any], dataset: str, outcome: StorePoll, *, counting: bool
    ) -> PageResult:
        store = outcome.name
        result = read_records(
            page["data"], dataset, store, include_partial=self.settings.include_partial_hour
        )
        for reason in result.rejected:
            log.warning(_("%s: %s %s: refused %s"), self.source, store, dataset, reason)
        outcome.rejected.extend(result.rejected)
        outcome.points += len(result.points)
        if counting:
            # Restated since last read; not on a backfill (restated before it was ever
            # read) nor on the look-back (the same hours again).
            outcome.restated += result.restated
        if result.newest_hour is not None:
            newest = self._newest_hour.get(store)
            if newest is None or result.newest_hour > newest:
                self._newest_hour[store] = result.newest_hour
        return result

    def health(self) -> list[SourceHealth]:
        """The health of the source and of each store it reads."""
        return self.watch.book.entries()


def _day_or(text: str | None, default: date) -> date:
    """A bookmark's day, or ``default`` when there is none (or it is unreadable)."""
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        log.warning("ignoring a budgets bookmark that is not a day: %r", text)
        return default

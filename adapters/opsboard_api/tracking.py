"""What the platform API adapter keeps between polls: the health of its source and stores,
which stores the source feeds, and the waits it owes the API.

The stores a source feeds are the configured ones, or (with ``stores = []``) every store
the API listed, the bookmarks name or a health line was kept for: when the API cannot be
read, each of them is reported failing, never left showing ok. A store read before that
the API no longer lists is failing too.

Two waits: after a refused token, ``auth_retry_minutes`` (in memory, so that a restart
after fixing the token tries at once); after being told to wait, the instant the API
named, kept as the bookmark ``not_before`` so that a restart waits too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from opsboard.adapters.api import Clock, HealthState, _
from opsboard_api.client import AuthError, CallStats, RateLimited
from opsboard_api.health import HealthBook, StorePoll, judge
from opsboard_api.listing import Listing
from opsboard_api.options import PlatformApiOptions
from opsboard_api.records import BadRecord, iso_z, parse_instant

log = logging.getLogger(__name__)

#: The bookmark holding the instant before which the API asked for no requests.
NOT_BEFORE = "not_before"
#: How long to wait after 429 answers that did not say how long.
DEFAULT_RATE_WAIT = 60.0


def _utc(instant: datetime) -> str:
    return f"{instant:%Y-%m-%d %H:%M:%S} UTC"


class SourceWatch:
    """The health book of one source, the stores it feeds, and its waits."""

    def __init__(self, source: str, clock: Clock, options: PlatformApiOptions) -> None:
        self.source = source
        self.clock = clock
        self.options = options
        self.book = HealthBook(source, clock)
        self._listed: list[str] = []
        self._bookmarked: set[str] = set()
        self._not_before: datetime | None = None
        self._rate_reason = ""
        self._auth_blocked_until: datetime | None = None
        self._last_restated: dict[str, str] = {}

    # -- which stores --------------------------------------------------------------------

    def remember_bookmarks(self, marks: dict[str, str]) -> None:
        """The stores named by committed bookmarks (``store:dataset``)."""
        self._bookmarked = {key.rpartition(":")[0] for key in marks if ":" in key}

    def remember_listing(self, listing: Listing) -> None:
        """The stores of the API's latest listing, refused records with an id included."""
        self._listed = [*listing.stores, *(s for s in listing.refused if s)]

    def known(self) -> list[str]:
        """Every store this source feeds, as far as it knows."""
        if self.options.stores:
            return list(self.options.stores)
        kept = {h.store for h in self.book.entries() if h.store}
        return sorted(set(self._listed) | self._bookmarked | kept)

    def wanted(self, listing: Listing) -> list[str]:
        """The stores to read now: the configured ones, or the listed ones and any known."""
        if self.options.stores:
            return list(self.options.stores)
        listed = list(listing.stores)
        return listed + sorted(set(self.known()) - set(listed))

    def unlisted(self, store: str, listing: Listing) -> str:
        """Why ``store`` cannot be read from this listing."""
        if store in listing.refused:
            return _("the API's record of the store was refused: {reason}").format(
                reason=listing.refused[store]
            )
        have = ", ".join(listing.stores) or _("none")
        text = (
            _("the API lists no store {store!r} (it has: {have})")
            if self.options.stores
            else _("the API no longer lists store {store!r} (it has: {have})")
        ).format(store=store, have=have)
        if "" in listing.refused:
            text += _("; it sent a store record that was refused: {reason}").format(
                reason=listing.refused[""]
            )
        return text

    # -- waits ---------------------------------------------------------------------------

    def waiting(self, marks: dict[str, str]) -> bool:
        """True when no request may be sent now (health says why)."""
        now = self.clock.now()
        if self._auth_blocked_until is not None:
            if now < self._auth_blocked_until:
                return True
            self._auth_blocked_until = None
        until = self._not_before
        stored = _instant(marks.get(NOT_BEFORE))
        if stored is not None and (until is None or stored > until):
            until = stored
            self._rate_reason = _(
                "rate limited: no requests before {until}, as the API asked"
            ).format(until=_utc(until))
        if until is None or now >= until:
            return False
        self.whole_source_failed(
            self._rate_reason, rate_limited=True, detail={"not_before": iso_z(until)}
        )
        return True

    def rate_limited(self, exc: RateLimited) -> tuple[str, str]:
        """Note that the API asked to wait; the bookmark (key, value) that keeps the wait."""
        wait = exc.wait if exc.wait is not None else DEFAULT_RATE_WAIT
        until = self.clock.now() + timedelta(seconds=wait)
        self._not_before = until
        self._rate_reason = _("{problem}; no requests before {until}").format(
            problem=exc, until=_utc(until)
        )
        log.warning("%s: %s", self.source, self._rate_reason)
        self.whole_source_failed(
            self._rate_reason, rate_limited=True, detail={"not_before": iso_z(until)}
        )
        return NOT_BEFORE, iso_z(until)

    def auth_failed(self, exc: AuthError) -> None:
        """The token was refused: every store fails, and the API rests for a while."""
        minutes = self.options.auth_retry_minutes
        self._auth_blocked_until = self.clock.now() + timedelta(minutes=minutes)
        if exc.expired:
            reason = _(
                "the API token has expired: create a new one on the platform and update the "
                "token option; next try in {minutes:g} min"
            ).format(minutes=minutes)
        else:
            reason = _("{problem}: check the token option; next try in {minutes:g} min").format(
                problem=exc, minutes=minutes
            )
        log.warning("%s: %s", self.source, reason)
        self.whole_source_failed(reason)

    # -- health --------------------------------------------------------------------------

    def whole_source_failed(
        self, reason: str, *, rate_limited: bool = False, detail: dict[str, object] | None = None
    ) -> None:
        """Every store the source feeds, and the source, failing (or rate-limited)."""
        state = HealthState.RATE_LIMITED if rate_limited else HealthState.FAILING
        self.book.set_all(self.known(), state, reason, detail)

    def refused_by_store(self, store: str, reason: str) -> None:
        """The database refused a batch: the poll ends there and the store is failing."""
        self.book.set(
            store,
            HealthState.FAILING,
            _("the figures read were not stored: {reason}").format(reason=reason),
        )

    def report(
        self,
        outcome: StorePoll,
        stats: CallStats,
        newest_hour: datetime | None,
        server_now: datetime,
    ) -> None:
        """A store's health after its poll."""
        state, reason = judge(
            outcome,
            stats,
            newest_hour=newest_hour,
            server_now=server_now,
            slow_after=self.options.slow_after,
            stale_after=timedelta(hours=self.options.stale_after_hours),
        )
        detail: dict[str, object] = {
            **stats.as_dict(),
            "points": outcome.points,
            "rejected": len(outcome.rejected),
            "restated": outcome.restated,
        }
        if outcome.restated:
            self._last_restated[outcome.name] = iso_z(server_now)
            log.info(
                _("%s: %s: the platform restated %d record(s); the new figures replace the old"),
                self.source,
                outcome.name,
                outcome.restated,
            )
        if outcome.name in self._last_restated:
            detail["last_restated"] = self._last_restated[outcome.name]
        self.book.set(outcome.name, state, reason, detail)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(text, NOT_BEFORE)
    except BadRecord:
        log.warning("ignoring a %s bookmark that is not a time: %r", NOT_BEFORE, text)
        return None

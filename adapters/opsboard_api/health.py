"""The health of a platform API source and of each store it reads (DESIGN.md 4.2).

Each store is ok, slow, stale (no new figures for a while), rate-limited or failing with
a reason; the source's own line (store ``""``) is the worst of its stores. ``since`` is
kept while a state holds, and ``last_ok`` is when a store's poll last went well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from opsboard.adapters.api import Clock, HealthState, SourceHealth, _
from opsboard_api.client import ApiError, CallStats

#: Worst first: the source's line shows the worst of its stores.
_SEVERITY = (
    HealthState.FAILING,
    HealthState.RATE_LIMITED,
    HealthState.STALE,
    HealthState.SLOW,
    HealthState.OK,
    HealthState.UNKNOWN,
)


@dataclass
class StorePoll:
    """How one store's poll went."""

    name: str
    rejected: list[str] = field(default_factory=list)
    failure: ApiError | None = None
    points: int = 0
    restated: int = 0
    """Records the platform had restated since they were last read."""


def judge(
    outcome: StorePoll,
    stats: CallStats,
    *,
    newest_hour: datetime | None,
    server_now: datetime,
    slow_after: float,
    stale_after: timedelta,
) -> tuple[HealthState, str]:
    """The state of a store after a poll, and why."""
    if outcome.failure is not None:
        state = HealthState.RATE_LIMITED if outcome.failure.rate_limited else HealthState.FAILING
        return state, str(outcome.failure)
    if outcome.rejected:
        return (
            HealthState.FAILING,
            _("refused {count} record(s): {reason}").format(
                count=len(outcome.rejected), reason=outcome.rejected[0]
            ),
        )
    if newest_hour is not None and server_now - newest_hour > stale_after:
        stamp = newest_hour.astimezone(UTC).isoformat(timespec="minutes")
        return HealthState.STALE, _("the platform has published no figures after {at}").format(
            at=stamp
        )
    if stats.timeouts:
        # Read in the end, but only by asking again: the platform is struggling.
        return (
            HealthState.SLOW,
            _("{count} request(s) got no answer within {seconds:.1f} s and were sent again").format(
                count=stats.timeouts, seconds=stats.slowest
            ),
        )
    if stats.slowest > slow_after:
        return HealthState.SLOW, _("slowest answer took {seconds:.1f} s").format(
            seconds=stats.slowest
        )
    return HealthState.OK, ""


class HealthBook:
    """The latest health of one source, per store, as the adapter reports it."""

    def __init__(self, source: str, clock: Clock) -> None:
        self.source = source
        self.clock = clock
        self._entries: dict[str, SourceHealth] = {}
        self._last_ok: dict[str, datetime] = {}
        self._source_problem = ""

    def source_problem(self, reason: str) -> None:
        """A problem of the source that no store owns (``""`` when there is none): the
        source's line is failing with it while it lasts, whatever its stores say."""
        self._source_problem = reason
        if reason:
            self.set("", HealthState.FAILING, reason)
        else:
            self._roll_up()

    def set(
        self,
        store: str,
        state: HealthState,
        reason: str = "",
        detail: dict[str, object] | None = None,
    ) -> None:
        """Record a store's state (``""`` for the source itself)."""
        now = self.clock.now()
        previous = self._entries.get(store)
        since = previous.since if previous is not None and previous.state is state else now
        if state in (HealthState.OK, HealthState.SLOW):
            self._last_ok[store] = now
        self._entries[store] = SourceHealth(
            source=self.source,
            state=state,
            since=since,
            store=store,
            reason=reason,
            last_ok=self._last_ok.get(store),
            detail=detail or {},
        )
        if store:
            self._roll_up()

    def set_all(
        self,
        stores: list[str],
        state: HealthState,
        reason: str,
        detail: dict[str, object] | None = None,
    ) -> None:
        """The same state for every store and the source (the API itself is unreachable)."""
        for store in stores:
            self.set(store, state, reason, detail)
        self.set("", state, reason, detail)

    def _roll_up(self) -> None:
        stores = [h for s, h in self._entries.items() if s]
        if not stores:
            return
        worst = min(stores, key=lambda h: _SEVERITY.index(h.state))
        reason = f"{worst.store}: {worst.reason}" if worst.reason else ""
        if self._source_problem and worst.state is not HealthState.FAILING:
            self.set("", HealthState.FAILING, self._source_problem, {"stores": len(stores)})
            return
        self.set("", worst.state, reason, {"stores": len(stores)})

    def entries(self) -> list[SourceHealth]:
        """The source's line and one per store; ``unknown`` before the first poll."""
        if not self._entries:
            return [
                SourceHealth(
                    self.source, HealthState.UNKNOWN, self.clock.now(), reason=_("not polled yet")
                )
            ]
        return [self._entries[key] for key in sorted(self._entries)]

"""How the platform API adapter judges a store's health after a poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from opsboard_api.client import ApiError, CallStats
from opsboard_api.health import HealthBook, StorePoll, judge

from opsboard.models import HealthState
from opsboard.timeutil import FrozenClock

NOW = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)


def _judge(
    outcome: StorePoll, *, slowest: float, newest_hours_ago: float
) -> tuple[HealthState, str]:
    return judge(
        outcome,
        CallStats(slowest=slowest),
        newest_hour=NOW - timedelta(hours=newest_hours_ago),
        server_now=NOW,
        slow_after=5.0,
        stale_after=timedelta(hours=3),
    )


@pytest.mark.parametrize(
    ("outcome", "slowest", "hours_ago", "state", "words"),
    [
        (StorePoll("s"), 0.1, 0.5, HealthState.OK, ""),
        (StorePoll("s"), 6.0, 0.5, HealthState.SLOW, "6.0 s"),
        (StorePoll("s"), 0.1, 5.0, HealthState.STALE, "no figures after 2026-11-10T01:30"),
        (StorePoll("s", rejected=["record x: bad"]), 0.1, 0.5, HealthState.FAILING, "refused 1"),
        (StorePoll("s", failure=ApiError("HTTP 503")), 0.1, 0.5, HealthState.FAILING, "503"),
        (
            StorePoll("s", failure=ApiError("rate limited", rate_limited=True)),
            0.1,
            0.5,
            HealthState.RATE_LIMITED,
            "rate limited",
        ),
    ],
)
def test_judge(
    outcome: StorePoll, slowest: float, hours_ago: float, state: HealthState, words: str
) -> None:
    got, reason = _judge(outcome, slowest=slowest, newest_hours_ago=hours_ago)
    assert got is state
    assert words in reason
    if state is HealthState.OK:
        assert reason == ""


def test_the_book_keeps_since_while_a_state_holds_and_rolls_up_the_worst() -> None:
    clock = FrozenClock(NOW)
    book = HealthBook("platform", clock)
    assert [h.state for h in book.entries()] == [HealthState.UNKNOWN]
    book.set("a", HealthState.OK)
    book.set("b", HealthState.OK)
    clock.advance(timedelta(minutes=5))
    book.set("a", HealthState.OK)
    book.set("b", HealthState.FAILING, "HTTP 503")
    entries = {h.store: h for h in book.entries()}
    assert entries["a"].since == NOW
    assert entries["a"].last_ok == NOW + timedelta(minutes=5)
    assert entries["b"].since == NOW + timedelta(minutes=5)
    assert entries["b"].last_ok == NOW
    assert entries[""].state is HealthState.FAILING
    assert entries[""].reason == "b: HTTP 503"


def test_a_problem_no_store_owns_fails_the_source_line_until_it_clears() -> None:
    book = HealthBook("platform", FrozenClock(NOW))
    book.set("a", HealthState.OK)
    # A store record the API sent with an unreadable id: no store to pin it on.
    book.source_problem("the API sent a store record that was refused: id is 404")
    book.set("a", HealthState.OK)
    entries = {h.store: h for h in book.entries()}
    assert entries["a"].state is HealthState.OK
    assert entries[""].state is HealthState.FAILING
    assert "id is 404" in entries[""].reason
    book.source_problem("")
    assert {h.store: h.state for h in book.entries()}[""] is HealthState.OK

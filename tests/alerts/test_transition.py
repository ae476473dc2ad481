"""The alert transition on its own: one stored alert (or none), one observation, an instant,
and the writes and events it decides, with no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from opsboard.alerts.rules import Observation, base_fields
from opsboard.alerts.transitions import (
    NEW_ALERT,
    Changes,
    Unobserved,
    hold_limit,
    transition,
)
from opsboard.config.rules import RuleConfig
from opsboard.models import AlertState
from opsboard.storage.alert_writes import (
    Drop,
    Fire,
    NewAlert,
    Quiet,
    Reading,
    Refresh,
    Resolve,
    Seen,
)
from opsboard.storage.alerts import StoredAlert

NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
UTC_ZONE = UTC

#: Bounce rate above 70% for 30 minutes fires; it clears only below 60%.
RULE = RuleConfig.model_validate(
    {
        "name": "bounce",
        "kind": "threshold",
        "metric": "bounce_rate",
        "op": ">",
        "threshold": 0.7,
        "clear": 0.6,
        "for": "30m",
        "severity": "critical",
        "labels": {"team": "web"},
    }
)


def seen(
    value: float,
    *,
    rule: RuleConfig = RULE,
    strategic: bool = False,
    since: datetime | None = None,
    **fields: Any,
) -> Observation:
    """What the rule saw of the shop's bounce rate: breaking above the threshold, cleared
    only below the clear threshold."""
    return Observation(
        rule,
        "shop",
        "store",
        value,
        0.7,
        breaking=value > 0.7,
        cleared=value < 0.6,
        fields=base_fields(rule, "shop", "store", value=f"{value:.0%}", threshold="70%") | fields,
        since=since,
        strategic=strategic,
    )


def stored(state: AlertState, *, since: timedelta, **changes: Any) -> StoredAlert:
    """The shop's bounce alert as stored, open for ``since``."""
    alert = StoredAlert(
        id=7,
        rule="bounce",
        store="shop",
        scope="store",
        state=state,
        severity="critical",
        value=0.75,
        threshold=0.7,
        message=seen(0.75).message,
        labels_json='{"team": "web"}',
        detail_json='{"value": "75%", "threshold": "70%"}',
        pending_since=NOW - since,
        fired_at=NOW - since if state != AlertState.PENDING else None,
        last_seen=NOW - timedelta(minutes=5),
    )
    return alert._replace(**changes)


def kinds(changes: Changes) -> list[tuple[str, int]]:
    """The events told, as (event, alert id)."""
    return [(e.event, e.alert_id) for e in changes.events]


def unobserved(
    *, rule: RuleConfig | None = RULE, covered: bool = True, quiet: str = ""
) -> Unobserved:
    return Unobserved(rule, covered, quiet, UTC_ZONE)


# -- pending, firing, resolved -----------------------------------------------------------


def test_a_new_breach_is_pending_until_its_for_has_passed() -> None:
    changes = transition(None, seen(0.8), NOW)
    [write] = changes.writes
    assert isinstance(write, NewAlert)
    assert (write.state, write.pending_since, write.severity) == ("pending", NOW, "critical")
    assert write.labels == {"team": "web"}
    assert kinds(changes) == [("pending", NEW_ALERT)]


def test_a_breach_that_began_long_enough_ago_fires_at_once() -> None:
    began = NOW - timedelta(hours=1)
    changes = transition(None, seen(0.8, since=began), NOW)
    [write] = changes.writes
    assert isinstance(write, NewAlert)
    assert (write.state, write.pending_since) == ("firing", began)
    assert kinds(changes) == [("firing", NEW_ALERT)]


def test_a_pending_alert_fires_once_its_for_has_passed() -> None:
    changes = transition(stored(AlertState.PENDING, since=timedelta(minutes=31)), seen(0.8), NOW)
    [write] = changes.writes
    assert isinstance(write, Fire)
    assert (write.id, write.value, write.at) == (7, 0.8, NOW)
    assert kinds(changes) == [("firing", 7)]


def test_a_pending_alert_waits_within_its_for() -> None:
    alert = stored(AlertState.PENDING, since=timedelta(minutes=10))
    changes = transition(alert, seen(0.75), NOW)
    assert changes.writes == [Seen(7, 0.75, 0.7, NOW)]
    assert changes.events == []


def test_a_pending_alert_that_stops_breaking_is_dropped_and_told_inactive() -> None:
    changes = transition(stored(AlertState.PENDING, since=timedelta(minutes=10)), seen(0.65), NOW)
    assert changes.writes == [Drop(7)]
    assert kinds(changes) == [("inactive", 7)]


def test_between_threshold_and_clear_a_firing_alert_stays_firing() -> None:
    # 65% no longer breaks 70% but has not cleared 60%: no flapping.
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    changes = transition(alert, seen(0.65), NOW)
    [write] = changes.writes
    assert isinstance(write, Refresh)  # the message shows the new figure
    assert (write.id, write.value) == (7, 0.65)
    assert changes.events == []


def test_the_same_message_again_moves_only_the_figures() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    assert transition(alert, seen(0.75), NOW).writes == [Seen(7, 0.75, 0.7, NOW)]


def test_below_the_clear_threshold_a_firing_alert_resolves() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    observation = seen(0.5)
    changes = transition(alert, observation, NOW)
    reading = Reading(0.5, 0.7, observation.fields)
    assert changes.writes == [Resolve(7, NOW, observation.resolved_message, reading)]
    [event] = changes.events
    assert (event.event, event.alert_id, event.value, event.severity) == (
        "resolved", 7, 0.5, "critical",
    )  # fmt: skip
    assert event.message == observation.resolved_message
    assert event.labels == {"team": "web"}


# -- strategic losses --------------------------------------------------------------------


def test_a_strategic_loss_is_its_own_episode() -> None:
    changes = transition(None, seen(0.8, strategic=True), NOW)
    [write] = changes.writes
    assert isinstance(write, NewAlert)
    assert write.state == "strategic"
    assert kinds(changes) == [("strategic", NEW_ALERT)]


def test_a_firing_alert_turning_strategic_resolves_and_a_strategic_one_begins() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    observation = seen(0.8, strategic=True)
    changes = transition(alert, observation, NOW)
    first, second = changes.writes
    assert first == Resolve(7, NOW, observation.resolved_message)
    assert isinstance(second, NewAlert)
    assert second.state == "strategic"
    assert kinds(changes) == [("resolved", 7), ("strategic", NEW_ALERT)]


def test_a_strategic_loss_turning_real_closes_quietly_and_a_real_alert_begins() -> None:
    alert = stored(AlertState.STRATEGIC, since=timedelta(hours=1))
    changes = transition(alert, seen(0.8), NOW)
    first, second = changes.writes
    assert isinstance(first, Resolve)
    assert first.id == 7
    assert isinstance(second, NewAlert)
    assert second.state == "pending"
    assert kinds(changes) == [("pending", NEW_ALERT)]  # a strategic loss was never told


def test_a_pending_alert_turning_strategic_is_dropped() -> None:
    alert = stored(AlertState.PENDING, since=timedelta(minutes=5))
    changes = transition(alert, seen(0.8, strategic=True), NOW)
    assert changes.writes[0] == Drop(7)
    assert kinds(changes) == [("strategic", NEW_ALERT)]


# -- quiet: muted and suppressed ---------------------------------------------------------


def test_an_unobserved_alert_held_by_a_failing_source_is_marked_suppressed() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    reason = "suppressed: source shop-api is failing"
    changes = transition(alert, unobserved(covered=False, quiet=reason), NOW)
    assert changes.writes == [Quiet(7, reason, NOW)]
    assert changes.events == []


def test_a_muted_alert_is_marked_once() -> None:
    reason = "muted: promotion 618"
    alert = stored(AlertState.FIRING, since=timedelta(hours=1), quiet=reason)
    assert transition(alert, unobserved(covered=False, quiet=reason), NOW) == Changes()


def test_a_quiet_alert_whose_reason_ended_is_told_again() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1), quiet="muted: promotion 618")
    assert transition(alert, unobserved(covered=False), NOW).writes == [Quiet(7, "", NOW)]


def test_a_quiet_alert_observed_again_is_written_whole() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1), quiet="muted: promotion 618")
    [write] = transition(alert, seen(0.75), NOW).writes
    assert isinstance(write, Refresh)  # its detail, without the reason, replaces the old one


# -- no data -----------------------------------------------------------------------------


def test_an_alert_whose_scope_shows_no_data_is_held_a_while() -> None:
    assert hold_limit(RULE) == timedelta(hours=2)
    alert = stored(
        AlertState.FIRING, since=timedelta(hours=3), last_seen=NOW - timedelta(minutes=90)
    )
    assert transition(alert, unobserved(), NOW) == Changes()


def test_an_alert_whose_scope_shows_no_data_for_long_resolves() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=5), last_seen=NOW - timedelta(hours=3))
    changes = transition(alert, unobserved(), NOW)
    [write] = changes.writes
    assert isinstance(write, Resolve)
    assert write.id == 7
    assert write.message == "bounce: no data for store since 2026-06-18 03:30; closed"
    assert kinds(changes) == [("resolved", 7)]
    assert changes.events[0].message == write.message


def test_a_pending_alert_whose_scope_shows_no_data_for_long_is_dropped() -> None:
    alert = stored(AlertState.PENDING, since=timedelta(hours=5), last_seen=NOW - timedelta(hours=3))
    changes = transition(alert, unobserved(), NOW)
    assert changes.writes == [Drop(7)]
    assert kinds(changes) == [("inactive", 7)]


def test_an_alert_of_a_rule_not_evaluated_for_its_store_is_held() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=9), last_seen=NOW - timedelta(hours=8))
    assert transition(alert, unobserved(covered=False), NOW) == Changes()


def test_an_alert_of_a_rule_gone_from_the_config_resolves() -> None:
    alert = stored(AlertState.FIRING, since=timedelta(hours=1))
    changes = transition(alert, unobserved(rule=None), NOW)
    [write] = changes.writes
    assert isinstance(write, Resolve)
    assert write.message == "bounce: the rule is no longer configured; closed"
    assert kinds(changes) == [("resolved", 7)]

"""Delivery: every notifier on its own queue, undelivered messages kept per notifier in the
store and retried across cycles and restarts, and the plain-text API for the review."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from opsboard.alerts import outbox
from opsboard.alerts.dispatch import Dispatcher
from opsboard.alerts.notify import Message, compose
from opsboard.collect.collector import CycleReport
from opsboard.collect.pipeline import CollectionService
from opsboard.config.models import NotifierConfig, Settings
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .conftest import Receiver, points, settings_with

UV_HIGH = {"name": "uv-high", "kind": "threshold", "metric": "uv", "threshold": 100,
           "severity": "critical"}  # fmt: skip


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Wait until ``condition()`` holds (worker threads deliver), failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def log_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON records of a log notifier's file."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def two_notifiers(tmp_path: Path, url: str, **hook: Any) -> Settings:
    """uv-high, with a webhook (no in-process retry) and a log file."""
    return settings_with(
        [UV_HIGH],
        stores=[{"name": "shop"}],
        notifiers=[
            {"name": "hook", "type": "webhook", "url": url, "retries": 0, "min_severity": "info",
             **hook},
            {"name": "log", "type": "log", "path": str(tmp_path / "alerts.jsonl"),
             "min_severity": "info"},
        ],
    )  # fmt: skip


@pytest.fixture
def service_for(
    db_path: Path, clock: FrozenClock
) -> Iterator[Callable[[Settings], CollectionService]]:
    """``service_for(settings)``: a collection service on the test database (closed after)."""
    opened: list[tuple[CollectionService, Store]] = []

    def build(settings: Settings) -> CollectionService:
        runtime = Runtime(settings=settings, db_path=db_path, clock=clock)
        store = runtime.open_store()
        service = CollectionService(runtime, store)
        opened.append((service, store))
        return service

    yield build
    for service, store in opened:
        service.dispatcher.close(grace=1.0)
        service.confirmations.close()
        store.close()


def test_a_message_a_notifier_missed_is_kept_and_retried_until_it_gets_it(
    tmp_path: Path,
    receiver: tuple[str, type[Receiver]],
    service_for: Callable[[Settings], CollectionService],
    clock: FrozenClock,
) -> None:
    url, handler = receiver
    settings = two_notifiers(tmp_path, url)
    service = service_for(settings)
    log = tmp_path / "alerts.jsonl"
    service.store.write_points(points("uv", [150]))
    service.evaluate()
    wait_for(lambda: len(log_lines(log)) == 1 and not service.dispatcher.busy(), "firing")
    assert len(handler.bodies) == 1
    # The receiver fails while the alert resolves: the log has the resolution, the webhook
    # keeps it in its outbox.
    handler.failures.extend([500, 500])
    service.store.write_points(points("uv", [50]))
    service.evaluate()
    wait_for(lambda: len(handler.bodies) == 2 and not service.dispatcher.busy(), "a failure")
    service.evaluate()  # records the failure
    assert outbox.pending(service.store) == {"hook": 1}
    clock.advance(timedelta(seconds=10))
    service.evaluate()  # its backoff (30 s) has not passed: not tried again yet
    assert len(handler.bodies) == 2
    clock.advance(timedelta(seconds=25))
    service.evaluate()
    wait_for(lambda: len(handler.bodies) == 3 and not service.dispatcher.busy(), "a retry")
    service.evaluate()  # failed again: the wait doubles
    clock.advance(timedelta(seconds=61))
    service.evaluate()
    wait_for(lambda: len(handler.bodies) == 4 and not service.dispatcher.busy(), "delivery")
    service.evaluate()
    assert handler.bodies[-1]["status"] == "resolved"
    assert outbox.pending(service.store) == {}
    # The log notifier got each message exactly once.
    assert [r["status"] for r in log_lines(log)] == ["firing", "resolved"]
    failures = service.store.conn.execute(
        "SELECT count(*) FROM notifications WHERE notifier = 'hook' AND status = 'failed'"
    ).fetchone()[0]
    assert failures == 2


def test_undelivered_messages_survive_a_restart(
    tmp_path: Path,
    receiver: tuple[str, type[Receiver]],
    service_for: Callable[[Settings], CollectionService],
    clock: FrozenClock,
) -> None:
    url, handler = receiver
    settings = two_notifiers(tmp_path, url)
    first = service_for(settings)
    handler.failures.append(503)
    first.store.write_points(points("uv", [150]))
    first.evaluate()
    wait_for(lambda: len(handler.bodies) == 1 and not first.dispatcher.busy(), "a failure")
    first.evaluate()
    first.dispatcher.close()
    assert outbox.pending(first.store) == {"hook": 1}
    clock.advance(timedelta(minutes=1))
    second = service_for(settings)  # a new process on the same database
    second.evaluate()
    wait_for(lambda: len(handler.bodies) == 2 and not second.dispatcher.busy(), "delivery")
    second.evaluate()
    assert handler.bodies[-1]["status"] == "firing"
    assert outbox.pending(second.store) == {}
    assert len(log_lines(tmp_path / "alerts.jsonl")) == 1  # never re-sent to the log


def test_a_delivery_leaves_the_outbox_the_moment_it_is_confirmed(
    tmp_path: Path,
    receiver: tuple[str, type[Receiver]],
    service_for: Callable[[Settings], CollectionService],
) -> None:
    # A collector killed right after a delivery must not send it again: the outbox entry
    # goes (and the delivery is logged) when the notifier confirms, not at the next
    # evaluation.
    url, handler = receiver
    service = service_for(two_notifiers(tmp_path, url))
    service.store.write_points(points("uv", [150]))
    service.evaluate()
    wait_for(lambda: len(handler.bodies) == 1 and not service.dispatcher.busy(), "delivery")
    assert outbox.pending(service.store) == {}  # no evaluation since: recorded at once
    sent = service.store.conn.execute(
        "SELECT notifier, status FROM notifications ORDER BY notifier"
    ).fetchall()
    assert sent == [("hook", "sent"), ("log", "sent")]
    # A new process on the database (the first one "killed" here) sends nothing again.
    second = service_for(two_notifiers(tmp_path, url))
    second.evaluate()
    wait_for(lambda: not second.dispatcher.busy(), "the second process")
    assert len(handler.bodies) == 1
    assert len(log_lines(tmp_path / "alerts.jsonl")) == 1
    service.evaluate()  # settling records nothing twice
    count = service.store.conn.execute("SELECT count(*) FROM notifications").fetchone()[0]
    assert count == 2


def test_the_collector_prunes_history_older_than_keep_history(
    tmp_path: Path,
    receiver: tuple[str, type[Receiver]],
    service_for: Callable[[Settings], CollectionService],
) -> None:
    url, _handler = receiver
    settings = two_notifiers(tmp_path, url)
    storage = settings.storage.model_copy(update={"keep_history": timedelta(days=30)})
    service = service_for(settings.model_copy(update={"storage": storage}))
    service.store.conn.execute(
        "INSERT INTO notifications (at, notifier, status) VALUES "
        "('2020-01-01T00:00:00+00:00', 'hook', 'sent')"
    )
    service.evaluate()
    assert service.store.conn.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0


def test_a_hanging_notifier_delays_only_itself_and_stop_is_prompt(
    tmp_path: Path, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    handler.gate.clear()  # the webhook hangs
    hook = NotifierConfig(name="hook", type="webhook", url=url, retries=1, backoff=0,
                          timeout=timedelta(seconds=30))  # fmt: skip
    log = NotifierConfig(name="log", type="log", path=tmp_path / "a.jsonl")
    dispatcher = Dispatcher([hook, log])
    alerts = [{"id": n, "rule": "r", "store": "s", "message": f"m{n}", "severity": "critical",
               "labels": {}} for n in range(3)]  # fmt: skip
    for alert in alerts:
        assert dispatcher.submit(compose("firing", [alert])) == 2
    wait_for(lambda: len(log_lines(tmp_path / "a.jsonl")) == 3, "the log's three messages")
    wait_for(lambda: len(handler.bodies) == 1, "the webhook's first request")
    assert len(log_lines(tmp_path / "a.jsonl")) == 3  # while the webhook hangs on its first
    assert dispatcher.busy() == {"hook"}
    began = time.monotonic()
    assert dispatcher.close(grace=0.2) is False  # the hanging delivery is left behind
    assert time.monotonic() - began < 5
    handler.gate.set()
    wait_for(lambda: not dispatcher.busy(), "the hanging worker to give up")
    hooked = [d for d in dispatcher.drain() if d.notifier == "hook"]
    assert [d.tried for d in hooked] == [True, False, False]


def test_text_api_tells_per_notifier_whether_it_got_the_text(
    tmp_path: Path, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    handler.failures.append(500)
    hook = NotifierConfig(name="hook", type="webhook", url=url, retries=0)
    log = NotifierConfig(name="log", type="log", path=tmp_path / "a.jsonl")
    dispatcher = Dispatcher([hook, log])
    sent = dispatcher.send_text("shop review", "GMV -12%", notifiers=["log", "hook", "nope"])
    assert sent.wait(timeout=20)
    assert sent.delivered_to == ["log"]
    assert sent.unknown == ("nope",)
    assert sent.problems == [
        "nope: no notifier of that name is configured",
        "hook: the webhook answered HTTP 500",
    ]
    assert log_lines(tmp_path / "a.jsonl")[0]["text"] == "GMV -12%"
    assert handler.bodies[0]["status"] == "text"
    dispatcher.close()


def test_apprise_gets_a_notify_type_by_severity_and_success_when_resolved(
    receiver: tuple[str, type[Receiver]],
) -> None:
    url, handler = receiver
    chat = NotifierConfig(name="chat", type="apprise", url=url.replace("http://", "json://"),
                          retries=0, min_severity="info")  # fmt: skip
    alert = {"id": 1, "rule": "r", "store": "s", "message": "m", "labels": {}}
    dispatcher = Dispatcher([chat])
    for status, severity in [("firing", "critical"), ("firing", "warning"),
                             ("firing", "info"), ("resolved", "critical")]:  # fmt: skip
        dispatcher.submit(compose(status, [{**alert, "severity": severity}]))
    dispatcher.submit(Message("text", "review", "body"))
    assert dispatcher.wait(timeout=20)
    assert [b["type"] for b in handler.bodies] == [
        "failure", "warning", "info", "success", "info"
    ]  # fmt: skip
    dispatcher.close()


def test_messages_behind_a_failed_one_wait_and_keep_their_order(
    tmp_path: Path,
    receiver: tuple[str, type[Receiver]],
    service_for: Callable[[Settings], CollectionService],
    clock: FrozenClock,
) -> None:
    url, handler = receiver
    service = service_for(two_notifiers(tmp_path, url))
    handler.failures.append(500)
    service.store.write_points(points("uv", [150]))
    service.evaluate()
    wait_for(lambda: not service.dispatcher.busy(), "the failed firing message")
    service.store.write_points(points("uv", [50]))
    service.evaluate()  # the resolution queues behind the firing message, which waits
    wait_for(lambda: not service.dispatcher.busy(), "the log")
    service.evaluate()
    assert len(handler.bodies) == 1
    assert outbox.pending(service.store) == {"hook": 2}
    clock.advance(timedelta(seconds=31))
    service.evaluate()  # the retry goes alone: is the notifier back?
    wait_for(lambda: len(handler.bodies) == 2 and not service.dispatcher.busy(), "the retry")
    service.evaluate()  # it is: the rest follows
    wait_for(lambda: len(handler.bodies) == 3 and not service.dispatcher.busy(), "delivery")
    assert [b["status"] for b in handler.bodies] == ["firing", "firing", "resolved"]
    service.evaluate()
    assert outbox.pending(service.store) == {}


def test_a_notifier_down_through_a_storm_keeps_only_its_newest_messages(
    store: Store, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "BACKLOG", 3)
    alert = {"id": 1, "rule": "r", "store": "s", "message": "m", "severity": "critical",
             "labels": {}}  # fmt: skip
    for n in range(5):
        outbox.enqueue(store, "hook", compose("firing", [{**alert, "id": n}]), clock.now())
    outbox.enqueue(store, "log", compose("firing", [alert]), clock.now())
    assert outbox.trim(store) == 2
    assert outbox.pending(store) == {"hook": 3, "log": 1}
    [(entries, at_head)] = [outbox.due(store, clock.now(), sending=set())["hook"]]
    assert [e.message.alerts[0]["id"] for e in entries] == [2, 3, 4]
    assert at_head


async def test_rules_are_judged_when_data_arrives_and_otherwise_now_and_then(
    service_for: Callable[[Settings], CollectionService], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = service_for(settings_with([UV_HIGH]))
    judged: list[int] = []
    evaluate = service.evaluate

    def counted() -> Any:
        judged.append(1)
        return evaluate()

    monkeypatch.setattr(service, "evaluate", counted)
    quiet = CycleReport()
    await service._after_cycle(quiet)  # the first cycle judges
    await service._after_cycle(quiet)  # a quiet poll soon after does not
    assert len(judged) == 1
    news = CycleReport()
    news.points["drop"] = 3
    await service._after_cycle(news)
    assert len(judged) == 2
    service._last_evaluation -= service.evaluate_every or 0  # the interval has passed
    await service._after_cycle(quiet)
    assert len(judged) == 3

"""Grouping, repeats, acknowledgements, silences, restarts, and every notifier type."""

from __future__ import annotations

import json
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from opsboard.alerts import ack, active_alerts, silence, unsilence
from opsboard.alerts.dispatch import Dispatcher
from opsboard.alerts.engine import AlertEngine
from opsboard.alerts.notify import Message, compose, deliver, send_text
from opsboard.config.models import NotifierConfig
from opsboard.errors import UsageError
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

from .conftest import EngineFactory, Receiver, points, settings_with

EACH_SKU = {"name": "sku-uv", "kind": "threshold", "metric": "uv", "scope": "each_sku",
            "threshold": 100, "severity": "critical"}  # fmt: skip


def storm(store: Store, count: int = 50) -> None:
    """``count`` SKUs breaking the rule at once."""
    rows = []
    for n in range(count):
        rows += points("uv", [500], sku=f"{100000000000 + n}")
    store.write_points(rows)


def test_a_storm_of_sku_alerts_is_one_message_after_group_wait(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([EACH_SKU], group_wait="30s"))
    storm(store)
    assert len(engine.evaluate().events) == 50
    assert engine.collect_notifications() == []  # gathering
    clock.advance(timedelta(seconds=30))
    messages = engine.collect_notifications()
    assert len(messages) == 1
    assert messages[0].title == "[FIRING:50] sku-uv · shop"
    assert len(messages[0].alerts) == 50
    assert "… and 30 more" in messages[0].text
    assert engine.collect_notifications() == []


def test_repeat_until_acknowledged_then_resolved_message(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([EACH_SKU], repeat_interval="1h"))
    storm(store, 1)
    engine.evaluate()
    assert len(engine.collect_notifications()) == 1
    clock.advance(timedelta(minutes=59))
    assert engine.collect_notifications() == []
    clock.advance(timedelta(minutes=1))
    assert len(engine.collect_notifications()) == 1  # repeated
    alert = active_alerts(store, now=clock.now())[0]
    acked = ack(store, alert.id, "alice", "on it", now=clock.now())
    assert (acked.acked_by, acked.ack_note) == ("alice", "on it")
    clock.advance(timedelta(hours=2))
    assert engine.collect_notifications() == []  # acknowledged: no repeat
    store.write_points(points("uv", [10], sku="100000000000"))
    assert [e.event for e in engine.evaluate().events] == ["resolved"]
    [message] = engine.collect_notifications()
    assert message.status == "resolved"
    assert message.title.startswith("[RESOLVED:1]")
    assert engine.collect_notifications() == []


def test_silence_holds_messages_until_it_ends(
    store: Store, make_engine: EngineFactory, clock: FrozenClock
) -> None:
    engine = make_engine(settings_with([EACH_SKU]))
    made = silence(store, "sku-*", by="bob", duration=timedelta(hours=2), scope="sku:1000*",
                   reason="known stock-out", now=clock.now())  # fmt: skip
    storm(store, 3)
    engine.evaluate()
    assert engine.collect_notifications() == []
    assert all(a.silenced for a in active_alerts(store, now=clock.now()))
    assert engine.exit_code(engine.evaluate()) == 0  # silenced alerts do not count
    unsilence(store, made.id, now=clock.now())
    [message] = engine.collect_notifications()
    assert len(message.alerts) == 3
    with pytest.raises(UsageError, match="no silence with id 99"):
        unsilence(store, 99, now=clock.now())
    with pytest.raises(UsageError, match="positive duration"):
        silence(store, "x", by="bob", now=clock.now())


def test_a_restarted_engine_neither_loses_nor_resends(db_path: Path, clock: FrozenClock) -> None:
    settings = settings_with([EACH_SKU], repeat_interval="4h")
    with Store.open(db_path) as first_store:
        storm(first_store, 5)
        first = AlertEngine(first_store, settings, clock)
        assert len(first.evaluate().events) == 5
        assert len(first.collect_notifications()) == 1
    clock.advance(timedelta(minutes=10))
    with Store.open(db_path) as second_store:
        second = AlertEngine(second_store, settings, clock)
        assert second.evaluate().events == []
        assert second.collect_notifications() == []
        assert len(active_alerts(second_store, now=clock.now())) == 5


def test_webhook_retries_then_delivers(
    receiver: tuple[str, type[Receiver]], store: Store, make_engine: EngineFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    url, handler = receiver
    monkeypatch.setenv("HOOK", url)
    handler.failures.extend([500])
    settings = settings_with(
        [EACH_SKU],
        notifiers=[{"name": "hook", "type": "webhook", "url": "${HOOK}", "backoff": 0}],
    )
    engine = make_engine(settings)
    storm(store, 2)
    engine.evaluate()
    dispatcher = Dispatcher(list(settings.notifiers))
    for message in engine.collect_notifications():
        dispatcher.submit(message)
    assert dispatcher.wait(timeout=10)
    [done] = dispatcher.drain()
    assert done.ok
    assert len(handler.bodies) == 2  # one failure, one retry
    assert handler.bodies[-1]["status"] == "firing"
    assert len(handler.bodies[-1]["alerts"]) == 2
    engine.record_deliveries([done])
    row = store.conn.execute("SELECT notifier, status FROM notifications").fetchone()
    assert tuple(row) == ("hook", "sent")
    dispatcher.close()


def test_a_failing_webhook_is_reported_without_its_secret(
    receiver: tuple[str, type[Receiver]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = receiver
    handler.failures.extend([503, 503, 503])
    monkeypatch.setenv("HOOK", url)
    settings = settings_with(
        notifiers=[{"name": "hook", "type": "webhook", "url": "${HOOK}", "retries": 2,
                    "backoff": 0}]
    )  # fmt: skip
    problems = send_text(settings, "Morning review", "GMV -12% vs last week")
    assert problems == ["hook: the webhook answered HTTP 503"]
    assert len(handler.bodies) == 3
    assert handler.bodies[0] == {"status": "text", "severity": "info", "title": "Morning review",
                                 "text": "GMV -12% vs last week", "alerts": []}  # fmt: skip
    monkeypatch.setenv("HOOK", "http://127.0.0.1:9/secret-token-42")
    refused = settings_with(
        notifiers=[{"name": "hook", "type": "webhook", "url": "${HOOK}", "retries": 0}]
    )
    [problem] = send_text(refused, "t", "b")
    assert problem.startswith("hook: ")
    assert "secret-token-42" not in problem
    assert "secret-token-42" not in repr(refused)


def test_command_notifier_gets_json_on_stdin_without_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())"
    notifier = NotifierConfig(name="page", type="command", command=[sys.executable, "-c", script])
    alert = {"id": 1, "rule": "r", "store": "shop", "message": "uv is 5; $(rm -rf /)",
             "severity": "critical", "labels": {}}  # fmt: skip
    deliver(notifier, compose("firing", [alert]))
    body = json.loads(out.read_text())
    assert body["alerts"][0]["message"] == "uv is 5; $(rm -rf /)"
    failing = NotifierConfig(name="bad", type="command", retries=0,
                             command=[sys.executable, "-c", "import sys; sys.exit(4)"])  # fmt: skip
    with pytest.raises(Exception, match="exited with 4"):
        deliver(failing, Message("text", "t", "b"))


def test_log_notifier_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "alerts.jsonl"
    notifier = NotifierConfig(name="log", type="log", path=path)
    deliver(notifier, Message("text", "hello", "world"))
    deliver(notifier, Message("text", "again", "world"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [json.loads(line)["title"] for line in path.read_text().splitlines()] == [
        "hello",
        "again",
    ]


def test_notifier_filters_by_severity_and_labels() -> None:
    alerts = [
        {"id": 1, "rule": "r", "store": "s", "message": "a", "severity": "info", "labels": {}},
        {"id": 2, "rule": "r", "store": "s", "message": "b", "severity": "critical",
         "labels": {"team": "ads"}},
    ]  # fmt: skip
    message = compose("firing", alerts)
    ads = NotifierConfig(name="ads", type="stdout", match_labels={"team": "ads"})
    content = NotifierConfig(name="c", type="stdout", match_labels={"team": "content"})
    part = message.for_notifier(ads)
    assert part is not None
    assert [a["id"] for a in part.alerts] == [2]
    assert message.for_notifier(content) is None


def test_apprise_url_must_be_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT", "notascheme://secret-token-42")
    settings = settings_with(
        notifiers=[{"name": "chat", "type": "apprise", "url": "${CHAT}", "retries": 0}]
    )
    [problem] = send_text(settings, "t", "b")
    assert "does not recognise" in problem
    assert "secret-token-42" not in problem

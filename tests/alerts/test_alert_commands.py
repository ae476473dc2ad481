"""`opsboard alerts silence|unsilence` checks, and the notifier checks for `config check`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opsboard.alerts.notify import notifier_problems
from opsboard.cli.alerts import run_alerts
from opsboard.cli.silencing import until_instant
from opsboard.errors import UsageError
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, zone

from .conftest import points, settings_with

RULE = {"name": "detail-page-bounce", "kind": "threshold", "metric": "bounce_rate",
        "threshold": 0.75}  # fmt: skip


def alerts_args(action: str, target: str | None = None, **given: Any) -> argparse.Namespace:
    """The namespace `opsboard alerts ACTION TARGET --...` parses to."""
    defaults: dict[str, Any] = {
        "action": action, "target": target, "by": "bob", "note": "", "alert_store": None,
        "scope": "", "duration": None, "until": None, "force": False, "reason": "",
        "first": None, "last": None, "all": False, "output": "table",
    }  # fmt: skip
    return argparse.Namespace(**(defaults | given))


@pytest.fixture
def shell(db_path: Path, clock: FrozenClock) -> Runtime:
    """A runtime with one store and one rule on a database holding some data."""
    with Store.open(db_path) as store:
        store.write_points(points("uv", [10]))
    settings = settings_with([RULE], stores=[{"name": "shop"}])
    return Runtime(settings=settings, db_path=db_path, clock=clock)


def test_a_silence_must_name_a_configured_rule_and_store(
    shell: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match="no configured rule matches 'no-such-rule'") as caught:
        run_alerts(shell, alerts_args("silence", "no-such-rule", duration="1h"))
    assert "--force" in str(caught.value.hint)
    with pytest.raises(UsageError, match="did you mean detail-page-bounce"):
        run_alerts(shell, alerts_args("silence", "bounce", duration="1h"))
    with pytest.raises(UsageError, match="no configured store matches --store 'nosuchstore'"):
        run_alerts(shell, alerts_args("silence", "detail-*", duration="1h",
                                      alert_store="nosuchstore"))  # fmt: skip
    assert run_alerts(shell, alerts_args("silence", "detail-*", duration="1h")) == 0
    assert run_alerts(shell, alerts_args("silence", "later-rule", duration="1h", force=True)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "silence 1: detail-* until 2026-06-18 15:30 CST (07:30 UTC)"
    assert out[1].startswith("silence 2: later-rule until")


def test_unsilence_twice_says_it_had_already_ended(
    shell: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    run_alerts(shell, alerts_args("silence", "detail-page-bounce", duration="2h"))
    run_alerts(shell, alerts_args("unsilence", "1"))
    run_alerts(shell, alerts_args("unsilence", "1"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "silence 1 (detail-page-bounce) ended"
    assert lines[2] == (
        "silence 1 (detail-page-bounce) had already ended at 2026-06-18 06:30 UTC; nothing to do"
    )


def test_a_silence_until_a_local_time(shell: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    run_alerts(shell, alerts_args("silence", "detail-page-bounce", until="18:00"))
    assert "until 2026-06-18 18:00 CST (10:00 UTC)" in capsys.readouterr().out
    with pytest.raises(UsageError, match="--for or --until, not both"):
        run_alerts(shell, alerts_args("silence", "detail-page-bounce", until="18:00",
                                      duration="1h"))  # fmt: skip
    with pytest.raises(UsageError, match="would already be over"):
        run_alerts(shell, alerts_args("silence", "detail-page-bounce",
                                      until="2026-06-18T09:00"))  # fmt: skip


def test_until_forms() -> None:
    tz = zone("Asia/Shanghai")
    now = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)  # 14:30 local
    assert until_instant("18:00", tz, now) == datetime(2026, 6, 18, 10, tzinfo=UTC)
    assert until_instant("09:00", tz, now) == datetime(2026, 6, 19, 1, tzinfo=UTC)  # tomorrow
    assert until_instant("2026-06-19", tz, now) == datetime(2026, 6, 18, 16, tzinfo=UTC)
    assert until_instant("2026-06-18 20:00", tz, now) == datetime(2026, 6, 18, 12, tzinfo=UTC)
    assert until_instant("2026-06-18T10:00Z", tz, now) == datetime(2026, 6, 18, 10, tzinfo=UTC)
    with pytest.raises(UsageError, match="cannot read --until 'tonight'"):
        until_instant("tonight", tz, now)
    with pytest.raises(UsageError, match="no such time of day"):
        until_instant("25:00", tz, now)


def test_notifier_problems_name_the_notifier_and_hide_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHAT", "b")
    monkeypatch.setenv("SLACK", "notascheme://secret-token-42/x")
    monkeypatch.setenv("HOOK", "ftp://hooks.example/secret-token-42")
    monkeypatch.setenv("GOOD", "json://127.0.0.1:9/secret-token-42")
    settings = settings_with(notifiers=[
        {"name": "chat", "type": "apprise", "url": "${CHAT}"},
        {"name": "slack", "type": "apprise", "url": "${SLACK}"},
        {"name": "hook", "type": "webhook", "url": "${HOOK}"},
        {"name": "ok", "type": "apprise", "url": "${GOOD}"},
        {"name": "page", "type": "command", "command": ["/no/such/pager"]},
        {"name": "log", "type": "log", "path": "/tmp/alerts.jsonl"},
    ])  # fmt: skip
    problems = notifier_problems(settings)
    assert [p.split(":")[0] for p in problems] == [
        "notifiers[0] (chat).url",
        "notifiers[1] (slack).url",
        "notifiers[2] (hook).url",
        "notifiers[4] (page).command",
    ]
    assert "no scheme" in problems[0]
    assert "apprise does not recognise a notascheme:// URL" in problems[1]
    assert "needs http:// or https://" in problems[2]
    assert not any("secret-token-42" in p for p in problems)

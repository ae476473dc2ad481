"""`opsboard watch` and `opsboard alerts` as operators run them: real processes, one DB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.timeutil import floor_hour

from .conftest import points

STORE = 'name = "shop"\ntimezone = "UTC"\n'


def write_config(tmp_path: Path, rules: str, notifiers: str = "") -> Path:
    path = tmp_path / "opsboard.toml"
    text = f"[[stores]]\n{STORE}\n[alerts]\nuse_defaults = false\ngroup_wait = 0\n{rules}\n"
    path.write_text(text + notifiers, encoding="utf-8")
    return path


RULES = """
[[alerts.rules]]
name = "uv-high"
kind = "threshold"
metric = "uv"
threshold = {uv}
window = "2h"
severity = "{severity}"

[[alerts.rules]]
name = "sku-bounce"
kind = "threshold"
metric = "bounce_rate"
scope = "each_sku"
threshold = 0.75
window = "2h"
"""


def seed(db: Path, skus: int = 0) -> None:
    """Visitors this hour for the store, and ``skus`` SKUs bouncing 90%."""
    hour = floor_hour(datetime.now(UTC))
    rows = points("uv", [500], start=hour)
    for n in range(skus):
        sku = f"{200000000000 + n}"
        rows += points("uv", [100], start=hour, sku=sku)
        rows += points("bounces", [90], start=hour, sku=sku)
    with Store.open(db) as store:
        store.write_points(rows)


def opsboard(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the opsboard command line in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "opsboard", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("uv", "severity", "code"),
    [(1000, "critical", 0), (100, "warning", 1), (100, "critical", 2)],
)
def test_watch_once_exit_codes(tmp_path: Path, uv: int, severity: str, code: int) -> None:
    db = tmp_path / "ops.db"
    seed(db)
    config = write_config(tmp_path, RULES.format(uv=uv, severity=severity))
    done = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    assert done.returncode == code, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["event"] for line in lines] == ([] if code == 0 else ["firing"])
    if lines:
        assert lines[0]["rule"] == "uv-high"
        assert lines[0]["severity"] == severity


def test_watch_once_unknown_without_data_or_with_a_failing_source(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    config = write_config(tmp_path, RULES.format(uv=1000, severity="critical"))
    done = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    assert "status unknown: no store had data to evaluate" in done.stderr
    seed(db)
    with Store.open(db) as store:
        store.set_health(
            SourceHealth("api", HealthState.FAILING, datetime.now(UTC), reason="HTTP 503")
        )
    done = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    assert done.returncode == 3, done.stderr
    assert "status unknown: source(s) failing or stale: api" in done.stderr


def test_one_watch_many_viewers_one_message_per_alert(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    seed(db, skus=12)
    sent = tmp_path / "sent.jsonl"
    script = f"import sys; open({str(sent)!r}, 'a').write(sys.stdin.read() + '\\n')"
    notifiers = (
        f'[[notifiers]]\nname = "page"\ntype = "command"\n'
        f'command = [{json.dumps(sys.executable)}, "-c", {json.dumps(script)}]\n'
    )
    config = write_config(tmp_path, RULES.format(uv=100, severity="critical"), notifiers)
    common = ["--config", str(config), "--db", str(db)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    watch = subprocess.Popen(
        [sys.executable, "-m", "opsboard", "watch", *common],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    viewer = (
        "import sys, time\n"
        "from opsboard.storage import Store\n"
        "from opsboard.alerts import active_alerts, ack, silence\n"
        f"store = Store.open({str(db)!r})\n"
        "deadline = time.monotonic() + 20\n"
        "acked = set()\n"
        "while time.monotonic() < deadline and len(acked) < 13:\n"
        "    for alert in active_alerts(store):\n"
        "        if alert.id not in acked:\n"
        "            ack(store, alert.id, sys.argv[1], 'seen')\n"
        "            acked.add(alert.id)\n"
        "    silence(store, 'none-such', by=sys.argv[1], duration=__import__('datetime')"
        ".timedelta(minutes=1))\n"
        "print(len(acked))\n"
    )
    viewers = [
        subprocess.Popen(
            [sys.executable, "-c", viewer, f"viewer{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    try:
        lists = [opsboard("alerts", "list", "--format", "json", *common) for _ in range(2)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sent.exists() and sent.read_text().count("\n") >= 2:
                break
            time.sleep(0.05)
        second = opsboard("watch", *common)
        assert second.returncode == 2
        assert "already collecting" in second.stderr
        assert second.stdout == ""
        results = [v.communicate(timeout=40) for v in viewers]
    finally:
        watch.send_signal(signal.SIGTERM)
        out, err = watch.communicate(timeout=30)
    assert watch.returncode == 0, err
    for viewer_out, viewer_err in results:
        assert "locked" not in viewer_err, viewer_err
        assert viewer_out.strip() == "13"
    for listed in lists:
        assert listed.returncode == 0, listed.stderr
        json.loads(listed.stdout)
    assert "locked" not in err
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 13
    assert {e["event"] for e in events} == {"firing"}
    messages = [json.loads(line) for line in sent.read_text().splitlines() if line.strip()]
    ids = [a["id"] for m in messages for a in m["alerts"]]
    assert sorted(ids) == sorted(e["id"] for e in events)  # each alert sent exactly once
    assert len(messages) == 2  # the store alert, and the 12 SKUs in one message


def test_alerts_commands(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    seed(db, skus=2)
    config = write_config(tmp_path, RULES.format(uv=100, severity="warning"))
    common = ["--config", str(config), "--db", str(db)]
    assert opsboard("watch", "--once", *common).returncode == 1
    listed = opsboard("alerts", "list", *common)
    assert listed.returncode == 0
    assert "uv-high" in listed.stdout
    assert "sku-bounce" in listed.stdout
    first_id = json.loads(opsboard("alerts", "list", "--format", "json", *common).stdout)["alerts"][
        0
    ]["id"]
    done = opsboard("alerts", "ack", str(first_id), "--by", "alice", "--note", "looking", *common)
    assert done.returncode == 0
    assert "as alice" in done.stdout
    assert "acked by alice: looking" in opsboard("alerts", "list", *common).stdout
    done = opsboard("alerts", "silence", "sku-bounce", "--for", "2h", "--scope", "sku:*",
                    "--reason", "photo shoot", "--by", "bob", *common)  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("silence 1: sku-bounce until")
    assert "silence 1: sku-bounce store=* scope=sku:*" in opsboard("alerts", *common).stdout
    assert opsboard("alerts", "unsilence", "1", *common).returncode == 0
    bad = opsboard("alerts", "ack", "999", "--by", "x", *common)
    assert bad.returncode == 2
    assert "no alert with id 999" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad = opsboard("alerts", "silence", "r", "--for", "soon", *common)
    assert bad.returncode == 2
    assert "cannot read --for 'soon'" in bad.stderr
    bad = opsboard("alerts", "silence", "no-such-rule", "--for", "1h", *common)
    assert bad.returncode == 2
    assert "no configured rule matches 'no-such-rule'" in bad.stderr
    assert "Traceback" not in bad.stderr
    until = opsboard("alerts", "silence", "uv-high", "--until", "2099-01-01", *common)
    assert until.returncode == 0, until.stderr
    assert "until 2099-01-01 00:00 UTC" in until.stdout


def test_backtest_replays_history(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    start = datetime(2026, 6, 10, tzinfo=UTC)
    with Store.open(db) as store:
        values = [50.0] * 48
        values[30:33] = [500.0, 500.0, 500.0]  # 06-11 06:00 to 08:59 UTC
        store.write_points(points("uv", values, start=start))
    config = write_config(tmp_path, '[[alerts.rules]]\nname = "uv-high"\nkind = "threshold"\n'
                          'metric = "uv"\nthreshold = 100\n')  # fmt: skip
    done = opsboard("alerts", "backtest", "--from", "2026-06-10", "--to", "2026-06-11",
                    "--config", str(config), "--db", str(db))  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # Each hour is judged once it is over: 06:00-07:00 breaks, 09:00-10:00 is back to 50.
    assert lines[0].startswith("2026-06-11 07:00  FIRING")
    assert lines[1].startswith("2026-06-11 10:00  RESOLVED")
    assert lines[1].endswith("uv-high: uv back to 50 for shop (clears at 100)")
    assert lines[-1] == "48 hours from 2026-06-10 to 2026-06-11: 1 alerts would have fired"
    with Store.open(db) as store:  # the real alert state is untouched
        assert store.conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
    assert timedelta(0) == timedelta(0)


async def test_watch_once_in_process_sends_the_due_review(tmp_path: Path) -> None:
    from opsboard.cli.watch import Watch
    from opsboard.config.models import Settings
    from opsboard.runtime import Runtime
    from opsboard.timeutil import FrozenClock

    sent = tmp_path / "review.json"
    script = f"import sys; open({str(sent)!r}, 'a').write(sys.stdin.read() + '\\n')"
    settings = Settings.model_validate(
        {
            "stores": [{"name": "shop"}],
            "alerts": {"use_defaults": False},
            "review": {"send_at": "09:00"},
            "notifiers": [{"name": "chat", "type": "command",
                           "command": [sys.executable, "-c", script]}],
        }
    )  # fmt: skip
    db = tmp_path / "ops.db"
    yesterday = datetime(2026, 6, 17, tzinfo=UTC) - timedelta(hours=8)  # local midnight
    with Store.open(db) as store:
        store.write_points(
            points("uv", [1000], start=yesterday, grain="day")
            + points("gmv", [5000], start=yesterday, grain="day")
            + points("uv", [1100], start=yesterday - timedelta(days=7), grain="day")
            + points("gmv", [6000], start=yesterday - timedelta(days=7), grain="day")
        )
    clock = FrozenClock(datetime(2026, 6, 18, 2, tzinfo=UTC))  # 10:00 in Shanghai
    runtime = Runtime(settings=settings, db_path=db, clock=clock)
    out = tmp_path / "events.jsonl"
    with out.open("w") as stream:
        code = await Watch(runtime, out=stream).run(once=True)
    assert code == 0
    [message] = [json.loads(line) for line in sent.read_text().splitlines() if line]
    assert message["status"] == "text"
    assert message["title"].startswith("shop review of")
    with out.open("w") as stream:  # a second run the same day sends nothing new
        await Watch(runtime, out=stream).run(once=True)
    assert len([line for line in sent.read_text().splitlines() if line]) == 1

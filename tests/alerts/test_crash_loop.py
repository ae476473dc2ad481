"""kill -9 of the collector, again and again, while it loads dropped files and while it
delivers alerts: nothing is lost, nothing is loaded in part, and each crash repeats at
most one message. Outcomes are counted, never timed: each kill waits for progress."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from opsboard.storage import Store

from .test_alert_watch import opsboard, seed

pytestmark = pytest.mark.slow

#: How long one round may wait for progress before it kills anyway (never reached on a
#: healthy machine; the assertions do not depend on it).
PATIENCE = 30.0


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds (or ``PATIENCE`` passes: the round goes on)."""
    deadline = time.monotonic() + PATIENCE
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def start_watch(config: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "opsboard", "watch", "--config", str(config), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill9(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _loaded_one(done: Callable[[], int], before: int, watch: subprocess.Popen[bytes]) -> bool:
    return done() > before or watch.poll() is not None


def _read_two(
    bodies: list[Any], distinct: Callable[[], int], before: int, watch: subprocess.Popen[bytes]
) -> bool:
    return len(bodies) >= before + 2 or distinct() == RULES or watch.poll() is not None


# -- during drops ------------------------------------------------------------------------

FILES = 6
HOURS = 24 * 40


def write_drop(folder: Path, n: int) -> float:
    """A canonical export of ``n``: every hour of 40 days for 5 SKUs; its uv total."""
    lines = ["ts,store,channel,campaign,sku,metric,value"]
    total = 0.0
    for hour in range(HOURS):
        day, at = divmod(hour, 24)
        for sku in range(5):
            value = float(n * 1000 + sku * 10 + at)
            total += value
            lines.append(f"2026-0{3 + day // 28}-{1 + day % 28:02d} {at:02d}:00,shop,,,"
                         f"F{n}-{sku},uv,{value}")  # fmt: skip
    (folder / f"export-{n}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def test_kill_9_during_drops_loses_nothing_and_loads_nothing_in_part(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    expected = {f"F{n}": write_drop(drop, n) for n in range(FILES)}
    db = tmp_path / "ops.db"
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "shop"\ntimezone = "UTC"\n[alerts]\nuse_defaults = false\n'
        '[[adapters]]\nname = "drops"\ntype = "csv"\npoll_interval = "1s"\n'
        "[adapters.options]\nsettle_seconds = 0\ngrowing_settle_seconds = 0\n"
        f'folders = [{{ path = "{drop}", store = "shop" }}]\n',
        encoding="utf-8",
    )
    processed = drop / "processed"

    def done() -> int:
        return len(list(processed.glob("*.csv"))) if processed.exists() else 0

    kills = 0
    while done() < FILES and kills < 5:
        before = done()
        watch = start_watch(config, db)
        wait_until(partial(_loaded_one, done, before, watch))
        kill9(watch)  # mid-way through the next file, or just after this one
        kills += 1
    final = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    assert final.returncode in (0, 3), final.stderr
    assert kills >= 1
    assert done() == FILES
    assert not list(drop.glob("*.csv"))  # every file taken
    assert not (drop / "failed").exists()  # none refused
    with Store.open(db) as store:
        rows = store.conn.execute(
            "SELECT substr(s.sku, 1, instr(s.sku, '-') - 1), sum(p.value), count(*) "
            "FROM points p JOIN series s ON s.id = p.series_id WHERE s.sku != '' "
            "GROUP BY 1"
        ).fetchall()
    # Every file whole, exactly once: the upserts of a reloaded file replace its figures.
    assert {prefix: (total, n) for prefix, total, n in rows} == {
        prefix: (total, HOURS * 5) for prefix, total in expected.items()
    }


# -- during alert delivery ---------------------------------------------------------------

RULES = 10


class SlowChat(BaseHTTPRequestHandler):
    """A chat service that has a message as soon as it is read and answers a little later."""

    bodies: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.bodies.append(json.loads(self.rfile.read(length)))
        time.sleep(0.05)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def chat() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    bodies: list[dict[str, Any]] = []
    handler = type("Chat", (SlowChat,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", bodies
    server.shutdown()
    server.server_close()


def test_kill_9_during_delivery_repeats_at_most_one_message_per_crash(
    tmp_path: Path, chat: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = chat
    db = tmp_path / "ops.db"
    seed(db)  # 500 visitors this hour: every rule below fires, each its own message
    rules = "".join(
        f'[[alerts.rules]]\nname = "uv-over-{n}"\nkind = "threshold"\nmetric = "uv"\n'
        f'threshold = {n * 10}\nwindow = "2h"\nseverity = "warning"\n'
        for n in range(1, RULES + 1)
    )
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "shop"\ntimezone = "UTC"\n'
        f"[alerts]\nuse_defaults = false\ngroup_wait = 0\n{rules}"
        f'[[notifiers]]\nname = "chat"\ntype = "webhook"\nurl = "{url}"\nretries = 0\n'
        'min_severity = "info"\n',
        encoding="utf-8",
    )

    def distinct() -> int:
        return len({tuple(a["id"] for a in b["alerts"]) for b in bodies})

    kills = 0
    while distinct() < RULES and kills < 6:
        before = len(bodies)
        watch = start_watch(config, db)
        # Two more messages read: one of them confirmed in this run, the other maybe not.
        wait_until(partial(_read_two, bodies, distinct, before, watch))
        kill9(watch)
        kills += 1
    final = opsboard("watch", "--once", "--config", str(config), "--db", str(db))
    assert final.returncode == 1, final.stderr  # warnings firing
    assert kills >= 1
    assert distinct() == RULES  # nothing lost
    repeats = len(bodies) - distinct()
    assert repeats <= kills, f"{repeats} repeated messages for {kills} crashes"

"""Collector or viewer across processes: take-over, the status bar, quitting the collector."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from opsboard.config.models import AdapterConfig, Settings, StoreConfig
from opsboard.models import HealthState, SourceHealth
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import Clock
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.collecting import HANDED_OVER, NOBODY_COLLECTS, check_interval
from opsboard.tui.screens.quit import QuitPrompt
from opsboard.tui.screenshots import settle
from opsboard.views.collecting import Collecting

#: Generous: a busy machine may take many seconds to start a process; nothing here is timed.
PATIENCE = 90.0


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds; fail (naming ``what``) after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.05)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait (outside any app) until ``condition`` holds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def record_toasts(app: OpsboardApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message ``app`` notifies from now on (toasts expire on the wall clock)."""
    told: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        told.append(message)
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return told


def status_of(app: OpsboardApp) -> str:
    """The status bar's text."""
    return str(app.screen.query_one("#status").render())


@pytest.fixture
def team(tmp_path: Path) -> tuple[Runtime, Path]:
    """A config with one store fed by a drop folder polled every half second, written to a
    file too (for the other process), and its runtime."""
    drop = tmp_path / "drop"
    drop.mkdir()
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "tmall-flagship"\nplatform = "tmall"\n\n'
        '[[adapters]]\nname = "exports"\ntype = "csv"\npoll_interval = "0.5s"\n'
        f'[adapters.options]\nfolders = [{{ path = "{drop}", store = "tmall-flagship" }}]\n',
        encoding="utf-8",
    )
    settings = Settings(
        stores=[StoreConfig(name="tmall-flagship", platform="tmall")],
        adapters=[
            AdapterConfig(
                name="exports",
                type="csv",
                poll_interval=timedelta(milliseconds=500),
                options={"folders": [{"path": str(drop), "store": "tmall-flagship"}]},
            )
        ],
    )
    runtime = Runtime(settings=settings, db_path=tmp_path / "team.db", config_path=config)
    return runtime, drop


@pytest.fixture
def other_collector(team: tuple[Runtime, Path]) -> Iterator[subprocess.Popen[bytes]]:
    """`opsboard watch` on the team's database in a process of its own, once it holds the
    collector lock."""
    runtime, _drop = team
    assert runtime.config_path is not None
    # The team's database exists before either process opens it: the probe below must never
    # race the other process in creating it (a busy machine lost that race).
    Store.open(runtime.db_path).close()
    process = subprocess.Popen(
        [sys.executable, "-m", "opsboard", "--config", str(runtime.config_path),
         "--db", str(runtime.db_path), "watch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def holds_lock() -> bool:
        assert process.poll() is None, "opsboard watch ended early"
        with Store.open(runtime.db_path) as probe:
            info = probe.collector_info()
            return probe.collector_running() and info is not None and info.pid == process.pid

    try:
        wait_until(holds_lock, "opsboard watch to hold the collector lock")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=PATIENCE)


def test_a_viewer_checks_the_lock_once_per_poll_interval(team: tuple[Runtime, Path]) -> None:
    runtime, _drop = team
    assert check_interval(runtime) == 0.5
    hourly = runtime.settings.model_copy(
        update={
            "adapters": [
                runtime.settings.adapters[0].model_copy(
                    update={"poll_interval": timedelta(hours=1)}
                )
            ]
        }
    )
    assert check_interval(Runtime(settings=hourly, db_path=runtime.db_path)) == 60.0


@pytest.mark.parametrize("how", ["quits", "is killed"])
async def test_a_viewer_takes_over_when_the_collector_stops(
    team: tuple[Runtime, Path],
    other_collector: subprocess.Popen[bytes],
    how: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime, drop = team
    app = make_app(runtime, live_refresh=False)
    told = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.role == "viewer"
        await wait_for(pilot, lambda: "polled" in status_of(app), "the other's last poll")
        assert app.collecting.collecting is Collecting.ELSEWHERE
        assert f"collector pid {other_collector.pid} " in status_of(app)

        if how == "quits":
            other_collector.send_signal(signal.SIGTERM)
        else:
            os.kill(other_collector.pid, signal.SIGKILL)
        other_collector.wait(timeout=PATIENCE)
        await wait_for(pilot, lambda: app.role == "collector", "the viewer to take over")
        said = f"pid {other_collector.pid} "
        assert any(said in m and "this dashboard collects now" in m for m in told), told
        app.refresh_data()
        await settle(pilot)
        assert "collecting here" in status_of(app)

        # And it does collect: a file dropped now is loaded, and said so.
        hour = Clock().now().replace(minute=0, second=0, microsecond=0)
        staging = drop.parent / "visitors.csv"
        staging.write_text(
            "ts,store,channel,campaign,sku,metric,value\n"
            f"{hour:%Y-%m-%dT%H:%M:%SZ},tmall-flagship,,,,uv,321\n",
            encoding="utf-8",
        )
        staging.rename(drop / "visitors.csv")

        def loaded() -> bool:
            return any("loaded visitors.csv" in message for message in told)

        await wait_for(pilot, loaded, "the file to be loaded and told")


async def test_nobody_collecting_is_red_and_hides_the_sources(
    team: tuple[Runtime, Path],
) -> None:
    runtime, _drop = team
    with Store.open(runtime.db_path) as store:
        store.set_health(
            SourceHealth("exports", HealthState.OK, Clock().now(), store="tmall-flagship")
        )
    app = make_app(runtime, collect="never", live_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = status_of(app)
        assert status.startswith("no collector: alerts are not sent")
        assert "sources ok" not in status


async def test_quitting_the_collector_asks_while_others_view(
    team: tuple[Runtime, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runtime, _drop = team
    app = make_app(runtime, live_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.role == "collector"
        with Store.open(runtime.db_path) as viewer:
            viewer.viewer_mark.hold()
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, QuitPrompt), "the question")
            await pilot.press("n")
            await settle(pilot)
            assert app.is_running
            assert not isinstance(app.screen, QuitPrompt)
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, QuitPrompt), "the question")
            await pilot.press("y")
            await pilot.pause()
    assert " ".join(capsys.readouterr().err.split()) == HANDED_OVER


async def test_quitting_the_only_dashboard_says_collection_stops(
    team: tuple[Runtime, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runtime, _drop = team
    app = make_app(runtime, live_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.role == "collector"
        await pilot.press("q")
        await pilot.pause()
    assert " ".join(capsys.readouterr().err.split()) == NOBODY_COLLECTS


async def test_a_viewer_quits_without_a_question(
    team: tuple[Runtime, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    runtime, _drop = team
    with Store.open(runtime.db_path) as other:
        other.acquire_collector_lock()
        app = make_app(runtime, live_refresh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.role == "viewer"
            await pilot.press("q")
            await pilot.pause()
        assert not app.is_running
        assert capsys.readouterr().err == ""


async def test_the_review_screen_says_who_collects_too(app: OpsboardApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReviewScreen"
        assert status_of(app).startswith("collector pid 4242 ops@ops-server, polled 14:29:48")

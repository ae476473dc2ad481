"""What the dashboard leaves behind or remembers: screenshots, the theme; times it tells."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from opsboard.paths import preferences_path, screenshot_dir
from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.prompt import SilencePrompt
from opsboard.tui.screenshots import settle
from opsboard.views.preferences import Preferences


def _recording(app: OpsboardApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    told: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        told.append(message)
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return told


async def test_a_screenshot_goes_into_the_data_folder(
    app: OpsboardApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    told = _recording(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    # Named by the store's local time (14:30 in Shanghai), not the server's.
    path = screenshot_dir() / "opsboard-overview-tmall-flagship-20260618-143000.svg"
    assert told[-1] == str(path)
    assert path.read_text(encoding="utf-8").startswith("<svg")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not any(here.iterdir())  # nothing in the current folder


async def test_a_theme_picked_is_remembered(seeded_runtime: Runtime) -> None:
    first = make_app(seeded_runtime, collect="never", live_refresh=False)
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first.theme = "nord"
        await pilot.pause()
    assert Preferences.load().theme == "nord"
    assert stat.S_IMODE(preferences_path().stat().st_mode) == 0o600
    again = make_app(seeded_runtime, collect="never", live_refresh=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
    # A config whose theme changed since wins over the remembered pick.
    settings = seeded_runtime.settings.model_copy(update={"theme": "gruvbox"})
    changed = Runtime(settings=settings, db_path=seeded_runtime.db_path, clock=seeded_runtime.clock)
    third = make_app(changed, collect="never", live_refresh=False)
    async with third.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert third.theme == "gruvbox"


async def test_a_silence_ends_in_the_store_zone(
    app: OpsboardApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = _recording(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, SilencePrompt)
        app.screen.query_one(Input).value = "1d"
        await pilot.press("enter")
        await settle(pilot)
    assert any(message.endswith("until 14:30 CST") for message in told), told

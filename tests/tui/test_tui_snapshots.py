"""Snapshots of each screen at fixed sizes, on seeded data with the clock frozen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screenshots import settle

SnapCompare = Callable[..., bool]


def _app(runtime: Runtime, store: str | None = "tmall-flagship") -> OpsboardApp:
    return make_app(
        runtime, store=store, collect="never", live_refresh=False, unicode=True, blink=False
    )


def _then(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize(
    ("size", "keys"),
    [
        pytest.param((120, 40), (), id="overview-120x40"),
        pytest.param((80, 24), (), id="overview-80x24"),
        pytest.param((120, 40), ("k",), id="movers-120x40"),
        pytest.param((120, 40), ("left_curly_bracket",), id="replay-yesterday-120x40"),
        pytest.param((100, 30), ("question_mark",), id="help-100x30"),
        pytest.param((100, 30), ("a",), id="acknowledge-100x30"),
        pytest.param((80, 24), ("v",), id="review-80x24"),
        pytest.param((120, 36), ("f",), id="files-120x36"),
        pytest.param((80, 24), ("f",), id="files-80x24"),
    ],
)
def test_screen(
    snap_compare: SnapCompare,
    seeded_runtime: Runtime,
    size: tuple[int, int],
    keys: tuple[str, ...],
) -> None:
    assert snap_compare(_app(seeded_runtime), terminal_size=size, run_before=_then(*keys))


def test_all_stores_overview(snap_compare: SnapCompare, seeded_runtime: Runtime) -> None:
    assert snap_compare(
        _app(seeded_runtime, store=None), terminal_size=(120, 40), run_before=_then()
    )

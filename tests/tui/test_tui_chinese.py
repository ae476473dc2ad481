"""The dashboard in Chinese (``--lang zh-CN``): snapshots at 80x24 and 120x36, and the
operators' words on the overview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screenshots import settle

SnapCompare = Callable[..., bool]


def _app(runtime: Runtime) -> OpsboardApp:
    return make_app(
        runtime,
        store="tmall-flagship",
        collect="never",
        live_refresh=False,
        unicode=True,
        blink=False,
    )


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)


@pytest.mark.parametrize(
    "size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
)
def test_overview_in_chinese(
    snap_compare: SnapCompare, seeded_runtime: Runtime, chinese: None, size: tuple[int, int]
) -> None:
    assert snap_compare(_app(seeded_runtime), terminal_size=size, run_before=_settled)


async def test_the_overview_speaks_the_operators_words(
    seeded_runtime: Runtime, chinese: None
) -> None:
    app = _app(seeded_runtime)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        shown = app.export_screenshot()
    for word in ("今日流量", "访客数", "支付转化率", "付费推广", "投产比", "告警", "退出"):
        assert word in shown, word

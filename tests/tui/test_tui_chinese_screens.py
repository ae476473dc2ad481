"""The dashboard's other screens, toasts and palette in Chinese (``--lang zh-CN``): the
files, an alert's story and the channels' sources at 80x24, acknowledging and silencing,
a file's toast, and the command palette."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from rich.text import Text
from textual.command import CommandInput
from textual.pilot import Pilot

from opsboard import i18n
from opsboard.formatting import cells
from opsboard.points import FinePoint
from opsboard.runtime import Runtime
from opsboard.timeutil import local_midnight, zone
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.tui.screens.alert_story import AlertStoryScreen
from opsboard.tui.screens.channel_sources import ChannelSourcesScreen
from opsboard.tui.screens.prompt import AckPrompt, SilencePrompt
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.alerts_table import AlertsTable
from opsboard.tui.widgets.hourly_chart import fit_wide, tick_label
from opsboard.views.alert_groups import alert_lines
from opsboard.views.alerts import AlertRow
from opsboard.views.sample_world import SAMPLE_NOW
from opsboard.views.sources import FileRow

SnapCompare = Callable[..., bool]
SHANGHAI = zone("Asia/Shanghai")


def _app(runtime: Runtime) -> OpsboardApp:
    return make_app(
        runtime, store="tmall-flagship", collect="never", live_refresh=False, unicode=True,
        blink=False,
    )  # fmt: skip


def _then(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)

    return run_before


def _shown(app: OpsboardApp) -> str:
    """The text of the screen (the SVG writes a space as ``&#160;``)."""
    return app.export_screenshot().replace("&#160;", " ")


def _sources(runtime: Runtime, day: date) -> None:
    """Yesterday's traffic sources of the flagship store (a 生意参谋 流量来源 export)."""
    ts = int(local_midnight(day, SHANGHAI).timestamp())
    rows = [
        ("organic_search", "手淘搜索", 3000.0),
        ("recommendation", "手淘推荐", 2000.0),
        ("display", "引力魔方", 400.0),
    ]
    with runtime.open_store() as store, store.batch(source="t", origin="t") as batch:
        batch.add_fine(
            FinePoint("tmall-flagship", "day", ts, channel, "", "", "uv", uv, source=source)
            for channel, source, uv in rows
        )


def test_files_screen_in_chinese(
    snap_compare: SnapCompare, seeded_runtime: Runtime, chinese: None
) -> None:
    assert snap_compare(_app(seeded_runtime), terminal_size=(80, 24), run_before=_then("f"))


def test_alert_story_in_chinese(
    snap_compare: SnapCompare, seeded_runtime: Runtime, chinese: None
) -> None:
    assert snap_compare(_app(seeded_runtime), terminal_size=(80, 24), run_before=_then("enter"))


def test_channel_sources_in_chinese(
    snap_compare: SnapCompare, seeded_runtime: Runtime, chinese: None
) -> None:
    _sources(seeded_runtime, SAMPLE_NOW.astimezone(SHANGHAI).date() - timedelta(days=1))
    assert snap_compare(_app(seeded_runtime), terminal_size=(80, 24), run_before=_then("t"))


async def test_the_screens_speak_chinese(seeded_runtime: Runtime, chinese: None) -> None:
    _sources(seeded_runtime, SAMPLE_NOW.astimezone(SHANGHAI).date() - timedelta(days=1))
    app = _app(seeded_runtime)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        files = _shown(app)
        for word in ("文件与数据源", "接入数据", "数据源", "文件（最新在前）", "已载入", "时间"):
            assert word in files, word
        await pilot.press("escape", "t")
        await settle(pilot)
        assert isinstance(app.screen, ChannelSourcesScreen)
        await app.workers.wait_for_complete()
        await settle(pilot)
        sources = _shown(app)
        for word in ("渠道及流量来源", "流量来源的最近一天", "渠道 / 来源", "手淘推荐", "访客数"):
            assert word in sources, word
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        index = next(i for i, line in enumerate(table.lines) if line.alert and line.alert.acked_by)
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertStoryScreen)
        await app.workers.wait_for_complete()
        await settle(pilot)
        story = str(app.screen.query_one("#story").render())
        for word in ("范围", "当前值", "阈值", "经过", "li.wei 已确认：new detail page tonight"):
            assert word in story, word
        assert "Observed" not in story


async def test_acknowledging_and_silencing_are_told_in_chinese(
    seeded_runtime: Runtime, chinese: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(seeded_runtime)
    told: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_options: told.append(message))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        target = app.screen.query_one(AlertsTable).selected
        assert target is not None
        await pilot.press("a")
        assert isinstance(app.screen, AckPrompt)
        assert f"的 {target.rule}：" in app.screen.what
        await pilot.press(*"kan", "enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, SilencePrompt)
        assert app.screen.what.startswith("静默 ")
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert f"已确认 {target.rule}" in told
    assert any(t.startswith("已静默 ") and "，至 " in t for t in told), told


def test_a_files_toast_in_chinese(chinese: None) -> None:
    when = datetime(2026, 12, 7, 8, tzinfo=UTC)
    day = date(2026, 12, 6)
    loaded = FileRow(
        1, when, "Asia/Shanghai", "sycm.xls", "/drop/sycm.xls", True, "sycm_store_traffic",
        "tmall-flagship", day, day, 1234, "",
    )  # fmt: skip
    refused = FileRow(
        2, when, "Asia/Shanghai", "bad.csv", "/drop/bad.csv", False, "", "", None, None, 0,
        "line 3: no header\nfix: export again",
    )  # fmt: skip
    assert loaded.toast == (
        "已载入 sycm.xls：sycm_store_traffic，店铺 tmall-flagship，2026-12-06，1,234 个数据点"
    )
    assert refused.toast == "已拒收 bad.csv：line 3: no header"
    i18n.set_language("en")
    assert loaded.toast == (
        "loaded sycm.xls: sycm_store_traffic for tmall-flagship, 2026-12-06, 1,234 points"
    )


async def test_the_palette_speaks_chinese(seeded_runtime: Runtime, chinese: None) -> None:
    app = _app(seeded_runtime)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "主题" in titles
        assert "退出" in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        await pilot.press(*"店铺：amazon")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.store_name == "amazon-us"
        footer = _shown(app)
        assert "命令" in footer
        assert "palette" not in footer


def test_a_group_of_alerts_is_counted_in_chinese(chinese: None) -> None:
    since = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
    members = [
        AlertRow(
            id=n,
            rule="ad-ctr-drop",
            store=f"store-{n % 2}",
            scope=f"campaign:c{n}",
            state="firing",
            severity="warning",
            value=None,
            threshold=None,
            message=f"alert {n}",
            since=since,
        )
        for n in range(1, 12)
    ]
    (line,) = alert_lines(tuple(members), frozenset())
    assert line.group is not None
    assert line.group.words("store-1") == "11 个计划"
    assert line.group.words(None) == "11 个计划 · 2 家店铺"
    i18n.set_language("en")
    assert line.group.words(None) == "11 campaigns · 2 stores"


def test_the_hourly_charts_frame_stays_straight_in_chinese(chinese: None) -> None:
    # plotext counts 上周 as two cells where the terminal draws four: the spaces after
    # it give the two back, so the right edge of the frame stays in its column.
    plot = Text("4.00┤ ⢕⢕ 上周        ⣀⠤│\n3.00┤               ⠊│")
    lines = fit_wide(plot).plain.split("\n")
    assert [cells(line) for line in lines] == [cells(lines[1])] * 2
    assert lines[0].endswith("⣀⠤│")
    assert tick_label(20000, "uv") == "20,000"
    i18n.set_language("en")
    assert tick_label(20000, "uv") == "20k"


async def test_an_alert_in_the_palette_reads_as_chinese(
    seeded_runtime: Runtime, chinese: None
) -> None:
    from opsboard.tui.commands import DashboardCommands

    app = _app(seeded_runtime)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        helps = [h for t, _c, h in DashboardCommands(app.screen)._commands() if "告警：" in t]
    assert helps
    for help_text in helps:
        head = help_text.split("：", 1)[0]
        assert ": " not in head, help_text
        assert head.split()[0] in ("严重", "警告", "提示"), help_text

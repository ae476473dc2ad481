"""Alerts an operator can act on: grouped lines that open, listing order, and each
alert's whole story (message, figures, history, acknowledgements, a refused file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opsboard.alerts import ack
from opsboard.alerts.engine import AlertEngine
from opsboard.config.models import Settings
from opsboard.runtime import Runtime
from opsboard.storage import ingests
from opsboard.storage.outbox import DeliveryRecord
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock, zone
from opsboard.tui.app import OpsboardApp
from opsboard.tui.screens.alert_story import AlertStoryScreen, story_text
from opsboard.tui.screens.prompt import AckPrompt
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.alerts_table import AlertsTable
from opsboard.views.alert_groups import GROUP_FROM, alert_lines
from opsboard.views.alert_story import load_story
from opsboard.views.alerts import AlertRow, load_alerts

NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)


def alert(
    alert_id: int,
    rule: str = "ad-ctr-drop",
    scope: str = "campaign:c",
    state: str = "firing",
    severity: str = "warning",
    **more: object,
) -> AlertRow:
    return AlertRow(
        id=alert_id, rule=rule, store="tmall-flagship", scope=scope, state=state,
        severity=severity, value=None, threshold=None, message=f"alert {alert_id}",
        since=NOW - timedelta(minutes=alert_id), **more,  # type: ignore[arg-type]
    )  # fmt: skip


def test_repeated_alerts_of_one_rule_are_one_line_that_opens() -> None:
    ctr = [alert(n, scope=f"campaign:c{n}", shown_threshold="-50%") for n in range(1, 12)]
    roi = [alert(20, rule="roi-below-break-even"), alert(21, rule="roi-below-break-even")]
    rows = (*ctr, *roi)
    lines = alert_lines(rows, frozenset())
    assert [line.key for line in lines] == ["group:ad-ctr-drop:firing", "20", "21"]
    group = lines[0].group
    assert group is not None
    assert group.words(None) == "11 campaigns"
    assert group.threshold == "-50%"
    opened = alert_lines(rows, frozenset({group.key}))
    assert [line.key for line in opened][:3] == ["group:ad-ctr-drop:firing", "1", "2"]
    assert all(line.member for line in opened[1:12])
    assert len(opened) == 1 + 11 + 2
    # Fewer than GROUP_FROM alerts of a rule are listed one by one.
    assert len(alert_lines(rows[: GROUP_FROM - 1], frozenset())) == GROUP_FROM - 1


def test_acknowledged_alerts_are_listed_after_pending_ones() -> None:
    from opsboard.views.alerts import BUCKET_RANK

    rows = [
        alert(1, state="resolved"),
        alert(2, acked_by="li.wei"),
        alert(3, state="pending", severity="info"),
        alert(4, state="pending", severity="critical"),
        alert(5, severity="info"),
        alert(6, state="pending", silenced_until=NOW + timedelta(hours=1)),
    ]
    ordered = sorted(rows, key=lambda a: (BUCKET_RANK[a.bucket], a.id))
    assert [a.bucket for a in ordered] == [
        "firing",
        "pending",
        "pending",
        "acknowledged",
        "acknowledged",
        "resolved",
    ]


def _rejected_file(store: Store) -> int:
    """A file refused by the drop folder, and the alert the built-in rule raises."""
    ingests.record_failed(
        store,
        source="drop-folder",
        origin="/tmp/opsboard-demo-abc/drop/tmall-flagship/sycm_0617.csv",
        format="sycm",
        store_name="tmall-flagship",
        message="sycm_0617.csv: line 12, column 访客数: '12a' is not a number\n"
        "fix: export the report again",
    )
    settings = Settings.model_validate(
        {
            "stores": [{"name": "tmall-flagship"}],
            "alerts": {"group_wait": 0, "rules": []},
        }
    )
    AlertEngine(store, settings, FrozenClock(NOW)).evaluate()
    [found] = [a for a in load_alerts(store, at=NOW, live=True) if a.rule == "file-rejected"]
    return found.id


def test_a_file_alerts_story_names_the_file_and_its_whole_reason(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        alert_id = _rejected_file(store)
        store.outbox.record_deliveries(
            [
                DeliveryRecord(
                    NOW + timedelta(minutes=1), "team-chat", "sent", "t", [alert_id], ""
                ),
                DeliveryRecord(
                    NOW + timedelta(minutes=1), "pager", "failed", "t", [alert_id], "503"
                ),
                DeliveryRecord(NOW, "team-chat", "sent", "t", [alert_id + 1000], ""),
            ]
        )
        ack(store, alert_id, "li.wei", "asked for a new export", now=NOW + timedelta(minutes=5))
        later = NOW + timedelta(minutes=10)
        row = next(a for a in load_alerts(store, at=later, live=True) if a.id == alert_id)
        story = load_story(store, row, at=later, tz=zone("Asia/Shanghai"))
    # The scope is the file's name, not the temporary folder it lay in.
    assert row.scope_label == "tmall-flagship / file:sycm_0617.csv"
    assert story.file == "/tmp/opsboard-demo-abc/drop/tmall-flagship/sycm_0617.csv"
    assert "column 访客数: '12a' is not a number" in story.file_reason
    assert "fix: export the report again" in story.file_reason
    what = [event.what for event in story.history]
    assert what == [
        "firing",
        "told team-chat",
        "telling pager failed: 503",
        "acknowledged by li.wei: asked for a new export",
    ]
    text = story_text(story, "Asia/Shanghai").plain
    assert "06-18 14:30  firing" in text
    assert "06-18 14:35  acknowledged by li.wei: asked for a new export" in text
    assert "Scope    tmall-flagship / sycm_0617.csv" in text


async def test_enter_opens_an_alerts_story_and_escape_closes_it(app: OpsboardApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        table.focus()
        index = next(
            i
            for i, line in enumerate(table.lines)
            if line.alert is not None and line.alert.acked_by
        )
        table.move_cursor(row=index)
        chosen = table.selected
        assert chosen is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertStoryScreen)
        shown = str(app.screen.query_one("#story").render())
        assert chosen.message in shown.replace("\n", " ") or chosen.message[:30] in shown
        assert "Observed" in shown
        assert "Limit" in shown
        assert "acknowledged by li.wei: new detail page tonight" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AlertStoryScreen)
        # From the story, `a` acknowledges the alert it tells.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AckPrompt)
        assert chosen.rule in app.screen.what


async def test_enter_opens_a_group_into_its_members(app: OpsboardApp) -> None:
    app.store_name = None  # every store: three ROI alerts of one state
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        index = next(i for i, line in enumerate(table.lines) if line.group is not None)
        group = table.lines[index].group
        assert group is not None
        assert str(table.get_row_at(index)[3]) == f"▸ {group.words(None)}"
        count = table.row_count
        table.focus()
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, AlertStoryScreen)
        assert table.row_count == count + len(group.members)
        assert str(table.get_row_at(index)[3]).startswith("▾ ")
        members = [line.alert for line in table.lines if line.member]
        assert members == list(group.members)
        # Laid out again for a narrower terminal, the group stays open.
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        assert [line.alert for line in table.lines if line.member] == list(group.members)
        table.focus()
        table.move_cursor(row=index)
        # The members' lines are alerts: Enter on one tells its story.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertStoryScreen)
        assert app.screen.alert == group.members[0]
        await pilot.press("escape")
        await settle(pilot)
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(pilot)
        assert table.row_count == count


async def test_a_group_is_acknowledged_with_one_note(
    app: OpsboardApp, seeded_runtime: Runtime
) -> None:
    app.store_name = None
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        index = next(i for i, line in enumerate(table.lines) if line.group is not None)
        group = table.lines[index].group
        assert group is not None
        table.focus()
        table.move_cursor(row=index)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AckPrompt)
        assert app.screen.what == f"All {len(group.members)} alerts of {group.rule} in this group"
        await pilot.press(*"bids lowered on all three", "enter")
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        # Acknowledged, they are one line again, listed after the firing ones.
        [line] = [line for line in table.lines if line.group is not None]
        assert line.group is not None
        assert line.group.bucket == "acknowledged"
        assert {m.id for m in line.group.members} == {m.id for m in group.members}
        assert str(table.get_row_at(table.lines.index(line))[-1]) == "3 acked"
    with seeded_runtime.open_store() as store:
        notes = {
            a.id: a.ack_note for a in load_alerts(store, at=NOW, live=True) if a.rule == group.rule
        }
    assert all(notes[m.id] == "bids lowered on all three" for m in group.members)

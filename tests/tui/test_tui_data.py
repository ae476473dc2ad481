"""The dashboard's Textual-free parts: formatting, pacing, movers, alert state, serving."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from opsboard import formatting as fmt
from opsboard.cli.serve import dashboard_command, is_loopback
from opsboard.config.models import Settings
from opsboard.errors import UsageError
from opsboard.runtime import Runtime
from opsboard.timeutil import FrozenClock, zone
from opsboard.tui.widgets.fitted_table import share_width
from opsboard.views.alerts import AlertRow, load_alerts, parse_duration
from opsboard.views.movers import MoversLoader, what_to_check
from opsboard.views.overview import OverviewLoader, pacing_state
from opsboard.views.sample_world import SAMPLE_NOW

SHANGHAI = zone("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "-"), (0.0352, "3.5%"), (1.0, "100.0%")],
)
def test_percent(value: float | None, text: str) -> None:
    assert fmt.percent(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(999, "999"), (12_345, "12.3k"), (123_456, "123k"), (4_560_000, "4.56M")],
)
def test_compact_numbers_stay_short_and_whole(value: float, text: str) -> None:
    assert fmt.compact(value) == text


def test_money_changes_and_missing_figures() -> None:
    assert fmt.money(22262.63, "CNY") == "¥22.3k"
    assert fmt.money(1.606, "USD", cents=True) == "$1.61"
    assert fmt.money(None, "CNY") == fmt.MISSING
    assert fmt.change(0.196) == "+19.6%"
    assert fmt.change(None) == fmt.MISSING
    assert fmt.figure("conversion_rate", 0.031) == "3.10%"
    assert fmt.figure("uv", None) == "-"  # no data is a dash, never a zero


def test_a_change_that_rounds_to_nothing_has_no_sign() -> None:
    assert fmt.points(0.05, 0.0502) == "0.0pt"
    assert fmt.points(0.0502, 0.05) == "0.0pt"
    assert fmt.points(0.05, 0.0506) == "-0.1pt"
    assert fmt.change(-0.0004) == "0.0%"
    assert fmt.change(0.0006) == "+0.1%"


def test_bars_in_unicode_and_ascii() -> None:
    assert fmt.bar(0.5, 6, unicode=False) == "###---"
    assert fmt.bar(2.0, 4, unicode=False) == "####"
    assert len(fmt.bar(0.61, 6)) == 6


def test_ages() -> None:
    assert [fmt.age(s) for s in (5, 125, 3 * 3600 + 300, 3 * 86400)] == ["5s", "2m", "3h05", "3d"]


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 18, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_pacing_states() -> None:
    # Half the day gone, half the budget spent: on track.
    assert pacing_state(500, 1000, 0.5, _at(12), SHANGHAI) == "on track"
    # At 10:00, 60% spent: the budget runs out at 16:40, before the evening peak.
    assert pacing_state(600, 1000, 10 / 24, _at(10), SHANGHAI) == "out by 16:40"
    assert pacing_state(300, 1000, 0.5, _at(12), SHANGHAI) == "behind"
    assert pacing_state(1000, 1000, 0.5, _at(12), SHANGHAI) == "spent out"
    assert pacing_state(None, 1000, 0.5, _at(12), SHANGHAI) == ""


def test_diagnosis_rules_of_thumb() -> None:
    notes = what_to_check(
        bounce=0.8,
        ctr=0.03,
        conversion=0.01,
        conversion_base=0.03,
        uv_change=-0.5,
        bounce_limit=0.75,
    )
    assert any("detail page" in n for n in notes)
    assert any("main image" in n for n in notes)
    assert any("conversion" in n for n in notes)
    assert any("search rank" in n for n in notes)
    assert (
        what_to_check(
            bounce=0.5,
            ctr=0.08,
            conversion=0.03,
            conversion_base=0.03,
            uv_change=0.0,
            bounce_limit=0.75,
        )
        == ()
    )


def test_share_width_keeps_columns_that_fit() -> None:
    assert share_width(40, [10, 10]) == [10, 10]
    assert share_width(20, [30, 6]) == [14, 6]
    assert sum(share_width(15, [30, 30])) == 15


@pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("2h", 120), ("1d", 1440), ("45", 45)])
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


def test_a_bad_duration_says_how_to_write_one() -> None:
    with pytest.raises(UsageError, match="30m, 2h or 1d"):
        parse_duration("tomorrow")


def test_movers_rank_the_anomalies_first(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        loader = MoversLoader(seeded_runtime.engine(store), seeded_runtime.settings)
        movers = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW)
    top = {m.sku: m for m in movers[:3]}
    assert top["100200300401"].moved == "uv"
    assert top["100200300401"].score < 0
    assert top["100200300403"].moved == "bounce"
    assert all(abs(a.score) >= abs(b.score) for a, b in itertools.pairwise(movers))


def test_overview_budget_and_strategic_loss(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        loader = OverviewLoader(store, seeded_runtime.engine(store), seeded_runtime.settings)
        view = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW, live=True, chart_metric="uv")
    rows = {(r.channel, r.campaign): r for r in view.promotion}
    assert rows[("display", "crowd-retarget")].strategic_loss
    assert rows[("paid_search", "kw-generic")].pacing_state.startswith("out by")
    assert rows[("paid_search", "kw-generic")].below_break_even
    assert view.break_even_roi == pytest.approx(2.5)
    assert [u.sku for u in view.unsold] == ["100200300406"]
    assert view.hourly.today[15] is None
    assert view.hourly.today[14] is not None


def test_money_over_stores_in_different_currencies_is_not_added(
    seeded_runtime: Runtime,
) -> None:
    with seeded_runtime.open_store() as store:
        loader = OverviewLoader(store, seeded_runtime.engine(store), seeded_runtime.settings)
        every = loader.load(store_name=None, at=SAMPLE_NOW, live=True, chart_metric="gmv")
        visits = loader.load(store_name=None, at=SAMPLE_NOW, live=True, chart_metric="uv")
        one = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW, live=True, chart_metric="gmv")
    assert every.currency == ""  # CNY and USD stores
    assert {f.metric: f.today for f in every.figures}["gmv"] is None
    assert {f.metric: f.today for f in every.figures}["uv"] is not None
    assert every.channels
    assert [c.gmv for c in every.channels] == [None] * len(every.channels)
    assert None not in [c.uv for c in every.channels]
    assert set(every.hourly.today) == {None}
    assert "currencies" in every.hourly.note
    assert set(visits.hourly.today) != {None}
    assert not visits.hourly.note
    assert None not in [c.gmv for c in one.channels]
    assert set(one.hourly.today) != {None}
    assert not one.hourly.note


def test_replayed_alerts_show_acks_made_by_then(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        live = load_alerts(store, at=SAMPLE_NOW, live=True)
        earlier = load_alerts(store, at=SAMPLE_NOW - timedelta(hours=2, minutes=30), live=False)

    def bounce(alerts: list[AlertRow]) -> AlertRow:
        return next(
            a for a in alerts if a.rule == "detail-page-bounce" and a.store == "tmall-flagship"
        )

    bounce_now, bounce_then = bounce(live), bounce(earlier)
    assert bounce_now.acked_by == "li.wei"
    assert bounce_then.acked_by == ""  # acknowledged two hours ago, not yet then


def test_serve_binds_loopback_and_quotes_the_command() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    command = dashboard_command(None, __import__("pathlib").Path("/tmp/my db;rm -rf x.db"))
    assert "'/tmp/my db;rm -rf x.db'" in command
    assert command.endswith(" dashboard --viewer")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "C"}, False),
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, False),  # Python's own coercion under C
        ({"LANG": "en_US.UTF-8"}, True),
        ({"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, False),
        ({"LANG": "zh_CN.UTF-8", "OPSBOARD_ASCII": "1"}, False),
    ],
)
def test_unicode_follows_the_declared_locale(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    for name in ("LC_ALL", "LC_CTYPE", "LANG", "OPSBOARD_ASCII"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert fmt.unicode_ok() is expected


def test_the_scope_shows_the_part_that_differs() -> None:
    from opsboard.tui.widgets.alerts_table import scope_text
    from opsboard.views.alerts import AlertRow

    def row(scope: str, name: str = "") -> AlertRow:
        return AlertRow(
            id=1, rule="r", store="jd", scope=scope, state="firing", severity="warning",
            value=None, threshold=None, message="", since=None, name=name,
        )  # fmt: skip

    assert scope_text(row("sku:1059327422949"), "jd") == "1059327422949"
    assert scope_text(row("sku:1059327422949", "绞肉机"), None) == "jd / 1059327422949 绞肉机"
    # A refused file by its name in the drop folder, never the path it lay or moved in.
    assert scope_text(row("file:/tmp/opsboard-demo-x/drop/jd/a.csv"), "jd") == "a.csv"
    assert row("file:/tmp/opsboard-demo-x/drop/jd/a.csv").scope_label == "jd / file:a.csv"
    assert scope_text(row("campaign:jd-search"), None) == "jd / jd-search"
    assert scope_text(row(""), "jd") == "store"


def test_each_store_is_reviewed_for_its_own_yesterday(seeded_runtime: Runtime) -> None:
    from opsboard.views.source import DashboardSource

    source = DashboardSource(seeded_runtime, seeded_runtime.open_store())
    try:
        # 11:00 on the 18th in Shanghai is 20:00 on the 17th in Los Angeles.
        at = datetime(2026, 6, 18, 3, 0, tzinfo=UTC)
        assert source.review_day("tmall-flagship", at) == date(2026, 6, 17)
        assert source.review_day("amazon-us", at) == date(2026, 6, 16)
        text = source.review_markdown(None, at)
        assert "2026-06-17" in text
        assert "2026-06-16" in text
    finally:
        source.close()


def test_a_sku_moving_with_its_store_is_not_a_mover(tmp_path: Path) -> None:
    from opsboard.models import MetricPoint

    tz = zone("Asia/Shanghai")
    at = datetime(2026, 6, 18, 14, 30, tzinfo=tz).astimezone(UTC)
    rows = []
    # The whole store has 30% fewer visitors than last week; SKU "fell" lost 80%.
    for day, factor in ((date(2026, 6, 11), 1.0), (date(2026, 6, 18), 0.7)):
        for hour in range(14):
            ts = datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)
            for sku, base in (("steady-a", 400), ("steady-b", 300), ("fell", 300)):
                uv = base * factor * (0.25 if sku == "fell" and factor < 1 else 1)
                rows.append(MetricPoint("s1", ts, "hour", "uv", round(uv), sku=sku))
                rows.append(MetricPoint("s1", ts, "hour", "buyers", round(uv * 0.03), sku=sku))
    runtime = Runtime(settings=Settings(), db_path=tmp_path / "m.db", clock=FrozenClock(at))
    with runtime.open_store() as store:
        with store.batch(source="test", origin="test", store="s1") as batch:
            batch.add_points(rows)
        movers = MoversLoader(runtime.engine(store), runtime.settings).load(store_name="s1", at=at)
    assert movers[0].sku == "fell"
    assert movers[0].moved == "uv"
    steady = [m for m in movers if m.sku.startswith("steady")]
    assert all(abs(m.score) < abs(movers[0].score) / 5 for m in steady)
    assert any("more than the store" in note for note in movers[0].diagnosis)
    assert not any("traffic" in note for m in steady for note in m.diagnosis)

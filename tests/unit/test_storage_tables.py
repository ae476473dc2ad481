"""The storage table modules: series selections, typed rows of the ingest history and the
points, the series registry, and the one pacing computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from opsboard.models import MetricPoint
from opsboard.points import InvalidPoint
from opsboard.query.pacing import day_share, pace, pacing_state, runs_out_at
from opsboard.storage import Store, ingests, meta, points
from opsboard.storage.points import SeriesSelection
from opsboard.timeutil import zone

SHANGHAI = zone("Asia/Shanghai")
T0 = datetime(2026, 6, 18, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _points(store: Store) -> None:
    store.write_points(
        [
            MetricPoint("s1", T0, "hour", "spend", 40.0, channel="paid_search", campaign="c1"),
            MetricPoint("s1", T0, "hour", "spend", 60.0, channel="paid_search", campaign="c2"),
            MetricPoint("s1", T0, "hour", "uv", 500.0),
            MetricPoint("s1", T0 + timedelta(hours=1), "hour", "uv", 700.0),
        ],
        source="api",
    )


def test_a_selection_names_only_known_dimensions() -> None:
    where, params = SeriesSelection(
        "s1", ("uv", "gmv"), True, (("channel", "direct"),), ("sku",), ("campaign",)
    ).where()
    assert where == (
        "s.store = ? AND s.metric IN (?,?) AND s.grain = 'hour' AND s.channel = ? "
        "AND s.sku != '' AND s.campaign = ''"
    )
    assert params == ["s1", "uv", "gmv", "direct"]
    with pytest.raises(ValueError, match="no dimension"):
        SeriesSelection("s1", ("uv",), named=("store; DROP TABLE points",)).where()


def test_points_answer_typed_questions(store: Store) -> None:
    _points(store)
    start, end = int(T0.timestamp()), int(T0.timestamp()) + 7200
    uv = SeriesSelection("s1", ("uv",), True, unnamed=("channel", "campaign", "sku"))
    assert points.span(store, uv) == (start, start + 3600)
    spans = points.metric_spans(store, uv, start, start + 3600)
    assert [(s.metric, s.first, s.last) for s in spans] == [("uv", start, start)]
    assert points.hour_points(store, uv, frozenset(), start, end) == [
        ("uv", "", "", "", "", "", "", start, 500.0),
        ("uv", "", "", "", "", "", "", start + 3600, 700.0),
    ]
    spend = SeriesSelection("s1", ("spend",), True, named=("campaign",))
    sums = points.series_sums(store, spend, frozenset({"campaign"}), 7, start, end)
    assert sorted(sums) == [
        ("spend", "", "c1", "", "", "", "", 7, 40.0),
        ("spend", "", "c2", "", "", "", "", 7, 60.0),
    ]
    assert points.label_sums(store, spend, "campaign", start, end) == {
        "c1": (40.0,),
        "c2": (60.0,),
    }
    assert [tuple(s) for s in points.shapes(store, spend)] == [("hour", 3)]
    assert points.campaign_channels(store, "s1", "spend") == {
        "c1": "paid_search",
        "c2": "paid_search",
    }
    assert points.last_point(store, "s1") == start + 3600
    assert points.last_point(store, "s2") is None
    assert points.has_any(store, "s1", ("spend", "clicks"))
    assert not points.has_any(store, "s1", ("clicks",))
    delivered = list(points.deliveries(store, "s1", start, end))
    assert {(d.source, d.metric, d.level, d.grain) for d in delivered} == {
        ("api", "spend", 3, "hour"),
        ("api", "uv", 0, "hour"),
    }


def test_the_ingest_history_comes_as_named_rows(store: Store) -> None:
    _points(store)
    store.record_failed_ingest(
        source="sycm-drop", origin="a.csv", format="sycm", store="s1", message="bad header\nmore"
    )
    (refused,) = ingests.refusals(store, "s1")
    assert (refused.source, refused.origin, refused.message) == (
        "sycm-drop",
        "a.csv",
        "bad header\nmore",
    )
    start = int(T0.timestamp())
    (arrival,) = ingests.arrivals(store, "s1", start, start + 86400)
    assert (arrival.source, arrival.period_start, arrival.period_end) == (
        "api",
        start,
        start + 3600,
    )
    assert arrival.finished_at is not None
    (delivery,) = ingests.deliveries(store, "s1", "2000-01-01", "2999-01-01")
    assert delivery.finished_at == arrival.finished_at
    assert ingests.newest_id(store) == 2


def test_another_grain_is_found_by_format(store: Store) -> None:
    with store.batch(source="sycm-drop", origin="a.csv", format="jd-sku", store="s1") as batch:
        batch.add_points([MetricPoint("s1", T0, "hour", "uv", 5.0)])
    day = int(T0.timestamp())
    found = store.loaded_format("s1", ["jd-sku", "jd-spu"], day - 86400, day + 86400)
    assert found is not None
    assert (found.format, found.first, found.last) == ("jd-sku", day, day)
    assert store.loaded_format("s1", ["jd-spu"], day - 86400, day + 86400) is None
    assert store.loaded_format("s2", ["jd-sku"], day - 86400, day + 86400) is None


def test_the_change_fingerprint_moves_with_an_ingest(store: Store) -> None:
    before = meta.changes_fingerprint(store)
    _points(store)
    assert meta.changes_fingerprint(store) != before


def test_the_series_registry_checks_keys_and_forgets_after_a_rollback(store: Store) -> None:
    key = ("s1", "hour", "uv", "", "", "")
    with store.transaction():
        first = store.series.id_of(key)
        assert store.series.id_of(key) == first
        with pytest.raises(InvalidPoint, match="unknown metric"):
            store.series.id_of(("s1", "hour", "visits", "", "", ""))
    assert store.series.newest_id() == first
    assert store.series_levels() == {"s1": {("uv", 0, True): 1}}
    store.series.forget()
    assert store.series.known == {}


def test_a_days_share_is_whole_once_over_and_none_before_it_begins() -> None:
    now = datetime(2026, 6, 18, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert day_share(date(2026, 6, 17), SHANGHAI, now) == 1.0
    assert day_share(date(2026, 6, 18), SHANGHAI, now) == pytest.approx(0.5)
    assert day_share(date(2026, 6, 19), SHANGHAI, now) is None


def test_pace_and_when_the_budget_runs_out() -> None:
    now = datetime(2026, 6, 18, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert pace(500.0, 1000.0, 0.5) == 1.0
    assert pace(None, 1000.0, 0.5) is None
    assert pace(500.0, 0.0, 0.5) is None
    assert pace(500.0, 1000.0, 0.0) is None
    runs_out = runs_out_at(750.0, 1000.0, now, SHANGHAI)
    assert runs_out is not None
    assert runs_out.astimezone(SHANGHAI).strftime("%H:%M") == "16:00"
    assert runs_out_at(0.0, 1000.0, now, SHANGHAI) is None
    assert pacing_state(750.0, 1000.0, 0.5, now, SHANGHAI, 20) == "out by 16:00"
    assert pacing_state(750.0, 1000.0, 0.5, now, SHANGHAI, 15) == "ahead"

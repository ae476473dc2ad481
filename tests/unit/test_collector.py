"""The collection cycle: batches commit with their bookmarks; failures stop and show."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opsboard.adapters.api import Adapter, AdapterContext, AdapterOptions, Batch, raw_points
from opsboard.adapters.registry import load_adapter
from opsboard.collect.collector import Collector
from opsboard.config.models import Settings
from opsboard.errors import UsageError
from opsboard.models import HealthState, MetricPoint, SourceHealth
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

T0 = datetime(2026, 6, 18, 0, tzinfo=UTC)


class Pages(Adapter):
    """Serves hourly pages; page numbers in ``bad`` hold an invalid point."""

    def __init__(self, context: AdapterContext, pages: int, bad: set[int], boom: bool = False):
        super().__init__(AdapterOptions(), context)
        self.pages, self.bad, self.boom = pages, bad, boom
        self.seen_bookmarks: list[dict[str, str]] = []
        self.rejections: list[str] = []

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        self.seen_bookmarks.append(dict(bookmarks))
        start = int(bookmarks.get("page", "0"))
        for page in range(start, self.pages):
            if self.boom and page == 1:
                raise RuntimeError("connection reset")
            metric = "bogus" if page in self.bad else "uv"
            yield Batch(
                points=raw_points(
                    [MetricPoint("s1", T0 + timedelta(hours=page), "hour", metric, 1.0)]
                ),
                bookmarks={"page": str(page + 1)},
                origin=f"page {page}",
                on_reject=self.rejections.append,
            )

    def health(self) -> list[SourceHealth]:
        return [SourceHealth(self.source, HealthState.OK, T0)]


def make(tmp_path: Path, **kw: object) -> tuple[Pages, AdapterContext]:
    context = AdapterContext("pages", Settings(), FrozenClock(T0), tmp_path)
    return Pages(context, **kw), context  # type: ignore[arg-type]


async def test_a_rejected_batch_stops_the_poll_and_keeps_the_bookmark(
    store: Store, tmp_path: Path
) -> None:
    adapter, _ = make(tmp_path, pages=5, bad={2})
    collector = Collector(store, [(adapter, 60.0)], FrozenClock(T0))
    report = await collector.run_cycle()
    assert report.points == {"pages": 2}
    assert "page 2" in report.rejected["pages"][0]
    assert "unknown metric" in adapter.rejections[0]
    assert store.bookmark("pages", "page") == "2"  # never past the rejected page
    adapter.bad = set()  # the platform fixed its answer
    await collector.run_cycle(force=True)
    assert adapter.seen_bookmarks[-1] == {"page": "2"}
    assert store.bookmark("pages", "page") == "5"
    assert store.point_count() == 5


async def test_an_adapter_crash_is_reported_as_failing_health(store: Store, tmp_path: Path) -> None:
    adapter, _ = make(tmp_path, pages=3, bad=set(), boom=True)
    report = await Collector(store, [(adapter, 60.0)], FrozenClock(T0)).run_cycle()
    assert "connection reset" in report.failed["pages"]
    (health,) = store.health()
    assert health.state is HealthState.FAILING
    assert "connection reset" in health.reason
    assert store.bookmark("pages", "page") == "1"  # page 0 committed before the crash


async def test_adapters_are_not_polled_before_they_are_due(store: Store, tmp_path: Path) -> None:
    adapter, _ = make(tmp_path, pages=1, bad=set())
    collector = Collector(store, [(adapter, 3600.0)], FrozenClock(T0))
    await collector.run_cycle()
    await collector.run_cycle()
    assert len(adapter.seen_bookmarks) == 1
    assert collector.seconds_until_due() > 3000


def test_unknown_adapter_lists_the_installed_ones() -> None:
    with pytest.raises(UsageError, match="no adapter called 'ftp'") as info:
        load_adapter("ftp")
    assert "csv" in (info.value.hint or "")


async def test_unchanged_health_is_not_rewritten_on_every_poll(
    store: Store, tmp_path: Path
) -> None:
    adapter, _ = make(tmp_path, pages=0, bad=set())
    collector = Collector(store, [(adapter, 0.0)], FrozenClock(T0))
    await collector.run_cycle()
    store.conn.execute("UPDATE source_health SET updated_at = 'marker'")
    await collector.run_cycle(force=True)
    assert store.conn.execute("SELECT updated_at FROM source_health").fetchone()[0] == "marker"
    adapter.health = lambda: [  # type: ignore[method-assign]
        SourceHealth("pages", HealthState.FAILING, T0, reason="HTTP 503")
    ]
    await collector.run_cycle(force=True)
    (health,) = store.health()
    assert health.state is HealthState.FAILING
    assert store.conn.execute("SELECT updated_at FROM source_health").fetchone()[0] != "marker"


async def test_a_database_locked_past_its_timeout_defers_the_data(
    db_path: Path, tmp_path: Path
) -> None:
    store = Store.open(db_path, busy_timeout=timedelta(milliseconds=50))
    adapter, _ = make(tmp_path, pages=2, bad=set())
    collector = Collector(store, [(adapter, 60.0)], FrozenClock(T0))
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long ingest holds the write lock
    try:
        report = await collector.run_cycle()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (
        "locked" in report.deferred["pages"] or "cannot start a write" in report.deferred["pages"]
    )
    assert report.rejected == {}
    assert adapter.rejections == []  # not the page's fault: nothing quarantined
    assert store.point_count() == 0
    assert store.bookmark("pages", "page") is None
    assert collector.seconds_until_due() <= 5.0  # tried again soon
    report = await collector.run_cycle(force=True)
    assert report.deferred == {}
    assert store.point_count() == 2
    assert store.bookmark("pages", "page") == "2"
    assert [h.state for h in store.health()] == [HealthState.OK]  # recorded once free
    store.close()

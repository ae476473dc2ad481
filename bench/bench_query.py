"""Panel queries on a store with a year of hourly data for 1,000 SKUs (goal: p95 <= 50 ms).

The data is generated straight into the schema with SQL (the ingest path has its own
benchmark) and kept in bench/.work/ between runs. Each panel query runs through the real
MetricsEngine; the reference is the same aggregation as one plain SQL statement on the same
connection, i.e. the floor SQLite itself sets.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

WORK = Path(__file__).resolve().parent / ".work"
DB = WORK / "query-year.db"
SKUS = 1000
CAMPAIGNS = 20
DAYS = 365
TZ = zone("Asia/Shanghai")
LAST_DAY = date(2026, 6, 30)
FIRST = local_midnight(LAST_DAY - timedelta(days=DAYS - 1), TZ)
NOW = local_midnight(LAST_DAY, TZ) + timedelta(hours=15, minutes=20)
RUNS = 30
GENERATED_MARK = f"v1:{SKUS}:{CAMPAIGNS}:{DAYS}:{LAST_DAY}"


def _generate(store: Store) -> None:
    """Fill the store: hourly uv/buyers/gmv per SKU, channel traffic, campaign spend."""
    conn = store.conn
    start = int(FIRST.timestamp())
    hours = DAYS * 24
    channels = ["organic_search", "paid_search", "display", "affiliate", "content", "direct"]
    with store.transaction():
        series = []
        for sku in range(SKUS):
            for metric in ("uv", "buyers", "gmv"):
                series.append(("bench", "hour", metric, "", "", f"{100000000000 + sku}", 4))
        for channel in channels:
            for metric in ("uv", "pv", "bounces", "buyers", "gmv"):
                series.append(("bench", "hour", metric, channel, "", "", 1))
        for campaign in range(CAMPAIGNS):
            for metric in ("impressions", "clicks", "spend", "ad_gmv"):
                series.append(
                    ("bench", "hour", metric, "paid_search", f"plan-{campaign:02d}", "", 3)
                )
            series.append(("bench", "day", "budget", "paid_search", f"plan-{campaign:02d}", "", 3))
        conn.executemany(
            "INSERT INTO series (store, grain, metric, channel, campaign, sku, level) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            series,
        )
        # Hourly points for every hourly series, with a daily curve and per-series noise.
        conn.execute(
            f"""
            WITH RECURSIVE h(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM h WHERE n < {hours - 1})
            INSERT INTO points (series_id, ts, value)
            SELECT s.id, {start} + h.n * 3600,
                   ((s.id * 7919 + h.n * 104729) % 97 + 3)
                   * (CASE WHEN (h.n % 24) BETWEEN 1 AND 7 THEN 1 ELSE 4 END)
                   * (CASE s.metric WHEN 'gmv' THEN 3.7 WHEN 'buyers' THEN 0.05
                        WHEN 'impressions' THEN 50 WHEN 'spend' THEN 1.3 WHEN 'ad_gmv' THEN 4.1
                        ELSE 1 END)
            FROM series s, h WHERE s.grain = 'hour' ORDER BY s.id, h.n
            """
        )
        days = [
            int(local_midnight(LAST_DAY - timedelta(days=d), TZ).timestamp()) for d in range(DAYS)
        ]
        budget_ids = [r[0] for r in conn.execute("SELECT id FROM series WHERE metric = 'budget'")]
        conn.executemany(
            "INSERT INTO points (series_id, ts, value) VALUES (?, ?, 2000)",
            [(sid, ts) for sid in budget_ids for ts in sorted(days)],
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('bench', ?)", (GENERATED_MARK,)
        )


def _open() -> Store:
    WORK.mkdir(exist_ok=True)
    store = Store.open(DB)
    if store.meta("bench") != GENERATED_MARK:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(DB) + suffix).unlink(missing_ok=True)
        store = Store.open(DB)
        began = time.perf_counter()
        print(
            f"generating {DB.name}: a year of hourly data for {SKUS} SKUs ...",
            file=sys.stderr,
            flush=True,
        )
        _generate(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(
            f"  {store.point_count():,} points in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
    return store


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _time(fn: Callable[[], Any]) -> tuple[float, float]:
    fn()  # warm the page cache
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), _p95(samples)


def run() -> list[dict[str, Any]]:
    """Time each panel query; one row per query with p50/p95 against the SQL floor."""
    store = _open()
    engine = MetricsEngine(store, tz_for=lambda _s: TZ, now=lambda: NOW)
    today_start = local_midnight(LAST_DAY, TZ)
    now_hour = NOW.replace(minute=0) + timedelta(hours=1)
    week_ago = today_start - timedelta(days=7)
    span = now_hour - today_start
    conn = store.conn
    t0, t1 = int(today_start.timestamp()), int(now_hour.timestamp())
    w0, w1 = int(week_ago.timestamp()), int((week_ago + span).timestamp())

    def hourly_series() -> Any:
        return engine.query(
            ["uv", "pv", "bounce_rate", "conversion_rate", "gmv"],
            by="hour",
            period=Period(first_day=LAST_DAY, last_day=LAST_DAY),
        )

    def hourly_sql() -> Any:
        return conn.execute(
            "SELECT p.ts, s.metric, sum(p.value) FROM series s JOIN points p ON p.series_id = s.id "
            "AND p.ts >= ? AND p.ts < ? WHERE s.store = 'bench' AND s.grain = 'hour' AND "
            "s.metric IN ('uv','pv','bounces','buyers','gmv') AND s.channel != '' "
            "GROUP BY 1, 2",
            (t0, t0 + 86400),
        ).fetchall()

    def top_movers() -> Any:
        today = engine.query(["uv"], by="sku", period=Period(start=today_start, end=now_hour))
        before = {
            r["sku"]: r["uv"]
            for r in engine.query(
                ["uv"], by="sku", period=Period(start=week_ago, end=week_ago + span)
            )
        }
        moves = [(r["uv"] / before[r["sku"]] - 1, r["sku"]) for r in today if before.get(r["sku"])]
        return sorted(moves)[:10]

    def top_movers_sql() -> Any:
        return conn.execute(
            "SELECT s.sku, sum(CASE WHEN p.ts >= ? THEN p.value END) * 1.0 / "
            "sum(CASE WHEN p.ts < ? THEN p.value END) - 1 AS change "
            "FROM series s JOIN points p ON p.series_id = s.id AND "
            "((p.ts >= ? AND p.ts < ?) OR (p.ts >= ? AND p.ts < ?)) "
            "WHERE s.store = 'bench' AND s.metric = 'uv' AND s.sku != '' "
            "GROUP BY s.sku ORDER BY change LIMIT 10",
            (t0, w1, t0, t1, w0, w1),
        ).fetchall()

    def spend_budget() -> Any:
        return engine.query(
            ["spend", "budget", "pacing", "roi", "cpc", "ctr"],
            by="campaign",
            period=Period(first_day=LAST_DAY, last_day=LAST_DAY),
            filters=Filters(channel="paid_search"),
        )

    def spend_budget_sql() -> Any:
        return conn.execute(
            "SELECT s.campaign, s.metric, sum(p.value) FROM series s JOIN points p "
            "ON p.series_id = s.id AND p.ts >= ? AND p.ts < ? WHERE s.store = 'bench' "
            "AND s.campaign != '' AND s.metric IN ('spend','budget','ad_gmv','clicks',"
            "'impressions') GROUP BY 1, 2",
            (t0, t0 + 86400),
        ).fetchall()

    rows = []
    for name, fn, reference in (
        ("query: today's hourly traffic series", hourly_series, hourly_sql),
        ("query: top-10 SKUs by change vs last week", top_movers, top_movers_sql),
        ("query: spend vs budget today by campaign", spend_budget, spend_budget_sql),
    ):
        assert fn(), f"{name} returned nothing"
        p50, p95 = _time(fn)
        _ref50, ref95 = _time(reference)
        rows.append(
            {
                "figure": f"{name} (p95; p50 {p50:.1f} ms)",
                "value": p95,
                "unit": "ms",
                "goal": "<= 50 ms",
                "ok": p95 <= 50,
                "reference": f"plain SQL p95 {ref95:.1f} ms",
                "ratio": p95 / ref95,
            }
        )
    store.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

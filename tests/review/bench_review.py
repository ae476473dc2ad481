"""How long the review of a big store takes (not a test; run it by hand).

    .venv/bin/python tests/review/bench_review.py [SKUS]

Builds a temporary store with hourly data for SKUS items (default 1,000) on the reviewed
day and the four same weekdays before it (uv, buyers, gmv, bounces, clicks, impressions,
spend per SKU and hour, plus store totals), then times ``build_review`` and each renderer.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from opsboard.config.models import Settings, StoreConfig
from opsboard.review import build_review, render
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock, local_midnight, zone

DAY = date(2026, 6, 17)
TZ = zone("Asia/Shanghai")


def fill(store: Store, skus: int) -> int:
    """Write the data; returns the number of points."""
    total = 0
    for week in range(5):
        day = DAY - timedelta(days=7 * week)
        start = int(local_midnight(day, TZ).timestamp())
        rows = []
        for hour in range(24):
            ts = start + hour * 3600
            for n in range(skus):
                sku = f"6811270{n:05d}"
                uv = 20.0 + (n % 17) + hour
                rows += [
                    ("big", "hour", ts, "", "", sku, "uv", uv),
                    ("big", "hour", ts, "", "", sku, "buyers", uv * 0.03),
                    ("big", "hour", ts, "", "", sku, "gmv", uv * 3.0),
                    ("big", "hour", ts, "", "", sku, "bounces", uv * 0.5),
                    ("big", "hour", ts, "", "", sku, "impressions", uv * 10),
                    ("big", "hour", ts, "", "", sku, "clicks", uv * 0.5),
                    ("big", "hour", ts, "", "", sku, "spend", uv * 0.2),
                ]
        with store.batch(source="bench", origin=f"day {day}") as batch:
            total += batch.add_raw(rows)
    return total


def main() -> None:
    skus = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        with Store.open(path) as store:
            started = time.perf_counter()
            points = fill(store, skus)
            print(f"wrote {points:,} points in {time.perf_counter() - started:.1f} s")
            runtime = Runtime(
                settings=Settings(stores=[StoreConfig(name="big", margin=0.3, daily_budget=1)]),
                db_path=path,
                clock=FrozenClock(datetime(2026, 6, 18, 6, tzinfo=UTC)),
            )
            for attempt in range(3):
                started = time.perf_counter()
                review = build_review(runtime, store, "big", DAY)
                took = time.perf_counter() - started
                print(f"build_review #{attempt + 1}: {took * 1000:.0f} ms")
            for fmt in ("text", "markdown", "json", "html"):
                started = time.perf_counter()
                text = render(review, fmt)
                took = (time.perf_counter() - started) * 1000
                print(f"render {fmt}: {took:.1f} ms, {len(text):,} chars")


if __name__ == "__main__":
    main()

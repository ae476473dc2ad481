"""The platform API adapter against a local simulated platform (`opsboard mock-api`).

Figures:
* points per second the adapter pulls into a store (HTTP, checks, upserts through the
  real Collector), for a backfill of all three simulated stores; the reference is the
  same pages fetched and decoded with plain httpx and ``json`` (the floor the server and
  the network set);
* CPU seconds an idle collector uses over 10 s between polls (goal from DESIGN.md: under
  1% of a core, i.e. 0.1 s in 10 s).

The simulated platform runs in its own process (as an operator would run it), so that
its CPU does not count against the adapter.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from common import Row, opsboard_command, rate, workdir

from opsboard.adapters.api import AdapterContext
from opsboard.adapters.registry import load_adapter, validate_options
from opsboard.collect.collector import Collector
from opsboard.config.models import Settings
from opsboard.storage import Store
from opsboard.timeutil import Clock, local_midnight

BACKFILL_DAYS = 3
IDLE_SECONDS = 10.0
IDLE_GOAL = 0.1


def _start_server() -> tuple[subprocess.Popen[str], str, str]:
    """`opsboard mock-api` on a free loopback port, frozen in time; its URL and token."""
    process = subprocess.Popen(
        [*opsboard_command(), "mock-api", "--port", "0", "--speed", "0", "--seed", "7"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    said = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "demo token:" not in said:
        line = process.stderr.readline()
        if not line:
            break
        said += line
    url = re.search(r"(http://127\.0\.0\.1:\d+)", said)
    token = re.search(r"demo token: (\S+)", said)
    if not (url and token):
        process.terminate()
        raise RuntimeError(f"opsboard mock-api did not start: {said.strip()[:300]}")
    return process, url.group(1), token.group(1)


def _adapter(base_url: str, token: str, folder: Path) -> Any:
    cls = load_adapter("api")
    options = validate_options(
        cls,
        {
            "base_url": base_url,
            "token": token,
            "backfill_days": BACKFILL_DAYS,
            "page_size": 1000,
            "requests_per_minute": 100_000,
        },
        "bench",
    )
    return cls(options, AdapterContext("bench-api", Settings(), Clock(), folder))


async def _pull(base_url: str, token: str, folder: Path) -> tuple[int, float, float]:
    """Points written by one backfill cycle, its wall time, and the idle CPU seconds."""
    store = Store.open(folder / "api.db")
    collector = Collector(store, [(_adapter(base_url, token, folder), 60.0)], Clock())
    started = time.perf_counter()
    report = await collector.run_cycle(force=True)
    elapsed = time.perf_counter() - started
    if report.failed or report.rejected:
        raise RuntimeError(f"the backfill failed: {report.failed or report.rejected}")
    stop = asyncio.Event()
    task = asyncio.create_task(collector.run_forever(stop))
    await asyncio.sleep(0.5)  # let the scheduler settle into its wait
    cpu = time.process_time()
    await asyncio.sleep(IDLE_SECONDS)
    idle_cpu = time.process_time() - cpu
    stop.set()
    await task
    await collector.aclose()
    store.close()
    return report.total_points, elapsed, idle_cpu


def _reference(base_url: str, token: str) -> tuple[int, float]:
    """Points in the same pages, fetched and decoded with plain httpx and json."""
    points = 0
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        listing = client.get("/v1/stores").json()
        now = datetime.fromisoformat(listing["server_time"].replace("Z", "+00:00"))
        for store in listing["data"]:
            # The adapter's backfill: from midnight in the store's calendar.
            tz = ZoneInfo(store["timezone"])
            first_day = now.astimezone(tz).date() - timedelta(days=BACKFILL_DAYS)
            start = local_midnight(first_day, tz).strftime("%Y-%m-%dT%H:%M:%SZ")
            for dataset in ("traffic", "ads"):
                cursor = None
                while True:
                    params: dict[str, Any] = {"start": start, "limit": 1000}
                    if cursor:
                        params["cursor"] = cursor
                    page = client.get(f"/v1/stores/{store['id']}/{dataset}", params=params).json()
                    points += sum(len(r["metrics"]) for r in page["data"])
                    cursor = page["next_cursor"]
                    if not cursor:
                        break
    return points, time.perf_counter() - started


def run() -> list[Row]:
    """Measure the adapter's pull rate and the idle collector's CPU."""
    folder = workdir("api")
    process, base_url, token = _start_server()
    try:
        _reference(base_url, token)  # warms the server's cache for both measurements
        ref_points, ref_seconds = _reference(base_url, token)
        points, seconds, idle_cpu = asyncio.run(_pull(base_url, token, folder))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    pulled = points / seconds
    floor = ref_points / ref_seconds
    return [
        Row(
            figure=f"API adapter pull ({BACKFILL_DAYS}-day backfill, 3 stores)",
            measured=rate(points, seconds).replace("rows", "points")
            + f" ({points:,} in {seconds:.2f} s)",
            goal="",
            reference=rate(ref_points, ref_seconds).replace("rows", "points")
            + " (plain httpx+json)",
            ratio=f"{pulled / floor:.2f}x",
            ok=None,
            note="reference: the same pages fetched and decoded only, nothing checked or stored",
        ),
        Row(
            figure=f"idle collector CPU over {IDLE_SECONDS:g} s between polls",
            measured=f"{idle_cpu:.3f} s ({100 * idle_cpu / IDLE_SECONDS:.2f}% of a core)",
            goal=f"<= {IDLE_GOAL:g} s (1% of a core)",
            ok=idle_cpu <= IDLE_GOAL,
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
    sys.exit(0)

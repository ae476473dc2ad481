"""Constants shared by the platform API tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from opsboard_simulator.faults import FAULT_HEADER
from opsboard_simulator.options import PlatformSimulatorOptions
from opsboard_simulator.runner import Simulator

#: Simulated "now" of the tests: the eve of Double 11, 14:30 in Shanghai.
START = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
#: The simulated platform's seed in the tests.
SEED = 7


def simulator(**options: Any) -> Simulator:
    """A simulated platform on a free loopback port, with these options (not yet started)."""
    return Simulator(PlatformSimulatorOptions(port=0, **options))


def api_get(sim: Simulator, path: str, **params: Any) -> httpx.Response:
    """GET ``path`` with the demo token; ``fault=kind`` asks for a fault."""
    headers = {"Authorization": f"Bearer {sim.token}"}
    fault = params.pop("fault", None)
    if fault:
        headers[FAULT_HEADER] = fault
    return httpx.get(sim.base_url + path, params=params, headers=headers, timeout=10)


def read_all(sim: Simulator, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every record of a list, following the cursors; and how many pages it took."""
    records: list[dict[str, Any]] = []
    pages = 0
    cursor = None
    while True:
        query = dict(params, cursor=cursor) if cursor else params
        body = api_get(sim, path, **query).json()
        records.extend(body["data"])
        pages += 1
        cursor = body["next_cursor"]
        assert body["has_more"] is (cursor is not None)
        if cursor is None:
            return records, pages

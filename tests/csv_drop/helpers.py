"""Helpers shared by the drop-folder tests."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from opsboard_csv.adapter import CsvDropAdapter, CsvDropOptions

from opsboard.adapters.api import AdapterContext
from opsboard.config.models import Settings
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

HEADER = "ts,store,channel,campaign,sku,metric,value\n"
GOOD = "2026-06-18 10:00,,,,,uv,120\n2026-06-18 10:00,,,,,pv,300\n2026-06-18 11:00,,,,,uv,80\n"
AN_HOUR_AGO = time.time() - 3600


def write_csv(path: Path, body: str, header: str = HEADER) -> Path:
    """Write a canonical CSV (header + ``body``) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")
    return path


def make_adapter(
    tmp_path: Path, clock: FrozenClock, folders: list[dict[str, Any]] | None = None, **options: Any
) -> CsvDropAdapter:
    """A drop-folder adapter on ``tmp_path/drop`` for store ``shop``."""
    drop = tmp_path / "drop"
    drop.mkdir(exist_ok=True)
    opts = CsvDropOptions.model_validate(
        {"folders": folders or [{"path": str(drop), "store": "shop"}], **options}
    )
    context = AdapterContext("drops", Settings(), clock, tmp_path / "state")
    return CsvDropAdapter(opts, context)


def drop_old(path: Path, body: str) -> Path:
    """A finished file whose last change is long past (as after a collector restart)."""
    write_csv(path, body)
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path


def points(store: Store) -> dict[tuple[str, str, int], float]:
    """(store, metric, ts) -> value of every stored point."""
    rows = store.conn.execute(
        "SELECT s.store, s.metric, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
    ).fetchall()
    return {(r[0], r[1], r[2]): r[3] for r in rows}

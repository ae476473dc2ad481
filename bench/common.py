"""Shared pieces of the benchmarks: result rows, the table, timing helpers, generated data.

Every benchmark module ``bench_*.py`` exposes ``run() -> list[Row]``; each row is one
figure measured on this machine, its goal, and the reference measured in the same run.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
#: Generated inputs and scratch databases (not committed).
WORK = BENCH / ".work"

CHANNELS = ("organic_search", "paid_search", "display", "affiliate", "campaign", "content")


@dataclass
class Row:
    """One measured figure.

    ``ok`` is True when the goal is met, False when missed, None when there is no goal or
    the figure could not be measured (``note`` says why).
    """

    figure: str
    measured: str
    goal: str = ""
    reference: str = ""
    ratio: str = ""
    ok: bool | None = None
    note: str = ""


def as_row(item: Row | dict[str, Any]) -> Row:
    """A ``Row`` from a row or from a plain dict (``figure``, ``value`` + ``unit`` or
    ``measured``, ``goal``, ``reference``, ``ratio``, ``ok``, ``note``)."""
    if isinstance(item, Row):
        return item
    measured = item.get("measured")
    if measured is None:
        value = item.get("value")
        number = f"{value:,.1f}" if isinstance(value, float) else str(value)
        measured = f"{number} {item.get('unit', '')}".strip()
    ratio = item.get("ratio", "")
    return Row(
        figure=str(item.get("figure", "?")),
        measured=str(measured),
        goal=str(item.get("goal", "")),
        reference=str(item.get("reference", "")),
        ratio=f"{ratio:.2f}x" if isinstance(ratio, float) else str(ratio),
        ok=item.get("ok"),
        note=str(item.get("note", "")),
    )


def workdir(name: str) -> Path:
    """A fresh, owner-only scratch folder under ``bench/.work``."""
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o700)
    return path


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` is the elapsed wall time in seconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def best_of(times: int, action: Callable[[], float]) -> float:
    """The smallest of ``times`` runs of ``action`` (which returns its own duration)."""
    return min(action() for _ in range(times))


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..1) percentile by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def rate(count: float, seconds: float) -> str:
    """``1,234,567 rows/s``."""
    return f"{count / seconds:,.0f} rows/s" if seconds > 0 else "n/a"


def run_quiet(args: Sequence[str], *, env: dict[str, str] | None = None) -> float:
    """Run a program (no shell), fail loudly on a non-zero exit; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(list(args), capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} exited {done.returncode}: {done.stderr.strip()[:500]}")
    return elapsed


def opsboard_env(home: Path) -> dict[str, str]:
    """An environment in which `opsboard` finds no user config and no default database."""
    env = dict(os.environ)
    env.pop("OPSBOARD_CONFIG", None)
    env.pop("OPSBOARD_DB", None)
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_DATA_HOME"] = str(home / "data")
    return env


def tmux(*args: str) -> str:
    """Run a tmux command; its output, or a RuntimeError with tmux's complaint."""
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
    return done.stdout


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) the process ``pid`` has used, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    """A memory figure of the process ``pid`` from /proc (resident set by default), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def opsboard_command() -> list[str]:
    """How to start the `opsboard` command of this checkout."""
    return [sys.executable, "-m", "opsboard"]


def write_canonical_csv(
    path: Path,
    *,
    points: int = 1_000_000,
    skus: int = 1000,
    metrics: Sequence[str] = ("uv", "pv", "buyers", "gmv", "cart_adds"),
    store: str = "bench",
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> int:
    """A canonical long CSV of hourly SKU points, hour by hour as hourly exports arrive.

    Each SKU has a channel and an ad campaign; values are deterministic. Returns the number
    of points written (``points`` rounded down to whole hours).
    """
    per_hour = skus * len(metrics)
    hours = max(1, points // per_hour)
    scopes = [
        (CHANNELS[i % len(CHANNELS)], f"plan-{i % 40:02d}", str(600_000_000_000 + i))
        for i in range(skus)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ts", "store", "channel", "campaign", "sku", "metric", "value"])
        for hour in range(hours):
            ts = (start + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for index, (channel, campaign, sku) in enumerate(scopes):
                base = (hour * 7919 + index * 104729) % 997
                writer.writerows(
                    (ts, store, channel, campaign, sku, metric, f"{base * (m + 1) / 4:g}")
                    for m, metric in enumerate(metrics)
                )
    return hours * per_hour


def print_table(rows: Sequence[Row], out: Callable[[str], None] = print) -> None:
    """The results as an aligned text table."""
    header = ("figure", "measured", "goal", "reference (same run)", "ratio", "verdict")
    verdict = {True: "ok", False: "MISSED", None: "-"}
    cells = [header] + [
        (r.figure, r.measured, r.goal, r.reference, r.ratio, verdict[r.ok]) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for number, line in enumerate(cells):
        out("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            out("  ".join("-" * w for w in widths))
    for r in rows:
        if r.note:
            out(f"note: {r.figure}: {r.note}")

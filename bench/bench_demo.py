"""`make demo` as a user leaves it open: CPU and memory of the whole demo while it runs.

``run()`` starts ``opsboard demo`` (the dashboard, its collector and the simulated platform)
in a detached 120x36 tmux session, lets it settle for ``BENCH_DEMO_SETTLE_SECONDS``
(default 200: the backfill, the first polls and the morning review are done), then reads
the CPU time and resident memory of its process and any children from ``/proc`` over
``BENCH_DEMO_SECONDS`` (default 180: three of its API polls).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from common import Row, cpu_seconds, memory_mb, opsboard_command, tmux  # noqa: E402

SESSION = f"opsboard-bench-demo-{os.getpid()}"


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def run() -> list[Row]:
    """Measure the demo; rows for the benchmark table."""
    if shutil.which("tmux") is None:
        return [Row("make demo", "not measured", note="tmux is not installed")]
    settle = float(os.environ.get("BENCH_DEMO_SETTLE_SECONDS", "200"))
    window = float(os.environ.get("BENCH_DEMO_SECONDS", "180"))
    command = " ".join(["exec", *opsboard_command(), "demo"])
    term = os.environ.get("TERM", "xterm-256color")
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "36", "-e", f"TERM={term}",
         command)  # fmt: skip
    try:
        pid = int(tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip())
        time.sleep(settle)  # the start-up and the first polls are not what is measured
        processes = _tree(pid)
        before, start = sum(cpu_seconds(p) for p in processes), time.perf_counter()
        time.sleep(window)  # the measurement window itself: the demo is left alone
        processes = _tree(pid)
        cpu = (sum(cpu_seconds(p) for p in processes) - before) / (time.perf_counter() - start)
        rss = sum(memory_mb(p) for p in processes)
        peak = sum(memory_mb(p, "VmHWM") for p in processes)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True, check=False)
    what = f"over {window:.0f} s, {settle:.0f} s after start"
    return [
        Row(
            f"`make demo` as a whole (dashboard, collector, simulated platform): CPU {what}",
            f"{cpu * 100:.2f} % of a core",
            goal="< 1 %",
            ok=cpu < 0.01,
            note=f"{len(processes)} process(es)",
        ),
        Row(
            "`make demo` as a whole: resident memory (peak)",
            f"{rss:.0f} MB (peak {peak:.0f} MB)",
            goal="< 120 MB",
            ok=rss < 120,
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())

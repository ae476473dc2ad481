"""`make bench`: run every benchmark module and print one table of figures and goals.

Modules are ``bench/bench_*.py``, each exposing ``run() -> list[Row]`` (plain dicts with
the same keys are accepted too). The ones named in ``ORDER`` run first, in that order; any
other ``bench_*.py`` follows alphabetically. Name modules on the command line to run only
those: ``python bench/run.py ingest query``.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from common import Row, as_row, print_table  # noqa: E402

ORDER = ["bench_ingest", "bench_query", "bench_api", "bench_alerts"]


def modules(wanted: list[str]) -> list[str]:
    """The benchmark modules to run, in order."""
    present = sorted(p.stem for p in BENCH.glob("bench_*.py"))
    ordered = [m for m in ORDER if m in present] + [m for m in present if m not in ORDER]
    if wanted:
        names = {w if w.startswith("bench_") else f"bench_{w}" for w in wanted}
        unknown = names - set(present)
        if unknown:
            raise SystemExit(f"no benchmark module {', '.join(sorted(unknown))} in {BENCH}")
        ordered = [m for m in ordered if m in names]
    return ordered


def main(argv: list[str]) -> int:
    """Run the benchmarks; exit 1 if a goal was missed or a module failed."""
    rows: list[Row] = []
    failed = False
    for name in modules(argv):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(name)
            rows.extend(as_row(item) for item in module.run())
        except Exception as exc:
            traceback.print_exc()
            rows.append(Row(figure=name, measured="failed", note=f"{type(exc).__name__}: {exc}"))
            failed = True
        print(f"  {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print()
    print_table(rows)
    return 1 if failed or any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

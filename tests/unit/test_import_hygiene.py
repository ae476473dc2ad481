"""The shape of the code, checked where import-linter cannot see: what each part loads when it
runs, that SQL is spoken only by the storage package, and that no modules import each other
(not even through an import deferred into a function to dodge the cycle)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("opsboard", "opsboard_csv", "opsboard_api", "opsboard_simulator")
SOURCES = [REPO / "src" / "opsboard", *(REPO / "adapters" / name for name in PACKAGES[1:])]

#: (what runs, the code, the top-level packages it must never load).
RUNS = {
    "the core": (
        "import opsboard.models, opsboard.metrics, opsboard.formatting, opsboard.runtime, "
        "opsboard.storage, opsboard.query.engine, opsboard.config.files, "
        "opsboard.adapters.registry, opsboard.collect.pipeline, opsboard.collect.ingest, "
        "opsboard.collect.inprocess",
        ("textual",),
    ),
    "the commands but the dashboard": (
        "from datetime import UTC, datetime\n"
        "from opsboard.models import MetricPoint\n"
        "from opsboard.storage import Store\n"
        "with Store.open(DB) as store:\n"
        "    store.write_points([MetricPoint('s1', datetime(2026, 6, 1, tzinfo=UTC), 'day', "
        "'uv', 5.0)])\n"
        "import opsboard.cli.demo\n"
        "from opsboard.cli.main import main\n"
        "assert main(['query', 'uv', '--db', DB, '--format', 'json']) == 0\n"
        "assert main(['adapters']) == 0\n"
        "assert main(['formats']) == 0",
        ("textual",),
    ),
    "the headless mode and the alert commands": (
        "import opsboard.cli.watch, opsboard.alerts.engine, opsboard.cli.alerts, "
        "opsboard.alerts.backtest, opsboard.alerts.notify",
        ("textual", "rich"),
    ),
    "the dashboard, until the review is opened": (
        "import opsboard.tui.app",
        ("markdown_it", "pygments"),
    ),
    "the platform API adapter": (
        "from opsboard.adapters.registry import load_adapter\nload_adapter('api')",
        ("click", "pygments"),
    ),
    "the morning review": (
        "import opsboard.review, opsboard.review.html, opsboard.review.delivery",
        ("textual",),
    ),
    "the data behind the screens": (
        "import opsboard.views.overview, opsboard.views.alerts, opsboard.views.movers, "
        "opsboard.views.source, opsboard.views.sample_world, opsboard.collect.inprocess",
        ("textual",),
    ),
}


@pytest.mark.parametrize("part", sorted(RUNS))
def test_a_part_never_loads_what_it_must_not(part: str, tmp_path: Path) -> None:
    code, forbidden = RUNS[part]
    script = (
        f"import sys\nDB = {str(tmp_path / 'opsboard.db')!r}\n{code}\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(forbidden)!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def python_files() -> Iterator[Path]:
    """Every module of the core and the bundled adapters."""
    for folder in SOURCES:
        yield from sorted(folder.rglob("*.py"))


#: Attribute names that only the storage package may use: a statement run on a connection,
#: or the connection itself.
SQL_CALLS = frozenset({"execute", "executemany", "executescript", "conn"})
#: What sqlite-utils' ``Database`` (a store's ``db``) does with SQL or tables.
SQLITE_UTILS_CALLS = frozenset({"query", "table", "insert_all", "upsert_all", "execute"})


def sql_outside_storage(path: Path) -> list[str]:
    """Where ``path`` runs SQL or opens the database itself: ``line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SQL_CALLS:
            found.append(f"{node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in SQLITE_UTILS_CALLS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "db"
        ):
            found.append(f"{node.lineno}: .db.{node.attr}")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "db":
                found.append(f"{node.lineno}: .db[...]")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if "sqlite3" in names or module == "sqlite3":
                found.append(f"{node.lineno}: import sqlite3")
    return found


def test_only_the_storage_package_speaks_sql() -> None:
    storage = REPO / "src" / "opsboard" / "storage"
    offenders = {
        str(path.relative_to(REPO)): where
        for path in python_files()
        if not path.is_relative_to(storage) and (where := sql_outside_storage(path))
    }
    assert offenders == {}


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_modules_import_each_other() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    assert strongly_connected(graph) == []

"""Save SVG screenshots of every screen of the real app on demo-like seeded data.

``python -m opsboard.tui.screenshots FOLDER`` (``make screenshots``). The data is seeded
into a temporary database and the clock is frozen, so the pictures are reproducible.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.timeutil import FrozenClock
from opsboard.tui.app import OpsboardApp, make_app
from opsboard.views.sample_world import (
    SAMPLE_NOW,
    hold_sample_collector,
    sample_settings,
    seed,
)

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every load and write in flight has been delivered and painted.

    The collector's worker runs for the app's life, so it is not waited for.
    """
    app = pilot.app
    assert isinstance(app, OpsboardApp)
    groups = ("load", "write", "review", "story")
    for _ in range(50):
        busy = [w for w in app.workers if w.group in groups]
        await app.workers.wait_for_complete(busy)
        await pilot.pause()
        if not app._loading and not any(w.group in groups and w.is_running for w in app.workers):
            break
    await pilot.pause()


async def _nothing(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def _press(pilot: Pilot[None], *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


SHOTS: list[tuple[str, tuple[int, int], str | None, Steps]] = [
    ("overview-200x60", (200, 60), "tmall-flagship", _nothing),
    ("overview-80x24", (80, 24), "tmall-flagship", _nothing),
    ("overview-all-stores-120x40", (120, 40), None, _nothing),
    ("movers-200x60", (200, 60), "tmall-flagship", lambda p: _press(p, "k", "down", "down")),
    ("movers-80x24", (80, 24), "tmall-flagship", lambda p: _press(p, "k")),
    (
        "replay-yesterday-200x60",
        (200, 60),
        "tmall-flagship",
        lambda p: _press(p, "left_curly_bracket"),
    ),
    ("acknowledge-120x40", (120, 40), "tmall-flagship", lambda p: _press(p, "a")),
    ("help-120x40", (120, 40), "tmall-flagship", lambda p: _press(p, "question_mark")),
    ("review-120x40", (120, 40), "tmall-flagship", lambda p: _press(p, "v")),
    ("review-80x24", (80, 24), "tmall-flagship", lambda p: _press(p, "v")),
]


def seeded_runtime(folder: Path) -> Runtime:
    """A runtime on a freshly seeded database in ``folder`` with the clock frozen."""
    db_path = folder / "screenshots.db"
    with Store.open(db_path) as store:
        seed(store)
    # Shown as viewing beside the team's collector; the lock dies with this process.
    hold_sample_collector(db_path)
    return Runtime(settings=sample_settings(), db_path=db_path, clock=FrozenClock(SAMPLE_NOW))


async def take(runtime: Runtime, out: Path) -> list[Path]:
    """Run the app once per shot and save each as an SVG."""
    saved = []
    for name, size, store_name, steps in SHOTS:
        app = make_app(runtime, store=store_name, collect="never", live_refresh=False, blink=False)
        async with app.run_test(size=size) as pilot:
            await steps(pilot)
            path = out / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"opsboard {name}"), encoding="utf-8")
            saved.append(path)
    return saved


def main(argv: list[str] | None = None) -> int:
    """Save the screenshots into the folder named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsboard-shots-") as tmp:
        for path in asyncio.run(take(seeded_runtime(Path(tmp)), out)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

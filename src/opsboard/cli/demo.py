"""`opsboard demo`: zero config, a live dashboard within seconds.

It starts the bundled simulated platform on a free loopback port (through its
``opsboard.simulators`` entry point, like any plugin), seeds a temporary drop folder with
sample exports, builds the settings in code and opens the dashboard (or the headless
mode) on a temporary, owner-only database. Everything temporary is removed on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from opsboard.adapters.api import SimulatedPlatform
from opsboard.adapters.registry import load_simulator
from opsboard.cli.simulator import PLATFORM, build
from opsboard.config.models import (
    AdapterConfig,
    NotifierConfig,
    ReviewConfig,
    Settings,
    StoreConfig,
)
from opsboard.config.rules import AlertsConfig, PromotionWindow
from opsboard.errors import UsageError
from opsboard.runtime import Runtime
from opsboard.timeutil import Clock, zone
from opsboard.views.sample_world import SAMPLE_STORES

#: Which sample export goes to which store's drop folder.
DEMO_FILES: dict[str, tuple[str, ...]] = {
    "tmall-flagship": ("sycm_store_traffic_daily_gbk.csv", "wxt_item_report_gb18030.csv"),
    "jd-official": ("jd_jzt_promotion_daily_utf8.csv",),
    "amazon-us": ("broken_truncated_amazon_business_report.csv",),
    "shopify-dtc": ("shopify_sessions_over_time.csv", "google_ads_campaign.csv"),
}
#: Sample exports dropped as the download of the demo's day: ``{day}`` in the file stands
#: for it, and the file is named as 生意参谋 names it.
DAY_FILES: dict[str, tuple[str, str]] = {
    "tmall-flagship": (
        "sycm_traffic_source.csv",
        "【生意参谋平台】无线店铺流量来源-{day}_{day}.csv",
    ),
}
#: How long after the demo starts (simulated time) the morning review goes to the chat.
REVIEW_AFTER = timedelta(minutes=3)
#: Sample exports with no date of their own: the demo names them with the day, as an
#: operator saves them (the Amazon Business Report: its period is only in the download).
UNDATED_FILES = {"broken_truncated_amazon_business_report.csv": "BusinessReport"}
#: The Amazon report arrives cut off (the download broke): it is refused and alerted on.
#: This long after the start the operator downloads it again, whole, under the same name:
#: it loads and the alert resolves.
REDOWNLOAD_AFTER = 60.0
REDOWNLOAD = ("amazon-us", "amazon_business_report_child.csv")
#: A store that only sends files (the simulated platform does not host it).
_FILE_ONLY_STORE = SAMPLE_STORES["shopify-dtc"]


class SimulatorClock(Clock):
    """The simulated platform's time, so that a fast-forwarded demo stays consistent."""

    def __init__(self, simulator: SimulatedPlatform) -> None:
        self.simulator = simulator

    def now(self) -> datetime:
        """The simulated current instant."""
        return self.simulator.now()


@dataclass
class Demo:
    """A running demo: its runtime, the simulated platform and the drop folder."""

    runtime: Runtime
    simulator: SimulatedPlatform
    drop: Path
    folder: Path


def _speed() -> float:
    text = os.environ.get("OPSBOARD_DEMO_SPEED", "1")
    try:
        speed = float(text)
    except ValueError:
        raise UsageError(
            f"OPSBOARD_DEMO_SPEED={text!r} is not a number",
            hint="e.g. OPSBOARD_DEMO_SPEED=60 for one simulated minute per second",
        ) from None
    if speed < 0:
        raise UsageError("OPSBOARD_DEMO_SPEED must not be negative", hint="1 is real time")
    return speed


def seed_drop_folder(drop: Path, day: date) -> int:
    """Copy the demo's sample exports into per-store sub-folders of ``drop``.

    Reports that carry no date (the Amazon Business Report) get ``day`` in their file name,
    as an operator saves them.
    """
    then = time.time() - 600
    data = resources.files("opsboard.demo_data")
    drop.mkdir(mode=0o700, exist_ok=True)
    dropped: list[tuple[Path, bytes]] = []
    for store_name, names in DEMO_FILES.items():
        (drop / store_name).mkdir(mode=0o700, exist_ok=True)
        for name in names:
            target = drop / store_name / dated_name(name, day)
            dropped.append((target, data.joinpath(name).read_bytes()))
    for store_name, (name, saved_as) in DAY_FILES.items():
        text = data.joinpath(name).read_text(encoding="utf-8").replace("{day}", day.isoformat())
        target = drop / store_name / saved_as.format(day=day.isoformat())
        dropped.append((target, text.encode("utf-8")))
    for target, content in dropped:
        target.write_bytes(content)
        target.chmod(0o600)
        # Downloaded a while ago, as an operator's exports are: a file that has not
        # changed for minutes is complete, so the broken one is refused at once instead
        # of being waited for as a download still in progress.
        os.utime(target, (then, then))
    return len(dropped)


def dated_name(name: str, day: date) -> str:
    """The name a sample export is dropped under: with ``day`` when it carries no date."""
    if name not in UNDATED_FILES:
        return name
    return f"{UNDATED_FILES[name]}_{day.isoformat()}.csv"


def redownload(drop: Path, day: date) -> Path | None:
    """The operator downloads the cut-off report again, whole, under the same name.

    Written beside the folder and renamed in, as a browser finishes a download, so that it
    is taken only once complete.
    """
    store_name, source = REDOWNLOAD
    name = dated_name("broken_truncated_amazon_business_report.csv", day)
    folder = drop / store_name
    partial = folder / f".{name}.part"
    target = folder / name
    try:
        partial.write_bytes(resources.files("opsboard.demo_data").joinpath(source).read_bytes())
        partial.chmod(0o600)
        partial.rename(target)
    except OSError:  # the demo ended meanwhile and took its folder with it
        return None
    return target


def demo_settings(
    simulator: SimulatedPlatform, drop: Path, chat_log: Path | None = None
) -> Settings:
    """The demo's settings: the simulated stores, the API and the drop folder.

    With ``chat_log``, a "team chat" (a log notifier in that file) receives the alerts and,
    a few simulated minutes after the start, the morning review of every store (each at its
    own local time). The simulated platform's promotions become alert promotion windows.
    """
    now = simulator.now()
    stores = [_hosted_store(spec) for spec in simulator.stores]
    if all(s.name != _FILE_ONLY_STORE.name for s in stores):
        stores.append(_FILE_ONLY_STORE)
    if chat_log is not None:
        stores = [s.model_copy(update={"review_send_at": _soon(now, s.timezone)}) for s in stores]
    return Settings(
        stores=stores,
        adapters=[
            AdapterConfig(
                name="platform-api",
                type="api",
                # The platform's figures move by the minute: a poll a minute keeps the screen
                # live at a fraction of the work (a reload per poll that brings news).
                poll_interval=timedelta(seconds=60),
                options={
                    "base_url": simulator.base_url,
                    "token": simulator.token,
                    "backfill_days": 10,  # yesterday vs the same day last week has a baseline
                },
            ),
            AdapterConfig(
                name="drop-folder",
                type="csv",
                # A dropped file wakes the folder's watcher at once; the poll is the backstop.
                poll_interval=timedelta(seconds=30),
                options={"folders": [{"path": str(drop)}]},
            ),
        ],
        refresh_interval=timedelta(seconds=2),
        notifiers=[]
        if chat_log is None
        else [NotifierConfig(name="team-chat", type="log", path=chat_log)],
        review=ReviewConfig() if chat_log is None else ReviewConfig(notifiers=["team-chat"]),
        alerts=AlertsConfig(promotions=promotion_windows(simulator)),
    )


def _hosted_store(spec: dict[str, Any]) -> StoreConfig:
    """A store the simulated platform hosts: the sample store of that name (platform, zone,
    currency, category), with the margin and daily budget the platform reports. The demo's
    campaigns are the platform's own (its stores' ROI is built against those margins), so
    the seeded world's margins and campaign budgets do not apply to them."""
    name = str(spec["name"])
    sample = SAMPLE_STORES.get(name)
    if sample is None:
        return StoreConfig(
            name=name,
            platform=spec["platform"],
            timezone=str(spec["timezone"]),
            currency=str(spec["currency"]),
            margin=spec.get("margin"),
            daily_budget=spec.get("daily_budget"),
        )
    return StoreConfig(
        name=name,
        platform=sample.platform,
        timezone=sample.timezone,
        currency=sample.currency,
        category=sample.category,
        margin=spec.get("margin"),
        daily_budget=spec.get("daily_budget"),
    )


def promotion_windows(simulator: SimulatedPlatform) -> list[PromotionWindow]:
    """Alert promotion windows for the simulated platform's promotions.

    During a warm-up and on the peak day operators raise budgets and expect spend to run
    ahead of the day: the pacing rule allows more, and nobody is told that traffic is up.
    """
    windows = []
    for promo in simulator.promotions:
        peak = date.fromisoformat(promo["peak"])
        windows.append(
            PromotionWindow(
                name=f"{promo['name'].lower().replace(' ', '-')}-{promo['store']}",
                start=f"{promo['warmup_from']}T00:00",
                end=f"{(peak + timedelta(days=1)).isoformat()}T00:00",
                stores=[promo["store"]],
                thresholds={"budget-before-peak": 1.6},
            )
        )
    return windows


def _soon(now: datetime, timezone: str) -> str:
    """The local time a few simulated minutes after ``now``, as `send_at` takes it."""
    local = now.astimezone(zone(timezone)) + REVIEW_AFTER
    return f"{local:%H:%M}"


@contextmanager
def running_demo(*, speed: float | None = None, seed: int = 7) -> Iterator[Demo]:
    """Start the simulated platform and the drop folder; clean everything up afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="opsboard-demo-"))
    folder.chmod(0o700)
    simulator = None
    again: threading.Timer | None = None
    try:
        cls = load_simulator(PLATFORM)
        options: dict[str, object] = {"host": "127.0.0.1", "port": 0, "seed": seed}
        options["speed"] = _speed() if speed is None else speed
        simulator = build(cls, options).start()
        drop = folder / "drop"
        # The latest whole day everywhere (the Amazon store's zone is the last to end it).
        day = (simulator.now() - timedelta(days=2)).date()
        seed_drop_folder(drop, day)
        again = threading.Timer(REDOWNLOAD_AFTER, redownload, args=(drop, day))
        again.daemon = True
        again.start()
        settings = demo_settings(simulator, drop, folder / "team-chat.log")
        runtime = Runtime(
            settings=settings, db_path=folder / "demo.db", clock=SimulatorClock(simulator)
        )
        yield Demo(runtime=runtime, simulator=simulator, drop=drop, folder=folder)
    finally:
        try:
            if again is not None:
                again.cancel()
            if simulator is not None:
                simulator.stop()
        finally:
            # Whatever happened while stopping, the temporary files go.
            shutil.rmtree(folder, ignore_errors=True)


def _exit_on_hangup() -> None:
    """A closed terminal or a ``kill`` still removes the temporary folder (via ``finally``)."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), leave)


def run_demo(*, headless: bool = False) -> int:
    """Run the demo until the operator quits; returns the exit code."""
    import sys

    _exit_on_hangup()
    with running_demo() as demo:
        print(
            f"opsboard demo: simulated platform at {demo.simulator.base_url}, "
            f"drop folder {demo.drop}, team chat {demo.folder / 'team-chat.log'}",
            file=sys.stderr,
        )
        if headless:
            from opsboard.cli.watch import run_watch

            return run_watch(demo.runtime)
        # Imported here, like `opsboard dashboard`: the headless demo never loads Textual
        # (the import contract lists this import as the demo's one way into the TUI).
        from opsboard.tui.app import make_app

        make_app(demo.runtime).run()
    return 0

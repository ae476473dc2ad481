"""Fixtures for the alert engine: settings from rule dicts, hourly series, an engine."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from opsboard.alerts.engine import AlertEngine
from opsboard.config.models import Settings
from opsboard.models import MetricPoint
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

#: The frozen "now" of the shared clock fixture: 2026-06-18 14:30 in Shanghai.
NOW = datetime(2026, 6, 18, 6, 30, tzinfo=UTC)
#: The start of the hour containing NOW.
HOUR = datetime(2026, 6, 18, 6, 0, tzinfo=UTC)

SettingsFactory = Callable[..., Settings]
EngineFactory = Callable[..., AlertEngine]


def settings_with(
    rules: Iterable[dict[str, Any]] = (),
    *,
    stores: Iterable[dict[str, Any]] = (),
    notifiers: Iterable[dict[str, Any]] = (),
    **alerts: Any,
) -> Settings:
    """Settings holding only the given rules (no built-in ones) and no group wait."""
    body: dict[str, Any] = {"use_defaults": False, "group_wait": 0, "rules": list(rules)}
    body.update(alerts)
    return Settings.model_validate(
        {"alerts": body, "stores": list(stores), "notifiers": list(notifiers)}
    )


def points(
    metric: str,
    values: Iterable[float],
    *,
    start: datetime = HOUR,
    store: str = "shop",
    step: timedelta = timedelta(hours=1),
    grain: str = "hour",
    **scope: str,
) -> list[MetricPoint]:
    """Consecutive points of one series from ``start``."""
    return [
        MetricPoint(store, start + i * step, grain, metric, float(v), **scope)
        for i, v in enumerate(values)
    ]


@pytest.fixture
def make_engine(store: Store, clock: FrozenClock) -> EngineFactory:
    """``make_engine(settings)``: an engine on the test store with the frozen clock."""

    def build(settings: Settings, **kwargs: Any) -> AlertEngine:
        return AlertEngine(store, settings, clock, **kwargs)

    return build


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver: records JSON bodies, answers with queued failure codes."""

    bodies: list[dict[str, Any]]
    failures: list[int]
    #: While cleared, requests wait (a hanging receiver); set by default.
    gate: threading.Event

    def do_POST(self) -> None:
        """Record the body; answer the next queued status, else 200."""
        length = int(self.headers["Content-Length"])
        self.bodies.append(json.loads(self.rfile.read(length)))
        self.gate.wait()
        status = self.failures.pop(0) if self.failures else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    """A webhook receiver on loopback: (url, handler class with ``bodies``/``failures``)."""
    gate = threading.Event()
    gate.set()
    handler = type("Handler", (Receiver,), {"bodies": [], "failures": [], "gate": gate})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook/secret-token-42", handler
    gate.set()
    server.shutdown()
    server.server_close()

"""Running the simulated platform: in a background thread (demo, tests) or in the foreground.

The server always binds the address it is given, 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import socket
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

from opsboard.adapters.api import SimulatedPlatform, SimulatorOptions, UsageError
from opsboard_simulator.faults import FaultPlan
from opsboard_simulator.options import PlatformSimulatorOptions
from opsboard_simulator.server import PlatformApi, ServerState
from opsboard_simulator.serving import PlatformServer
from opsboard_simulator.simulation import SimClock, Simulation


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="choose another port with --port (0 picks a free one)",
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class Simulator(SimulatedPlatform):
    """A simulated platform API server with its data, clock and faults.

    Its ``PlatformSimulatorOptions``: ``start`` sets the simulated clock's origin (default:
    now); ``speed`` makes simulated time run faster (60 = one simulated minute per real
    second; 0 = frozen until ``advance``). ``fault_rate`` is the share of API requests that
    fail; a ``slow`` fault answers after ``slow_seconds``, a ``timeout`` after
    ``hang_seconds``, a ``rate_limited`` one asks to wait ``retry_after`` seconds. The Tmall
    store's anniversary peaks ``promo_in`` days after the start's date (negative: before;
    None: no anniversary), so that the history served always shows a promotion with its
    warm-up.
    """

    Options: ClassVar[type[SimulatorOptions]] = PlatformSimulatorOptions

    def __init__(self, options: SimulatorOptions) -> None:
        if not isinstance(options, PlatformSimulatorOptions):
            raise TypeError(f"expected PlatformSimulatorOptions, not {type(options).__name__}")
        self.options = options
        self.clock = SimClock(options.start or datetime.now(UTC), options.speed)
        self.simulation = Simulation(options.seed, self.clock, promo_in=options.promo_in)
        self.faults = FaultPlan(
            seed=options.seed,
            rate=options.fault_rate,
            slow_seconds=options.slow_seconds,
            hang_seconds=options.hang_seconds,
            retry_after=options.retry_after,
        )
        self.state = ServerState(self.simulation, self.faults)
        self.api = PlatformApi(self.state)
        self.host = options.host
        self._socket = _bind(options.host, options.port)
        self.port = int(self._socket.getsockname()[1])
        self._server = PlatformServer(self._socket, self.api)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """Where the API answers, e.g. ``http://127.0.0.1:8765``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def token(self) -> str:
        """The bearer token the API accepts (a demo value, not a secret)."""
        return self.state.token

    @property
    def stores(self) -> list[dict[str, Any]]:
        """The simulated stores: name, platform, timezone, currency, margin, daily_budget."""
        return [
            {
                "name": spec.id,
                "platform": spec.platform,
                "timezone": spec.timezone,
                "currency": spec.currency,
                "margin": spec.margin,
                "daily_budget": spec.daily_budget,
            }
            for spec in self.simulation.stores.values()
        ]

    @property
    def promotions(self) -> list[dict[str, str]]:
        """Promotions peaking in the history served or the week ahead, per store.

        Each is ``store``, ``name``, ``warmup_from`` and ``peak`` (local dates), e.g. to
        configure alert promotion windows for a demo.
        """
        now = self.now()
        found = []
        for spec in self.simulation.stores.values():
            local_now = self.simulation.local(spec.id, int(now.timestamp())).date()
            first = self.simulation.local(spec.id, self.simulation.history_start).date()
            for promo in spec.promotions:
                for peak in promo.peaks_between(first, local_now + timedelta(days=7)):
                    warmup = peak - timedelta(days=promo.warmup_days)
                    found.append(
                        {
                            "store": spec.id,
                            "name": promo.name,
                            "warmup_from": warmup.isoformat(),
                            "peak": peak.isoformat(),
                        }
                    )
        return found

    def now(self) -> datetime:
        """The simulated current time."""
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def advance(self, delta: timedelta) -> None:
        """Move simulated time forward."""
        self.clock.advance(delta)

    def inject(self, kind: str, times: int = 1, *, skip: int = 0) -> None:
        """Let ``skip`` API requests pass, then make ``times`` of them fail with ``kind``."""
        self.faults.inject(kind, times, skip=skip)

    def expire_token(self, expired: bool = True) -> None:
        """Make every request fail as with an expired token (or stop doing so)."""
        self.state.token_expired = expired

    def start(self) -> Self:
        """Serve in a background thread; returns once the server accepts requests."""
        thread = threading.Thread(
            target=self._server.serve, daemon=True, name=f"mock-api:{self.port}"
        )
        self._thread = thread
        thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted, after saying where on stderr."""
        print(f"simulated platform API at {self.base_url}  (OpenAPI: /openapi.json)",
              file=sys.stderr)  # fmt: skip
        print(f"demo token: {self.token}", file=sys.stderr)
        print("stores: " + ", ".join(str(s["name"]) for s in self.stores), file=sys.stderr)
        try:
            self._server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        if self._thread is not None:
            self._server.stop()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

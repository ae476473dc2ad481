"""The simulated platform's options, written once: `opsboard mock-api`'s flags, the demo's
settings and the tests' simulators are all this model."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from opsboard.adapters.api import SimulatorOptions
from opsboard_simulator.faults import HANG_SECONDS, RETRY_AFTER, SLOW_SECONDS


class PlatformSimulatorOptions(SimulatorOptions):
    """How the simulated platform serves: where, with which data, how fast, how faulty."""

    host: str = "127.0.0.1"
    """The address to listen on (loopback unless told otherwise)."""

    port: int = Field(default=8765, ge=0, le=65535)
    """The port to listen on; 0 picks a free one."""

    seed: int = 7
    """The seed of the simulated stores, products and figures (same seed, same data)."""

    fault_rate: float = 0.0
    """Share of requests that fail (0 to 1)."""

    speed: float = 1.0
    """Simulated seconds per real second (0 freezes simulated time)."""

    slow_seconds: float = SLOW_SECONDS
    """How long a `slow` fault holds an answer."""

    hang_seconds: float = HANG_SECONDS
    """How long a `timeout` fault hangs."""

    retry_after: int = RETRY_AFTER
    """Seconds a 429 answer asks clients to wait."""

    promo_in: int | None = 0
    """Days from today to the store-anniversary promotion peak (its warm-up is before)."""

    start: datetime | None = None
    """The simulated clock's origin (default: now); not a command-line flag."""

    @field_validator("fault_rate")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                "is not a share; give a number from 0 (no faults) to 1 (every request fails)"
            )
        return value

    @field_validator("speed")
    @classmethod
    def _speed(cls, value: float) -> float:
        if value < 0:
            raise ValueError("is negative; use 0 to freeze simulated time")
        return value

    @field_validator("slow_seconds", "hang_seconds", "retry_after")
    @classmethod
    def _seconds(cls, value: float) -> float:
        if value < 0:
            raise ValueError("is negative; give 0 or more seconds")
        return value

"""The simulated platform's options, written once: `opsboard mock-api`'s flags, the demo's
settings and the tests' simulators are all this model."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from opsboard.adapters.api import N_, SimulatorOptions, _
from opsboard_simulator.faults import HANG_SECONDS, RETRY_AFTER, SLOW_SECONDS


class PlatformSimulatorOptions(SimulatorOptions):
    """How the simulated platform serves: where, with which data, how fast, how faulty.

    Each option's description is marked for the catalog: it is `opsboard mock-api`'s help
    of the option's flag, in the operator's language.
    """

    host: str = Field(
        default="127.0.0.1",
        description=N_("The address to listen on (loopback unless told otherwise)."),
    )

    port: int = Field(
        default=8765, ge=0, le=65535, description=N_("The port to listen on; 0 picks a free one.")
    )

    seed: int = Field(
        default=7,
        description=N_(
            "The seed of the simulated stores, products and figures (same seed, same data)."
        ),
    )

    fault_rate: float = Field(default=0.0, description=N_("Share of requests that fail (0 to 1)."))

    speed: float = Field(
        default=1.0, description=N_("Simulated seconds per real second (0 freezes simulated time).")
    )

    slow_seconds: float = Field(
        default=SLOW_SECONDS, description=N_("How long a `slow` fault holds an answer.")
    )

    hang_seconds: float = Field(
        default=HANG_SECONDS, description=N_("How long a `timeout` fault hangs.")
    )

    retry_after: int = Field(
        default=RETRY_AFTER, description=N_("Seconds a 429 answer asks clients to wait.")
    )

    promo_in: int | None = Field(
        default=0,
        description=N_(
            "Days from today to the store-anniversary promotion peak (its warm-up is before)."
        ),
    )

    start: datetime | None = Field(
        default=None,
        description=N_("The simulated clock's origin (default: now); not a command-line flag."),
    )

    @field_validator("fault_rate")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                _("is not a share; give a number from 0 (no faults) to 1 (every request fails)")
            )
        return value

    @field_validator("speed")
    @classmethod
    def _speed(cls, value: float) -> float:
        if value < 0:
            raise ValueError(_("is negative; use 0 to freeze simulated time"))
        return value

    @field_validator("slow_seconds", "hang_seconds", "retry_after")
    @classmethod
    def _seconds(cls, value: float) -> float:
        if value < 0:
            raise ValueError(_("is negative; give 0 or more seconds"))
        return value

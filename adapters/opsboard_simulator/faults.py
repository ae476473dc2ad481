"""Faults the simulated platform serves: on request, queued by a test, or at a random rate.

Random faults are deterministic: whether request number N fails, and how, depends only on
the seed and N, so that a run with the same seed and the same requests meets the same
faults.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

#: Every kind of fault the server can serve.
FAULT_KINDS: tuple[str, ...] = (
    "server_error",  # 500, 502 or 503 with a JSON error body
    "slow",  # the answer comes after ``slow_seconds``: slower than a client likes
    "timeout",  # the answer comes after ``hang_seconds``: longer than a client waits
    "rate_limited",  # 429 with Retry-After
    "malformed",  # 200 with a body that is not JSON
    "truncated",  # 200 with JSON cut off halfway
    "expired_token",  # 401 with an error body saying the token expired
    "bad_record",  # 200 with one record that breaks the schema
)

#: The faults served at random (``--fault-rate``): transient trouble only. A token does not
#: expire for one request and heal on the next; an expired token is a state of the platform
#: (``Simulator.expire_token``) or a fault asked for explicitly.
RANDOM_FAULT_KINDS: tuple[str, ...] = tuple(k for k in FAULT_KINDS if k != "expired_token")

#: Seconds a ``slow`` answer takes by default: more than the adapter's default
#: ``slow_after`` (5 s), less than its default ``timeout`` (10 s).
SLOW_SECONDS = 7.0
#: Seconds a ``timeout`` answer takes by default: more than any sensible client waits.
HANG_SECONDS = 30.0

#: Seconds a ``rate_limited`` answer asks clients to wait by default.
RETRY_AFTER = 1

#: Ways a record can break the schema, served by the ``bad_record`` fault.
BAD_RECORD_KINDS: tuple[str, ...] = ("unknown_metric", "string_number", "negative_count")

#: Header with which a client asks for a fault on one request.
FAULT_HEADER = "X-Mock-Fault"


@dataclass
class FaultPlan:
    """Decides which requests fail: queued faults first, then the random rate."""

    seed: int
    rate: float = 0.0
    slow_seconds: float = SLOW_SECONDS
    hang_seconds: float = HANG_SECONDS
    retry_after: int = RETRY_AFTER
    served: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    _queue: deque[str | None] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, kind: str, times: int = 1, *, skip: int = 0) -> None:
        """Let ``skip`` API requests pass, then make ``times`` requests fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; faults are: {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._queue.extend([None] * skip + [kind] * times)

    def clear(self) -> None:
        """Forget queued faults."""
        with self._lock:
            self._queue.clear()

    def next_fault(self, requested: str | None) -> tuple[str | None, random.Random]:
        """The fault for the next request (or None) and a generator for its details."""
        with self._lock:
            self.requests += 1
            number = self.requests
            rng = random.Random(f"{self.seed}:fault:{number}")
            kind: str | None = None
            if requested in FAULT_KINDS:
                kind = requested
            elif self._queue:
                kind = self._queue.popleft()
            elif self.rate > 0 and rng.random() < self.rate:
                kind = rng.choice(RANDOM_FAULT_KINDS)
            if kind is not None:
                self.served[kind] += 1
            return kind, rng

    @property
    def total_served(self) -> int:
        """How many faults have been served."""
        with self._lock:
            return sum(self.served.values())


def corrupt_record(record: dict[str, object], rng: random.Random) -> str:
    """Break one record the way a faulty platform would, in a field clients read; returns how.

    An hourly record gets a bad figure; a budget row a bad budget or day; a store a bad id
    or time zone; a campaign a bad daily budget.
    """
    kind = rng.choice(BAD_RECORD_KINDS)
    metrics = record.get("metrics")
    if isinstance(metrics, dict) and metrics:
        name = sorted(metrics)[0]
        if kind == "unknown_metric":
            metrics["uv_estimated"] = 12
        elif kind == "string_number":
            metrics[name] = f"{metrics[name]}x"
        else:
            metrics[name] = -5
        return kind
    if "timezone" in record:  # a store
        if kind == "negative_count":
            record["id"] = 404
            return "bad_id"
        record["timezone"] = "Mars/Olympus_Mons"
        return "unknown_zone"
    for amount in ("budget", "daily_budget"):  # a budget row, a campaign
        if amount in record:
            if kind == "unknown_metric" and "day" in record:
                record["day"] = "2026-13-45"
                return "bad_day"
            record[amount] = f"{record[amount]}x" if kind == "string_number" else -100
            return kind
    record["hour"] = "not-a-time"
    return "bad_time"

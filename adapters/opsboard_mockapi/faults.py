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
    "server_error",  # 500 or 503 with a JSON error body
    "slow",  # the answer comes after ``slow_seconds`` (a timeout for an impatient client)
    "rate_limited",  # 429 with Retry-After
    "malformed",  # 200 with a body that is not JSON
    "truncated",  # 200 with JSON cut off halfway
    "expired_token",  # 401 with an error body saying the token expired
    "bad_record",  # 200 with one record that breaks the schema
)

#: Ways a record can break the schema, served by the ``bad_record`` fault.
BAD_RECORD_KINDS: tuple[str, ...] = ("unknown_metric", "string_number", "negative_count")

#: Header with which a client asks for a fault on one request.
FAULT_HEADER = "X-Mock-Fault"


@dataclass
class FaultPlan:
    """Decides which requests fail: queued faults first, then the random rate."""

    seed: int
    rate: float = 0.0
    slow_seconds: float = 3.0
    retry_after: int = 1
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
                kind = rng.choice(FAULT_KINDS)
            if kind is not None:
                self.served[kind] += 1
            return kind, rng

    @property
    def total_served(self) -> int:
        """How many faults have been served."""
        with self._lock:
            return sum(self.served.values())


def corrupt_record(record: dict[str, object], rng: random.Random) -> str:
    """Break one record the way a faulty platform would; returns how."""
    kind = rng.choice(BAD_RECORD_KINDS)
    metrics = record.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        record["hour"] = "not-a-time"
        return "bad_time"
    name = sorted(metrics)[0]
    if kind == "unknown_metric":
        metrics["uv_estimated"] = 12
    elif kind == "string_number":
        metrics[name] = f"{metrics[name]}x"
    else:
        metrics[name] = -5
    return kind

"""The simulated platform API over a ``Simulation``, with optional faults.

Versioned endpoints under ``/v1``, bearer-token auth, cursor pagination, ``since`` for
incremental reads; the OpenAPI description is at ``/openapi.json``. Errors are JSON
objects ``{"error": code, "message": text}``.

``PlatformApi.answer`` turns a request (path, query, headers) into an ``Answer``; the HTTP
server around it is the standard library's (``opsboard_simulator.serving``). The demo runs it
inside the dashboard's process all day, so it costs nothing between the dashboard's polls.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl

from opsboard_simulator.faults import FAULT_HEADER, FaultPlan, corrupt_record
from opsboard_simulator.routes import ROUTES, Param, Route
from opsboard_simulator.simulation import Simulation, iso

#: The demo token the simulated platform accepts. A demo value, not a secret.
DEMO_TOKEN = "opsboard-demo-token"
API_VERSION = "1.0.0"
OPENAPI_PATH = "/openapi.json"


class ApiProblem(Exception):
    """An error answer with a status, a code and a message."""

    def __init__(
        self, status: int, error: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and the JSON body's bytes."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def problem(cls, exc: ApiProblem) -> Answer:
        """The JSON error answer of ``exc``."""
        body = json.dumps({"error": exc.error, "message": exc.message}).encode()
        return cls(exc.status, body, exc.headers)


class ServerState:
    """What the API serves from: the simulation, the faults and the token's state."""

    def __init__(self, simulation: Simulation, faults: FaultPlan, token: str = DEMO_TOKEN):
        self.simulation = simulation
        self.faults = faults
        self.token = token
        self.token_expired = False


class Fault:
    """The fault (if any) chosen for one request, and a generator for its details."""

    def __init__(self, kind: str | None, rng: random.Random) -> None:
        self.kind = kind
        self.rng = rng


_PATTERNS = tuple((route, route.pattern) for route in ROUTES)


def _route(path: str) -> tuple[Route, dict[str, str]]:
    """The endpoint at ``path`` and its path parameters; a 404 answer when none is."""
    for route, pattern in _PATTERNS:
        found = pattern.match(path)
        if found:
            return route, found.groupdict()
    raise ApiProblem(404, "not_found", f"no endpoint {path}; see {OPENAPI_PATH}")


_INTEGER = re.compile(r"[+-]?\d{1,18}")


def _read(param: Param, text: str) -> object:
    """The value ``text`` gives ``param``; a 400 answer saying what is wrong."""
    try:
        if param.kind is int:
            if not _INTEGER.fullmatch(text.strip()):
                raise ValueError(text)
            number = int(text)
            low, high = param.minimum, param.maximum
            if (low is not None and number < low) or (high is not None and number > high):
                raise ApiProblem(400, "bad_parameter", f"{param.name} must be from {low} to {high}")
            return number
        if param.kind is datetime:
            # RFC 3339 allows a lower-case "t" and "z".
            return datetime.fromisoformat(text.strip().upper().replace("Z", "+00:00"))
        if param.kind is date:
            return date.fromisoformat(text.strip())
    except ValueError:
        example = {int: "a whole number", date: "e.g. 2026-11-10"}.get(
            param.kind, "an ISO 8601 instant, e.g. 2026-11-10T06:00:00Z"
        )
        raise ApiProblem(400, "bad_parameter", f"{param.name}={text!r} is not {example}") from None
    return text


def _utc(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.timestamp()
    except (OverflowError, ValueError):
        raise ApiProblem(400, "bad_parameter", f"time out of range: {value}") from None


def _render(payload: dict[str, Any], fault: Fault) -> Answer:
    """The JSON answer, broken as the request's fault says."""
    if fault.kind == "bad_record" and payload.get("data"):
        records = payload["data"]
        index = fault.rng.randrange(len(records))
        # A deep copy: the record may share its figures with the simulation's cache.
        records[index] = copy.deepcopy(records[index])
        corrupt_record(records[index], fault.rng)
    body = json.dumps(payload, separators=(",", ":")).encode()
    if fault.kind == "malformed":
        body = b'{"data": [{"id": "oops", "metrics": {"uv": 12,,}}], "server_time": '
    elif fault.kind == "truncated":
        body = body[: max(1, len(body) // 2)]
    return Answer(200, body)


class PlatformApi:
    """The simulated platform's endpoints, answering requests as plain values."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.simulation = state.simulation
        self._description: bytes | None = None

    def answer(self, path: str, query: str, headers: Mapping[str, str]) -> Answer:
        """The answer to ``GET path?query`` (``headers`` by lower-case name); a JSON error
        answer for anything wrong."""
        try:
            if path == OPENAPI_PATH:
                return Answer(200, self.description())
            route, in_path = _route(path)
            fault = self.guard(headers)
            given = dict(parse_qsl(query, keep_blank_values=True))
            given.update(in_path)
            values = {
                param.name: _read(param, given[param.name])
                if param.name in given
                else param.default
                for param in route.params
            }
            endpoint: Callable[..., dict[str, Any]] = getattr(self, route.name)
            return _render(endpoint(**values), fault)
        except ApiProblem as exc:
            return Answer.problem(exc)

    def description(self) -> bytes:
        """The OpenAPI description, built when first asked."""
        if self._description is None:
            from opsboard_simulator.openapi import describe

            self._description = json.dumps(describe(ROUTES, API_VERSION)).encode()
        return self._description

    def guard(self, headers: Mapping[str, str]) -> Fault:
        """Authenticate the request (``headers`` by lower-case name) and choose its fault."""
        state = self.state
        kind, rng = state.faults.next_fault(headers.get(FAULT_HEADER.lower()))
        if kind == "slow":
            time.sleep(state.faults.slow_seconds)
        elif kind == "timeout":
            time.sleep(state.faults.hang_seconds)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() != state.token:
            raise ApiProblem(
                401,
                "invalid_token",
                "missing or unknown bearer token; send Authorization: Bearer <token>",
                {"WWW-Authenticate": "Bearer"},
            )
        if state.token_expired or kind == "expired_token":
            raise ApiProblem(
                401,
                "token_expired",
                "the access token has expired; create a new one in the platform console",
                {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'},
            )
        if kind == "server_error":
            status = rng.choice((500, 502, 503))
            raise ApiProblem(status, "unavailable", "the platform is having trouble; retry later")
        if kind == "rate_limited":
            raise ApiProblem(
                429,
                "rate_limited",
                "too many requests; wait for Retry-After seconds",
                {"Retry-After": str(state.faults.retry_after)},
            )
        return Fault(kind, rng)

    def store_of(self, store_id: str) -> str:
        """The store's id, or a 404 answer naming where the ids are."""
        if store_id not in self.simulation.stores:
            raise ApiProblem(404, "not_found", f"no store {store_id!r}; see /v1/stores")
        return store_id

    def list_stores(self) -> dict[str, Any]:
        """The stores this token may read."""
        simulation = self.simulation
        return {
            "data": [spec.describe() for spec in simulation.stores.values()],
            "server_time": iso(simulation.clock.now()),
        }

    def traffic(self, store_id: str, **read: Any) -> dict[str, Any]:
        """Hourly traffic: the store's own totals, each channel, and each SKU."""
        return self.read_page(store_id, "traffic", **read)

    def ads(self, store_id: str, **read: Any) -> dict[str, Any]:
        """Hourly ad performance by campaign, and by SKU within each campaign (restated
        records: a newer ``updated_at`` and a higher ``revision``)."""
        return self.read_page(store_id, "ads", **read)

    def read_page(
        self,
        store_id: str,
        dataset: str,
        since: datetime | None,
        start: datetime | None,
        end: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        """One page of a dataset, pinned by its cursor to the instant of the first page."""
        simulation = self.simulation
        store = self.store_of(store_id)
        query = f"{store}|{dataset}|{since}|{start}|{end}"
        fingerprint = hashlib.sha256(query.encode()).hexdigest()[:16]
        offset, as_of = 0, simulation.clock.now()
        if cursor is not None:
            offset, as_of = _read_cursor(cursor, fingerprint)
        slots = simulation.slots(
            store, dataset, as_of=as_of, since=_utc(since), start=_utc(start), end=_utc(end)
        )
        records = simulation.page(store, dataset, slots, offset, limit, as_of)
        total = len(slots) * simulation.per_hour(store, dataset)
        following = offset + len(records)
        more = following < total
        return {
            "data": records,
            "next_cursor": _make_cursor(following, as_of, fingerprint) if more else None,
            "has_more": more,
            "server_time": iso(as_of),
        }

    def campaigns(self, store_id: str) -> dict[str, Any]:
        """The store's ad campaigns with their ordinary daily budgets."""
        spec = self.simulation.stores[self.store_of(store_id)]
        return {
            "data": [
                {"id": c.id, "name": c.name, "channel": c.channel, "daily_budget": c.daily_budget}
                for c in spec.campaigns
            ],
            "server_time": iso(self.simulation.clock.now()),
        }

    def budgets(
        self, store_id: str, start_day: date | None, end_day: date | None
    ) -> dict[str, Any]:
        """Each campaign's budget per day of the store's calendar (raised on promotion days)."""
        simulation = self.simulation
        store = self.store_of(store_id)
        now = simulation.clock.now()
        today = simulation.local(store, int(now)).date()
        oldest = simulation.local(store, simulation.history_start).date()
        first = max(start_day or today, oldest)
        last = min(end_day or today, today)
        tz = simulation.local(store, int(now)).tzinfo
        rows = []
        if first <= last:
            rows = simulation.budgets(
                store,
                datetime(first.year, first.month, first.day, tzinfo=tz),
                datetime(last.year, last.month, last.day, tzinfo=tz),
            )
        return {"data": rows, "server_time": iso(now)}


def _make_cursor(offset: int, as_of: float, fingerprint: str) -> str:
    # The exact instant (a float's repr round-trips through JSON): every page of a read
    # then describes the same moment, and partial-hour figures do not depend on paging.
    raw = json.dumps({"o": offset, "a": as_of, "q": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str, fingerprint: str) -> tuple[int, float]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, as_of, query = int(data["o"]), float(data["a"]), str(data["q"])
    except (ValueError, KeyError, TypeError):
        raise ApiProblem(400, "invalid_cursor", "the cursor is not one this API gave") from None
    if query != fingerprint or offset < 0:
        raise ApiProblem(
            400, "invalid_cursor", "the cursor belongs to another query; start without one"
        )
    return offset, as_of

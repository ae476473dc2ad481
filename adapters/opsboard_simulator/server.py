"""The simulated platform API: a FastAPI app over a ``Simulation``, with optional faults.

Versioned endpoints under ``/v1``, bearer-token auth, cursor pagination, ``since`` for
incremental reads; the OpenAPI description is at ``/openapi.json``. Errors are JSON
objects ``{"error": code, "message": text}``.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import random
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from opsboard_simulator.catalog import STORE_IDS
from opsboard_simulator.faults import FAULT_HEADER, FaultPlan, corrupt_record
from opsboard_simulator.schema import (
    ERRORS,
    AdPage,
    BudgetList,
    CampaignList,
    StoreList,
    TrafficPage,
)
from opsboard_simulator.simulation import Simulation, iso

#: The demo token the simulated platform accepts. A demo value, not a secret.
DEMO_TOKEN = "opsboard-demo-token"
API_VERSION = "1.0.0"


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


class ServerState:
    """What the app serves from: the simulation, the faults and the token's state."""

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


_BEARER = HTTPBearer(auto_error=False, description="The API token.")


def _state(request: Request) -> ServerState:
    state = request.app.state.platform
    assert isinstance(state, ServerState)
    return state


async def guard(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Fault:
    """Authenticate the request and choose its fault."""
    state = _state(request)
    kind, rng = state.faults.next_fault(request.headers.get(FAULT_HEADER))
    if kind == "slow":
        await asyncio.sleep(state.faults.slow_seconds)
    elif kind == "timeout":
        await asyncio.sleep(state.faults.hang_seconds)
    if credentials is None or credentials.credentials != state.token:
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


Guard = Annotated[Fault, Depends(guard)]
#: Real ids as examples, so that clients and schema tests can read real data.
StoreId = Annotated[
    str, Path(description="The store's id, from /v1/stores.", examples=list(STORE_IDS))
]
Since = Annotated[
    datetime | None,
    Query(description="Only records updated at or after this instant (incremental)."),
]
Start = Annotated[datetime | None, Query(description="First hour to read (UTC).")]
End = Annotated[datetime | None, Query(description="Read hours that start before this.")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Records per page.")]


def _utc(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.timestamp()
    except (OverflowError, ValueError):
        raise ApiProblem(400, "bad_parameter", f"time out of range: {value}") from None


def _render(payload: dict[str, Any], fault: Fault) -> Response:
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
    return Response(body, media_type="application/json")


def create_app(state: ServerState) -> FastAPI:
    """The FastAPI app of the simulated platform."""
    app = FastAPI(
        title="opsboard simulated platform API",
        version=API_VERSION,
        description=(
            "A simulated e-commerce platform: stores, hourly traffic by channel and SKU, ad "
            "performance by campaign and SKU, campaign budgets. Authenticate with "
            "`Authorization: Bearer <token>`. Lists are read page by page with `cursor`; "
            "`since` returns only records updated at or after an instant."
        ),
    )
    app.state.platform = state
    simulation = state.simulation

    @app.exception_handler(StarletteHTTPException)
    async def _http_problem(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return JSONResponse(
            {"error": code, "message": str(exc.detail)}, exc.status_code, headers=exc.headers
        )

    @app.exception_handler(ApiProblem)
    async def _problem(_request: Request, exc: ApiProblem) -> JSONResponse:
        return JSONResponse(
            {"error": exc.error, "message": exc.message}, exc.status, headers=exc.headers
        )

    def store_of(store_id: str) -> str:
        """The store's id, or a 404 answer naming where the ids are."""
        if store_id not in simulation.stores:
            raise ApiProblem(404, "not_found", f"no store {store_id!r}; see /v1/stores")
        return store_id

    @app.get("/v1/stores", response_model=None, responses={200: {"model": StoreList}, **ERRORS})
    async def list_stores(fault: Guard) -> Response:
        """The stores this token may read."""
        payload = {
            "data": [spec.describe() for spec in simulation.stores.values()],
            "server_time": iso(simulation.clock.now()),
        }
        return _render(payload, fault)

    def read_page(
        store_id: str,
        dataset: str,
        since: datetime | None,
        start: datetime | None,
        end: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        """One page of a dataset, pinned by its cursor to the instant of the first page."""
        store = store_of(store_id)
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

    @app.get(
        "/v1/stores/{store_id}/traffic",
        response_model=None,
        responses={200: {"model": TrafficPage}, **ERRORS},
    )
    async def traffic(
        store_id: StoreId,
        fault: Guard,
        since: Since = None,
        start: Start = None,
        end: End = None,
        cursor: Cursor = None,
        limit: Limit = 500,
    ) -> Response:
        """Hourly traffic: the store's own totals, each channel, and each SKU."""
        return _render(read_page(store_id, "traffic", since, start, end, cursor, limit), fault)

    @app.get(
        "/v1/stores/{store_id}/ads",
        response_model=None,
        responses={200: {"model": AdPage}, **ERRORS},
    )
    async def ads(
        store_id: StoreId,
        fault: Guard,
        since: Since = None,
        start: Start = None,
        end: End = None,
        cursor: Cursor = None,
        limit: Limit = 500,
    ) -> Response:
        """Hourly ad performance by campaign, and by SKU within each campaign.

        Yesterday's figures are restated a few hours after the store's day ends; restated
        records have a newer ``updated_at`` and a higher ``revision``.
        """
        return _render(read_page(store_id, "ads", since, start, end, cursor, limit), fault)

    @app.get(
        "/v1/stores/{store_id}/campaigns",
        response_model=None,
        responses={200: {"model": CampaignList}, **ERRORS},
    )
    async def campaigns(store_id: StoreId, fault: Guard) -> Response:
        """The store's ad campaigns with their ordinary daily budgets."""
        spec = simulation.stores[store_of(store_id)]
        payload = {
            "data": [
                {"id": c.id, "name": c.name, "channel": c.channel, "daily_budget": c.daily_budget}
                for c in spec.campaigns
            ],
            "server_time": iso(simulation.clock.now()),
        }
        return _render(payload, fault)

    @app.get(
        "/v1/stores/{store_id}/budgets",
        response_model=None,
        responses={200: {"model": BudgetList}, **ERRORS},
    )
    async def budgets(
        store_id: StoreId,
        fault: Guard,
        start_day: Annotated[
            date | None, Query(description="First day (store calendar); default today.")
        ] = None,
        end_day: Annotated[
            date | None, Query(description="Last day (store calendar); default today.")
        ] = None,
    ) -> Response:
        """Each campaign's budget per day of the store's calendar (raised on promotion days)."""
        store = store_of(store_id)
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
        return _render({"data": rows, "server_time": iso(now)}, fault)

    return app


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

"""The simulated platform answers as its own OpenAPI description says (schemathesis)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from opsboard_simulator.runner import Simulator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_support import SEED, START, simulator


@pytest.fixture(scope="module")
def served() -> Iterator[Simulator]:
    """One fault-free platform for the whole module."""
    with simulator(start=START, seed=SEED, speed=0) as platform:
        platform.start()
        yield platform


@pytest.fixture(scope="module")
def api_schema(served: Simulator) -> schemathesis.BaseSchema:
    """The platform's OpenAPI description, as served at /openapi.json."""
    return schemathesis.openapi.from_url(served.base_url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_answers_match_the_openapi_description(
    case: schemathesis.Case[Any], served: Simulator
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {served.token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ],
    )


def test_openapi_lists_the_versioned_endpoints(served: Simulator) -> None:
    paths = httpx.get(served.base_url + "/openapi.json").json()["paths"]
    assert set(paths) == {
        "/v1/stores",
        "/v1/stores/{store_id}/traffic",
        "/v1/stores/{store_id}/ads",
        "/v1/stores/{store_id}/campaigns",
        "/v1/stores/{store_id}/budgets",
    }


DATA_PATHS: dict[str, dict[str, Any]] = {
    "/v1/stores/{store_id}/traffic": {"start": "2026-11-10T03:00:00Z", "limit": 50},
    "/v1/stores/{store_id}/ads": {"since": "2026-11-10T04:00:00Z"},
    "/v1/stores/{store_id}/campaigns": {},
    "/v1/stores/{store_id}/budgets": {"start_day": "2026-11-08"},
}


@pytest.mark.parametrize("path", sorted(DATA_PATHS))
def test_data_endpoints_answer_real_stores_as_described(
    path: str, api_schema: schemathesis.BaseSchema, served: Simulator
) -> None:
    spec = httpx.get(served.base_url + "/openapi.json").json()
    (store_param,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["in"] == "path"]
    examples = store_param["schema"]["examples"]
    # The documented examples are the stores the API lists, so generated calls read data.
    assert examples == [s["name"] for s in served.stores]
    operation = api_schema[path]["GET"]
    for store_id in examples:
        case = operation.Case(path_parameters={"store_id": store_id}, query=DATA_PATHS[path])
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {served.token}"},
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["data"], f"{path} for {store_id} answered no records"

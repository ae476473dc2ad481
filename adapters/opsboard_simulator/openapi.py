"""The simulated platform's OpenAPI description, built from its routes and answer models.

Built once, when ``/openapi.json`` is first asked for: the answer models (pydantic) are
imported only then.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic.json_schema import models_json_schema

from opsboard_simulator import schema
from opsboard_simulator.routes import Param, Route

_REF = "#/components/schemas/{model}"
_FORMATS = {datetime: "date-time", date: "date"}
#: The error answers every endpoint may give, with what each means.
ERRORS: dict[int, str] = {
    400: "A bad cursor or parameter.",
    401: "Missing, wrong or expired token.",
    404: "No such store.",
    429: "Too many requests; see Retry-After.",
}
INFO = {
    "title": "opsboard simulated platform API",
    "description": (
        "A simulated e-commerce platform: stores, hourly traffic by channel and SKU, ad "
        "performance by campaign and SKU, campaign budgets. Authenticate with "
        "`Authorization: Bearer <token>`. Lists are read page by page with `cursor`; "
        "`since` returns only records updated at or after an instant."
    ),
}


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model=model)}}}


def _parameter(param: Param) -> dict[str, Any]:
    kind: dict[str, Any] = {"type": "integer" if param.kind is int else "string"}
    if param.kind in _FORMATS:
        kind["format"] = _FORMATS[param.kind]
    for key in ("minimum", "maximum", "default"):
        if getattr(param, key) is not None:
            kind[key] = getattr(param, key)
    if param.examples:
        kind["examples"] = list(param.examples)
    kind["description"] = param.description
    return {
        "name": param.name,
        "in": param.where,
        "required": param.where == "path",
        "schema": kind,
        "description": param.description,
    }


def _operation(route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "The answer.", "content": _json(route.model)}
    }
    for status, meaning in ERRORS.items():
        responses[str(status)] = {"description": meaning, "content": _json("ErrorBody")}
    responses["429"]["headers"] = {
        "Retry-After": {
            "description": "Seconds to wait before the next request.",
            "schema": {"type": "string"},
        }
    }
    return {
        "summary": route.summary,
        "description": route.description or route.summary,
        "operationId": route.name,
        "security": [{"bearer": []}],
        "parameters": [_parameter(param) for param in route.params],
        "responses": responses,
    }


def describe(routes: tuple[Route, ...], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``routes``."""
    models = {route.model for route in routes} | {"ErrorBody"}
    _, definitions = models_json_schema(
        [(getattr(schema, name), "serialization") for name in sorted(models)],
        ref_template=_REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {**INFO, "version": version},
        "paths": {route.path: {"get": _operation(route)} for route in routes},
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The API token."}
            },
        },
    }

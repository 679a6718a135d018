"""The OpenAPI document says what the API really answers: our error body, and every status code a route can give.

FastAPI documents each route's success and a 422 with its own `{"detail": …}`
body. Every error here leaves as `{"error": {"code", "message", "field"}}`
(api/errors.py), with codes that follow from what a route is, read from the
routes themselves in one place:

| status | when | routes |
|---|---|---|
| 400 | a body (or an OsmAnd fix) that cannot be read | writes, /osmand |
| 401 | no token, or an unknown one; an OsmAnd id Chekara did not issue | every route that needs a token, /osmand |
| 403 | the token's role is not admitted | every route guarded by `Allowed(...)` |
| 404 | the path, a parameter or the body names something that does not exist | routes with inputs |
| 409 | the change conflicts with stored data or the procedure | writes, /osmand |
| 413 | the body is over the limit (api/body_limit.py) | writes, /osmand |
| 414 | the query string is over 4 KiB | /osmand |
| 422 | a value is invalid | routes with inputs, writes |
| 429 | too many requests from one address | public routes, /osmand |
| 503 | the database is not available (Retry-After) | every route |
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, current_actor
from chekara.api.rate_limit import PublicAccess

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The OsmAnd protocol: a GET stores a fix, like a POST; trackers send no token but an id Chekara issued
#: (401 when it did not), and the route is rate-limited.
OSMAND_PATHS = frozenset({"/osmand"})


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong, for programs: invalid, not_found, conflict, unauthorized, "
                                  "forbidden, too_large, rate_limited, unavailable, …")
    message: str = Field(description="what went wrong, for people")
    field: str | None = Field(description="the field at fault: a body path (`stop_zones.0.geometry`), "
                                          "a parameter, `Authorization`; null when no single field is")
    details: list[FieldError] | None = Field(None, description="on 422: every invalid field")


class ErrorBody(BaseModel):
    """Every error the API answers."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "The body cannot be read",
    401: "A bearer token is required, or the token is unknown or revoked",
    403: "The token's role may not do this",
    404: "Not found: the path, a parameter or the body names something that does not exist",
    409: "The change conflicts with stored data or with the procedure",
    413: "The request body is larger than the limit (CHEKARA_MAX_BODY_BYTES)",
    414: "The query string is longer than an OsmAnd fix can be (4 KiB)",
    422: "A value is invalid; `field` names it",
    429: "Too many requests from this address; wait as Retry-After says",
    503: "The database is not available; try again after Retry-After seconds",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) describe the real error answers."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _hoist_nested_schemas(document)
            _describe_errors(document, app)
        return app.openapi_schema

    app.openapi = openapi


def error_statuses(route: APIRoute | RouteContext, method: str) -> set[int]:
    """The error status codes one route can answer."""
    statuses = {503}
    calls = _dependency_calls(route.dependant)
    if any(isinstance(call, Allowed) for call in calls):
        statuses |= {401, 403}
    elif any(call is current_actor for call in calls):
        statuses.add(401)
    takes_input = bool(get_flat_params(route.dependant) or route.body_field)
    if method in WRITE_METHODS or route.path in OSMAND_PATHS:
        statuses |= {400, 409, 413, 422}
        takes_input = True
    if takes_input:
        statuses |= {404, 422}
    if any(isinstance(call, PublicAccess) for call in calls):
        statuses.add(429)
    if route.path in OSMAND_PATHS:
        statuses |= {401, 414, 429}
    return statuses


def _dependency_calls(dependant: Dependant) -> list[Any]:
    calls = []
    for dep in dependant.dependencies:
        calls.append(dep.call)
        calls.extend(_dependency_calls(dep))
    return calls


def _describe_errors(document: dict[str, Any], app: FastAPI) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_component_schemas(ErrorBody))
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    # FastAPI keeps an included router as one entry of app.routes: its routes are reached through their contexts.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(route, method)):
                answer = {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": error_ref}}}
                if status in _HEADERS:
                    answer["headers"] = _HEADERS[status]
                responses[str(status)] = answer  # replaces FastAPI's 422 {"detail": …}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _component_schemas(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {model.__name__: schema, **nested}


def _hoist_nested_schemas(node: Any, document: dict[str, Any] | None = None) -> None:
    """Move the `$defs` of a hand-written schema (a route's `openapi_extra`) to the components.

    Pydantic puts a model's nested models in `$defs` and, with the components
    ref template, refers to them as `#/components/schemas/<Model>`: FastAPI
    does not look inside `openapi_extra`, so without this those references
    point at nothing (the corridor upload's StopZoneIn did).
    """
    document = node if document is None else document
    if isinstance(node, dict):
        nested = node.pop("$defs", None)
        if nested:
            for name, schema in nested.items():
                document.setdefault("components", {}).setdefault("schemas", {}).setdefault(name, schema)
        for value in list(node.values()):
            _hoist_nested_schemas(value, document)
    elif isinstance(node, list):
        for value in node:
            _hoist_nested_schemas(value, document)

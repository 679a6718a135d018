"""The OpenAPI document is valid and describes the real error body and status codes (issue 15)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from chekara.api.app import create_app


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document):
    return [(f"{method.upper()} {path}", op) for path, item in document["paths"].items() for method, op in item.items()]


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_reference_points_at_something(document):
    """The validator does not follow references nested in schemas; the corridor upload's StopZoneIn dangled."""
    for ref in set(_refs(document)):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"{ref} points at nothing"
            node = node[part]


def test_every_error_is_documented_with_our_body(document):
    assert "HTTPValidationError" not in json.dumps(document)
    for name, op in _operations(document):
        responses = op["responses"]
        assert "503" in responses and "Retry-After" in responses["503"]["headers"], name
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{name} {status}"


@pytest.mark.parametrize("operation, present, absent", [
    ("POST /api/v1/positions", {"400", "401", "403", "409", "413", "422", "503"}, {"429"}),
    ("GET /api/v1/trips/{trip_id}", {"401", "403", "404", "422", "503"}, {"413"}),
    ("GET /api/v1/corridors", {"401", "403", "503"}, {"404", "422"}),
    ("GET /api/v1/me", {"401", "503"}, {"403"}),
    ("GET /api/v1/stream", {"401", "403", "503"}, set()),
    ("GET /api/v1/public/declarations/{number}", {"404", "429", "503"}, {"401", "403"}),
    ("POST /osmand", {"400", "401", "413", "429", "503"}, {"403"}),  # 401: an id Chekara did not issue
    ("GET /osmand", {"400", "401", "429", "503"}, {"403"}),  # a GET that stores a fix
    ("POST /api/v1/plate-reads", {"200", "201"}, set()),  # a re-sent read answers 200
    ("GET /healthz", {"503"}, {"401", "422"}),
])
def test_status_codes_follow_from_the_route(document, operation, present, absent):
    method, path = operation.split(" ")
    documented = set(document["paths"][path][method.lower()]["responses"])
    assert present <= documented and not absent & documented, documented

"""Every protected route: 401 without a token, 403 for each role it does not allow."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from chekara.api.app import API_PREFIX, API_ROUTERS
from chekara.api.rate_limit import PublicAccess
from chekara.domain.roles import ROLES
from chekara.web.permissions import role_guards


def _api_routes() -> list[APIRoute]:
    return [r for router in API_ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _protected_routes() -> list[tuple[str, str, frozenset[str]]]:
    routes = []
    for route in _api_routes():
        guards = role_guards(route.dependant)
        if not guards:
            continue
        allowed = frozenset.intersection(*(g.roles for g in guards))
        path = API_PREFIX + re.sub(r"\{[^}]+\}", "X1", route.path)
        for method in sorted(route.methods):
            routes.append((method, path, allowed))
    return routes


PROTECTED = _protected_routes()
ANY_ROLE_ROUTES = {"/me"}  # needs a token but admits every role


def _is_public(route: APIRoute) -> bool:
    """Open to anyone on purpose, and then rate-limited."""
    return any(isinstance(d.call, PublicAccess) for d in route.dependant.dependencies)


def test_every_api_route_is_protected():
    unguarded = [
        r.path for r in _api_routes()
        if not role_guards(r.dependant) and r.path not in ANY_ROLE_ROUTES and not _is_public(r)
    ]
    assert unguarded == []
    assert {r.path for r in _api_routes() if _is_public(r)} == {"/public/checkpoints", "/public/declarations/{number}"}
    assert len(PROTECTED) >= 8


def test_every_served_api_path_is_in_the_matrix(client):
    served = {p for p in client.app.openapi()["paths"] if p.startswith(API_PREFIX)}
    walked = {API_PREFIX + r.path for r in _api_routes()}
    assert served == walked


@pytest.mark.parametrize("method, path, allowed", PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_no_token_is_401_and_wrong_roles_are_403(client, auth, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"

    bad = client.request(method, path, headers={"Authorization": "Bearer chk_not-a-real-token"})
    assert bad.status_code == 401

    for role in ROLES:
        if role in allowed:
            continue
        response = client.request(method, path, headers=auth(role))
        assert response.status_code == 403, f"{role}: {response.text}"
        assert response.json()["error"]["field"] == "Authorization"


def test_an_allowed_role_gets_through(client, auth):
    assert client.get("/api/v1/checkpoints", headers=auth("operator")).status_code == 200
    assert client.put("/api/v1/rates/USD", json={"kgs_per_unit": "85"}, headers=auth("operator")).status_code == 403
    assert client.put("/api/v1/rates/USD", json={"kgs_per_unit": "85"}, headers=auth("admin")).status_code == 200


def test_me_names_the_caller(client, auth):
    assert client.get("/api/v1/me", headers=auth("officer")).json() == {"name": "test-officer", "role": "officer"}
    assert client.get("/api/v1/me").status_code == 401

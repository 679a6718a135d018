"""Which roles may call which API route, read from the routes' own `Allowed(...)` guards.

The pages hide what the caller's role would be refused (an acknowledge button,
a step form). Reading the guards themselves keeps one source of truth: a
route that changes its roles changes the pages with it.
"""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from chekara.api.deps import Allowed
from chekara.domain.roles import ROLES


def role_guards(dependant: Dependant) -> list[Allowed]:
    """The `Allowed(...)` guards a route's dependencies declare, however deep."""
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Allowed):
            found.append(dep.call)
        found.extend(role_guards(dep))
    return found


def route_roles() -> dict[str, list[str]]:
    """{"POST /api/v1/alerts/{alert_id}/ack": ["admin", "operator", "supervisor"], …} for every API route.

    A route with no guard (it only needs a token) admits every role.
    """
    from chekara.api.app import API_PREFIX, API_ROUTERS  # the app imports the pages: import it late

    table: dict[str, list[str]] = {}
    for route in (r for router in API_ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        guards = role_guards(route.dependant)
        allowed = frozenset.intersection(*(g.roles for g in guards)) if guards else frozenset(ROLES)
        for method in sorted(route.methods):
            table[f"{method} {API_PREFIX}{route.path}"] = sorted(allowed)
    return table

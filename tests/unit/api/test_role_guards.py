"""Every role guard on the API's routes admits its roles and refuses the others when FastAPI calls it.

The guards are async (a sync dependency costs a hop to the thread pool); a subclass that overrides
__call__ as a plain function would hand FastAPI an un-awaited coroutine as the caller, and admit
every role. This checks each guard the routes actually declare, as FastAPI calls it."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from chekara.api.deps import Allowed
from chekara.domain.roles import ROLES, Actor
from chekara.errors import Forbidden
from chekara.web.permissions import role_guards


def _declared_guards() -> list[Allowed]:
    from chekara.api.app import API_ROUTERS
    from fastapi.routing import APIRoute

    guards = {}
    for route in (r for router in API_ROUTERS for r in router.routes if isinstance(r, APIRoute)):
        for guard in role_guards(route.dependant):
            guards[id(guard)] = guard
    return list(guards.values())


def _as_fastapi_calls(guard: Allowed, actor: Actor):
    """FastAPI awaits a guard whose __call__ is a coroutine function; any other's answer is taken as it is."""
    if inspect.iscoroutinefunction(type(guard).__call__):
        return asyncio.run(guard(actor))
    return guard(actor)


GUARDS = _declared_guards()


def test_the_routes_declare_guards_of_more_than_one_kind():
    assert len(GUARDS) > 10 and len({type(g) for g in GUARDS}) >= 2  # Allowed and the stream's own


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: f"{type(g).__name__}({','.join(sorted(g.roles))})")
def test_a_guard_admits_its_roles_and_refuses_the_rest(guard):
    for role in ROLES:
        actor = Actor(name=f"test-{role}", role=role)
        if role in guard.roles:
            assert _as_fastapi_calls(guard, actor) == actor
        else:
            with pytest.raises(Forbidden):
                _as_fastapi_calls(guard, actor)

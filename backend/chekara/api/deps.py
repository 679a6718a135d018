"""Dependencies declared once: the database session, the caller, the roles allowed.

Every protected route declares its roles with `Allowed(...)`; the role-matrix
test reads those declarations from the routes themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from chekara.config import Settings, get_settings
from chekara.db.engine import open_session
from chekara.domain.roles import STAFF, Actor, Role
from chekara.errors import Forbidden, Unauthorized
from chekara.services.tokens import actor_for_token

SessionDep = Annotated[Session, Depends(open_session)]
#: A session closed as soon as the route function returns, before the response is sent. A streaming
#: response would otherwise keep SessionDep's pooled connection (idle in transaction) for its whole life.
ShortSessionDep = Annotated[Session, Depends(open_session, scope="function")]


async def _settings() -> Settings:
    # A sync dependency runs in the thread pool: a hop to a thread and back (~0.3 ms of CPU,
    # measured) for a cached value. The same for Allowed below, which does no I/O either.
    return get_settings()


SettingsDep = Annotated[Settings, Depends(_settings)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `chekara token create`.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_actor(session: SessionDep, settings: SettingsDep, credentials: BearerDep) -> Actor:
    if credentials is None:
        raise Unauthorized("a bearer token is required (Authorization: Bearer <token>)", field="Authorization")
    actor = actor_for_token(session, settings, credentials.credentials)
    if actor is None:
        raise Unauthorized("the token is unknown or revoked", field="Authorization")
    return actor


class Allowed:
    """A dependency that admits only the given roles (admin is always admitted)."""

    def __init__(self, *roles: Role | frozenset[Role]) -> None:
        allowed: set[str] = {Role.admin.value}
        for r in roles:
            allowed |= {x.value for x in r} if isinstance(r, frozenset) else {r.value}
        self.roles = frozenset(allowed)

    async def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in self.roles:
            raise Forbidden(
                f"role {actor.role!r} may not do this; allowed: {', '.join(sorted(self.roles))}",
                field="Authorization",
            )
        return actor


# The usual callers, named once.
AnyStaff = Annotated[Actor, Depends(Allowed(STAFF))]
Planner = Annotated[Actor, Depends(Allowed(Role.planner))]
Admin = Annotated[Actor, Depends(Allowed())]

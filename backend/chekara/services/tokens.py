"""API tokens: creation, look-up by bearer value, revocation.

A token is shown once, at creation. The database keeps only its HMAC-SHA256
under CHEKARA_SECRET_KEY, so a stolen database yields no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import ApiToken, User
from chekara.domain.roles import ROLES, Actor
from chekara.errors import Conflict, InvalidInput
from chekara.services import audit

TOKEN_PREFIX = "chk_"


def hash_token(settings: Settings, token: str) -> str:
    return hmac.new(settings.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user_name: str
    role: str
    token_id: int


def create_token(session: Session, settings: Settings, name: str, role: str, issued_by: Actor) -> IssuedToken:
    """Issue a new token for the user `name` (created with `role` if new)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("name must be 1 to 64 characters", field="name")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; one of: {', '.join(ROLES)}", field="role")
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role)
        session.add(user)
        session.flush()
        audit.record(session, issued_by, "create", "user", user.id, {"name": name, "role": role})
    elif user.role != role:
        raise Conflict(f"user {name!r} already exists with role {user.role!r}", field="role")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(settings, token), prefix=token[:10])
    session.add(row)
    session.flush()
    audit.record(session, issued_by, "create", "api_token", row.id, {"user": name, "role": role, "prefix": row.prefix})
    return IssuedToken(token=token, user_name=name, role=role, token_id=row.id)


#: One query for the token and its user (every API request asks this first), built once: building
#: the statement anew was a fifth of a request's look-up CPU.
_ACTOR_BY_TOKEN_HASH = (
    select(User.name, User.role).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


def actor_for_token(session: Session, settings: Settings, token: str) -> Actor | None:
    """The actor behind a bearer token, or None when it is unknown or revoked."""
    row = session.execute(_ACTOR_BY_TOKEN_HASH, {"token_hash": hash_token(settings, token)}).first()
    if row is None:
        return None
    return Actor(name=row.name, role=row.role)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int, revoked_by: Actor) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise InvalidInput(f"no token with id {token_id}", field="token_id")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        audit.record(session, revoked_by, "revoke", "api_token", row.id, {"user": row.user.name})
    return row


def revoke_tokens_of(session: Session, user_name: str, revoked_by: Actor) -> int:
    """Revoke every active token of a user; the number revoked."""
    rows = session.scalars(
        select(ApiToken).join(ApiToken.user).where(User.name == user_name, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        revoke_token(session, row.id, revoked_by)
    return len(rows)

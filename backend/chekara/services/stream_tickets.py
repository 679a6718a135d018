"""Tickets that open the event stream: short-lived, single-use, honoured by every server process.

Browsers' EventSource cannot send an Authorization header, and a bearer token in the stream's URL
would be written to every access log on its way. A page asks for a ticket with its token instead (a
POST, the token in the header) and opens the stream with the ticket, which is worthless once used or
TICKET_LIFETIME_S after it was issued.

Tickets live in a table rather than being signed values: a signed ticket would still need a shared
record of the used ones to be single-use, and one atomic UPDATE … RETURNING here both checks and
spends a ticket, whichever process receives it. Times are the database's, so processes with
different clocks agree on expiry.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import ApiToken, StreamTicket
from chekara.domain.roles import Actor
from chekara.errors import Unauthorized
from chekara.services.tokens import hash_token

#: A page opens its stream right after asking; more time only widens the window for a leaked ticket.
TICKET_LIFETIME_S = 30


def issue(session: Session, settings: Settings, bearer_token: str) -> str:
    """A new ticket for the holder of `bearer_token` (already authenticated by the caller)."""
    token_id = session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == hash_token(settings, bearer_token), ApiToken.revoked_at.is_(None))
    )
    if token_id is None:
        raise Unauthorized("the token is unknown or revoked", field="Authorization")
    # Expired tickets are worthless: dropping them as new ones are issued keeps the table small.
    session.execute(delete(StreamTicket).where(StreamTicket.expires_at < func.now()))
    ticket = secrets.token_urlsafe(32)
    session.add(StreamTicket(
        ticket_hash=hash_token(settings, ticket),
        token_id=token_id,
        expires_at=func.now() + timedelta(seconds=TICKET_LIFETIME_S),
    ))
    session.flush()
    return ticket


def redeem(session: Session, settings: Settings, ticket: str) -> Actor | None:
    """Spend a ticket: the actor it was issued to, or None when it is unknown, used, expired or its
    token has been revoked since. The caller commits (a spent ticket stays spent)."""
    token_id = session.scalar(
        update(StreamTicket)
        .where(
            StreamTicket.ticket_hash == hash_token(settings, ticket),
            StreamTicket.used_at.is_(None),
            StreamTicket.expires_at > func.now(),
        )
        .values(used_at=func.now())
        .returning(StreamTicket.token_id)
    )
    if token_id is None:
        return None
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return None
    return Actor(name=token.user.name, role=token.user.role)

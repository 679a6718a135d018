"""Server-Sent Events: new alerts, trip status changes and convoy movements, as they commit.

Browsers open the stream with a single-use ticket (POST /stream/ticket, then GET /stream?ticket=…):
EventSource sends no headers, and a bearer token in a URL would end up in access logs. Other
clients send their token as Authorization: Bearer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from chekara.api.deps import Allowed, AnyStaff, BearerDep, SessionDep, SettingsDep, ShortSessionDep, current_actor
from chekara.api.event_hub import hub
from chekara.domain.roles import STAFF, Actor
from chekara.errors import Unauthorized
from chekara.services import stream_tickets

router = APIRouter(tags=["live"])

#: A comment line this often keeps proxies from closing an idle stream, seconds.
KEEPALIVE_S = 15.0


class StreamTicketPublic(BaseModel):
    ticket: str
    expires_in_s: int


@router.post(
    "/stream/ticket", response_model=StreamTicketPublic,
    summary="A single-use ticket that opens the event stream (GET /stream?ticket=…) within expires_in_s",
)
def stream_ticket(
    session: SessionDep, settings: SettingsDep, credentials: BearerDep, _: AnyStaff, response: Response,
) -> StreamTicketPublic:
    assert credentials is not None  # AnyStaff has authenticated them
    ticket = stream_tickets.issue(session, settings, credentials.credentials)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return StreamTicketPublic(ticket=ticket, expires_in_s=stream_tickets.TICKET_LIFETIME_S)


def stream_actor(
    request: Request,
    # Closed before the stream starts: an open stream holds no database connection.
    session: ShortSessionDep,
    settings: SettingsDep,
    credentials: BearerDep,
    ticket: str | None = Query(None, description="a ticket from POST /api/v1/stream/ticket, for browsers' EventSource"),
) -> Actor:
    try:
        if "token" in request.query_params:
            raise Unauthorized(
                "a token in the URL is refused (URLs end up in logs): send Authorization: Bearer <token>, "
                "or open the stream with a ticket from POST /api/v1/stream/ticket",
                field="token",
            )
        if credentials is not None or ticket is None:
            return current_actor(session, settings, credentials)
        actor = stream_tickets.redeem(session, settings, ticket)
        session.commit()  # spent, whatever follows
        if actor is None:
            raise Unauthorized("the ticket is unknown, used or expired: ask for a new one", field="ticket")
        return actor
    finally:
        # Back to the pool now, in this worker thread: the role check after this waits for a worker
        # thread of its own, and with many streams opening at once, connections held while waiting for
        # threads, and threads waiting for connections, stall each other until the pool times out.
        session.close()


class AllowedOnStream(Allowed):
    """Allowed(...), with a ticket also accepted in place of the bearer token."""

    async def __call__(self, actor: Annotated[Actor, Depends(stream_actor)]) -> Actor:  # type: ignore[override]
        return await super().__call__(actor)


async def _events(request: Request) -> AsyncIterator[str]:
    queue = await hub.subscribe()
    try:
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_S)
            except asyncio.TimeoutError:
                yield ": keepalive\n\n"
                continue
            if event is None:  # the server is stopping: the page's EventSource reconnects elsewhere
                return
            yield f"event: {event.get('kind', 'message')}\ndata: {json.dumps(event.get('data'), separators=(',', ':'))}\n\n"
    finally:
        hub.unsubscribe(queue)


@router.get("/stream", summary="Server-Sent Events: alerts, trip status changes, convoy movements")
async def stream(request: Request, _: Annotated[Actor, Depends(AllowedOnStream(STAFF))]) -> StreamingResponse:
    return StreamingResponse(
        _events(request), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

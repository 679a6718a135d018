"""Server-Sent Events: new alerts, trip status changes and convoy movements, as they commit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from chekara.api.deps import Allowed, BearerDep, SettingsDep, ShortSessionDep, current_actor
from chekara.api.event_hub import hub
from chekara.domain.roles import STAFF, Actor

router = APIRouter(tags=["live"])

#: A comment line this often keeps proxies from closing an idle stream, seconds.
KEEPALIVE_S = 15.0


def stream_actor(
    # Closed before the stream starts: an open stream holds no database connection.
    session: ShortSessionDep,
    settings: SettingsDep,
    credentials: BearerDep,
    token: str | None = Query(None, description="the API token, for browsers' EventSource which cannot send headers"),
) -> Actor:
    if credentials is None and token:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    try:
        return current_actor(session, settings, credentials)
    finally:
        # Back to the pool now, in this worker thread: the role check after this waits for a worker
        # thread of its own, and with many streams opening at once, connections held while waiting for
        # threads, and threads waiting for connections, stall each other until the pool times out.
        session.close()


class AllowedOnStream(Allowed):
    """Allowed(...), with the token also accepted as a query parameter."""

    def __call__(self, actor: Annotated[Actor, Depends(stream_actor)]) -> Actor:  # type: ignore[override]
        return super().__call__(actor)


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
            yield f"event: {event.get('kind', 'message')}\ndata: {json.dumps(event.get('data'), separators=(',', ':'))}\n\n"
    finally:
        hub.unsubscribe(queue)


@router.get("/stream", summary="Server-Sent Events: alerts, trip status changes, convoy movements")
async def stream(request: Request, _: Annotated[Actor, Depends(AllowedOnStream(STAFF))]) -> StreamingResponse:
    return StreamingResponse(
        _events(request), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

"""One LISTEN connection per server process, fanned out to every open event stream.

PostgreSQL NOTIFY (services/events.py) carries the events; each SSE client
gets its own bounded queue. A client too slow to keep up loses its oldest
events rather than slowing the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from chekara.config import get_settings
from chekara.services.events import CHANNEL

log = logging.getLogger("chekara.events")
QUEUE_SIZE = 1_000


def _conninfo() -> str:
    url = make_url(get_settings().sqlalchemy_url()).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()

    async def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        if self._task is None or self._task.done():
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), timeout=10)
        return queue

    def end_streams(self) -> None:
        """Tell every open stream to end (the server is stopping): a None after their pending events."""
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(None)

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def _broadcast(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    async for notice in conn.notifies():
                        try:
                            self._broadcast(json.loads(notice.payload))
                        except json.JSONDecodeError:
                            log.warning("unreadable event payload dropped")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect on any connection failure
                log.warning("event listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


hub = EventHub()

"""One LISTEN connection per server process, fanned out to every open event stream and watcher.

PostgreSQL NOTIFY (services/events.py) carries the events; each SSE client
gets its own bounded queue. A client too slow to keep up loses its oldest
events rather than slowing the others. Watchers (the live map's snapshot)
are called with every event as it arrives, and with LISTENER_CONNECTED
whenever the listener (re)connects, since events sent while it was away are lost.

`await hub.barrier()` returns once every event committed before the call has
reached the watchers: PostgreSQL delivers notifications in commit order, so
when a NOTIFY sent now comes back, everything committed before it has come too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from chekara.config import get_settings
from chekara.ingest.shared_parts import PARTS_OFFERED
from chekara.services.events import CHANNEL

log = logging.getLogger("chekara.events")
QUEUE_SIZE = 1_000
#: Internal kinds: never sent to the streams.
BARRIER = "hub.barrier"
LISTENER_CONNECTED = {"kind": "hub.listener_connected", "data": {}}
#: Events between server processes, for watchers only: never sent to the pages' streams.
INTERNAL_KINDS = frozenset({PARTS_OFFERED})


def _conninfo() -> str:
    url = make_url(get_settings().sqlalchemy_url()).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._watchers: list[Callable[[dict[str, Any]], None]] = []
        self._barriers: dict[str, asyncio.Future] = {}
        self._sender: psycopg.AsyncConnection | None = None
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()

    def start(self) -> None:
        """Start the listener if it is not running (in the event loop), without waiting for it."""
        if self._task is None or self._task.done():
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(self._listen())

    async def listening(self) -> None:
        """Start the listener if it is not running; return once it listens."""
        self.start()
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        await self.listening()
        return queue

    def watch(self, watcher: Callable[[dict[str, Any]], None]) -> None:
        """Call `watcher` (in the event loop) with every event from now on."""
        if watcher not in self._watchers:
            self._watchers.append(watcher)

    async def barrier(self, timeout_s: float = 5.0) -> None:
        """Return once every event committed before this call has been handed to the watchers."""
        await self.listening()
        token = uuid.uuid4().hex
        arrived = asyncio.get_running_loop().create_future()
        self._barriers[token] = arrived
        try:
            if self._sender is None or self._sender.closed:
                self._sender = await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True)
            payload = json.dumps({"kind": BARRIER, "data": {"token": token}})
            await self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            await asyncio.wait_for(arrived, timeout_s)
        finally:
            self._barriers.pop(token, None)

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
                    self._notify_watchers(LISTENER_CONNECTED)
                    self._ready.set()
                    async for notice in conn.notifies():
                        try:
                            event = json.loads(notice.payload)
                        except json.JSONDecodeError:
                            log.warning("unreadable event payload dropped")
                            continue
                        if event.get("kind") == BARRIER:
                            arrived = self._barriers.get((event.get("data") or {}).get("token"))
                            if arrived is not None and not arrived.done():
                                arrived.set_result(None)
                            continue
                        self._notify_watchers(event)
                        if event.get("kind") not in INTERNAL_KINDS:
                            self._broadcast(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect on any connection failure
                log.warning("event listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1)

    def _notify_watchers(self, event: dict[str, Any]) -> None:
        for watcher in self._watchers:
            try:
                watcher(event)
            except Exception:  # noqa: BLE001 - a watcher's bug must not stop the streams
                log.exception("an event watcher failed")

    async def close(self) -> None:
        if self._sender is not None:
            with contextlib.suppress(Exception):
                await self._sender.close()
            self._sender = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


hub = EventHub()

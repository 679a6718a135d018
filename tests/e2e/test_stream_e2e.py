"""The event stream over a real server: open streams hold no database connection."""

from __future__ import annotations

import asyncio
import statistics
import time
from contextlib import AsyncExitStack

import httpx
from sqlalchemy import text

#: More open streams than the pool has connections (10 + 20 overflow).
OPEN_STREAMS = 100


def _idle_in_transaction(engine, database: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND state = 'idle in transaction'"),
            {"db": database},
        ).scalar_one()


async def _timed_get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    response = await client.get(path, headers=headers)
    return response.status_code, time.perf_counter() - started


async def _usual_time(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    times = []
    for _ in range(5):
        status, elapsed = await _timed_get(client, path, headers)
        assert status == 200
        times.append(elapsed)
    return statistics.median(times)


def test_a_hundred_open_streams_do_not_stall_the_api(live_server, engine, test_database):
    operator = live_server.headers("operator")
    paths = ["/api/v1/checkpoints", "/healthz"]

    async def scenario() -> None:
        limits = httpx.Limits(max_connections=OPEN_STREAMS + 10, max_keepalive_connections=OPEN_STREAMS + 10)
        timeout = httpx.Timeout(10.0)
        async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=timeout) as streams, \
                httpx.AsyncClient(base_url=live_server.url, timeout=timeout) as calls:
            before = {path: await _usual_time(calls, path, operator) for path in paths}
            async with AsyncExitStack() as open_streams:
                async def open_one() -> None:
                    response = await open_streams.enter_async_context(
                        streams.stream("GET", "/api/v1/stream", headers=operator)
                    )
                    assert response.status_code == 200

                await asyncio.gather(*(open_one() for _ in range(OPEN_STREAMS)))
                # Every stream is open and waiting: none keeps a connection in an open transaction.
                assert await asyncio.to_thread(_idle_in_transaction, engine, test_database) == 0
                for path in paths:
                    for _ in range(3):
                        status, elapsed = await _timed_get(calls, path, operator)
                        assert status == 200, path
                        # Generous: a stalled pool waits 30 s for a connection.
                        assert elapsed < before[path] + 1.0, (path, elapsed, before[path])

    asyncio.run(scenario())

"""The event stream over a real server: single-use tickets shared by every server process, no token in
the URL, and open streams hold no database connection."""

from __future__ import annotations

import asyncio
import statistics
import time
from contextlib import AsyncExitStack

import httpx
from sqlalchemy import text

from tests.e2e.conftest import free_port, server_env, start_server

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
                        # Generous (a busy 2-core machine), and still far from a stalled pool's 30-s wait.
                        assert elapsed < before[path] + 5.0, (path, elapsed, before[path])

    asyncio.run(scenario())


def _ticket(url: str, headers: dict[str, str]) -> str:
    response = httpx.post(f"{url}/api/v1/stream/ticket", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in_s"] == 30 and response.headers["cache-control"] == "no-store"
    return body["ticket"]


def _opens(url: str, query: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
    """GET /api/v1/stream: the first line of an opened stream, or the refusal."""
    with httpx.stream("GET", f"{url}/api/v1/stream{query}", headers=headers, timeout=10) as response:
        if response.status_code == 200:
            assert next(response.iter_lines()) == "retry: 2000"
        else:
            response.read()
        return response


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["field"] == field


def test_a_ticket_opens_the_stream_once(live_server):
    ticket = _ticket(live_server.url, live_server.headers("operator"))
    assert _opens(live_server.url, f"?ticket={ticket}").status_code == 200
    _refused(_opens(live_server.url, f"?ticket={ticket}"), "ticket")
    _refused(_opens(live_server.url, "?ticket=made-up"), "ticket")


def test_a_token_in_the_url_is_refused_and_the_header_still_works(live_server):
    _refused(_opens(live_server.url, f"?token={live_server.tokens['operator']}"), "token")
    _refused(_opens(live_server.url), "Authorization")
    assert _opens(live_server.url, headers=live_server.headers("operator")).status_code == 200
    # Streams and tickets are for staff.
    assert _opens(live_server.url, headers=live_server.headers("device")).status_code == 403
    assert httpx.post(f"{live_server.url}/api/v1/stream/ticket", headers=live_server.headers("device")).status_code == 403


def test_an_expired_ticket_or_one_of_a_revoked_token_is_refused(live_server, seeded):
    from sqlalchemy.orm import Session

    from chekara.config import get_settings
    from chekara.domain.roles import Actor
    from chekara.services.tokens import create_token, hash_token, revoke_token

    expired = _ticket(live_server.url, live_server.headers("operator"))
    with seeded.begin() as connection:
        connection.execute(
            text("UPDATE stream_tickets SET expires_at = now() - interval '1 second' WHERE ticket_hash = :h"),
            {"h": hash_token(get_settings(), expired)},
        )
    _refused(_opens(live_server.url, f"?ticket={expired}"), "ticket")

    with Session(seeded) as session:
        issued = create_token(session, get_settings(), "e2e-stream-revoked", "operator", Actor("e2e", "admin"))
        session.commit()
    ticket = _ticket(live_server.url, {"Authorization": f"Bearer {issued.token}"})
    with Session(seeded) as session:
        revoke_token(session, issued.token_id, Actor("e2e", "admin"))
        session.commit()
    _refused(_opens(live_server.url, f"?ticket={ticket}"), "ticket")


def test_a_ticket_is_spent_for_every_server_process(live_server, test_database, tmp_path):
    other, other_url = start_server(server_env(test_database), free_port(), tmp_path / "other.log")
    try:
        ticket = _ticket(live_server.url, live_server.headers("operator"))
        assert _opens(other_url, f"?ticket={ticket}").status_code == 200
        _refused(_opens(live_server.url, f"?ticket={ticket}"), "ticket")
    finally:
        other.terminate()
        other.wait(timeout=10)

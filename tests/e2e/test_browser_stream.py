"""The pages in a real browser against a server of their own, whose log is then searched: the event stream
opens with single-use tickets, a dropped stream comes back with a fresh one, and no token reaches a URL or
the log."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.domain.roles import ROLES, Actor
from chekara.services.tokens import create_token
from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    WAIT_MS, api, browser, convoy, file_declaration, open_page, unique_number, unique_plate,
)
from tests.e2e.conftest import LiveServer, free_port, server_env, start_server
from tests.e2e.test_browser_pages import LOADED

#: A stream reconnects within a few backoff steps of the server coming back, milliseconds.
RECONNECT_WAIT_MS = 45_000


@dataclass
class LoggedServer(LiveServer):
    """A server whose output this module reads; it can be killed and started again on the same port."""

    env: dict | None = None
    port: int = 0
    log_path: Path | None = None
    process: object = None

    def start(self) -> None:
        self.process, _ = start_server(self.env, self.port, self.log_path)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text()


# Overrides the session's live_server for this module: open_page then drives this server.
@pytest.fixture(scope="module")
def live_server(seeded, test_database, tmp_path_factory) -> Iterator[LoggedServer]:
    with Session(seeded) as session:
        tokens = {
            role: create_token(session, get_settings(), f"e2e-{role}", role, Actor("e2e", "admin")).token
            for role in ROLES
        }
        session.commit()
    port = free_port()
    # One process: a killed server must not leave workers behind that still hold the port.
    env = server_env(test_database) | {"CHEKARA_WORKERS": "1"}
    server = LoggedServer(
        url=f"http://127.0.0.1:{port}", tokens=tokens, env=env, port=port,
        log_path=tmp_path_factory.mktemp("stream-server") / "server.log",
    )
    server.start()
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


def _stream_tickets(requests: list[str]) -> list[str]:
    return [parse_qs(urlparse(u).query)["ticket"][0] for u in requests if urlparse(u).path == "/api/v1/stream"]


def _wait_for_a_stream(visit) -> None:
    for _ in range(WAIT_MS // 100):
        if _stream_tickets(visit.requests):
            return
        visit.page.wait_for_timeout(100)
    raise AssertionError("the page never opened the event stream")


def _in_transit_trip(live_server) -> int:
    number, plate = unique_number("STREAM"), unique_plate()
    file_declaration(live_server, number, plate, entry="TORUGART", exit_="AK-JOL", kind="transit")
    trip_id, track = convoy(live_server, number, plate)
    api(live_server).post_fixes(track.drive(15).fixes)  # leaves its origin: in transit
    return trip_id


def test_the_pages_put_no_token_in_a_url_and_none_reaches_the_log(open_page, live_server):
    trip_id = _in_transit_trip(live_server)
    visits = []

    situation = open_page("/", role="operator")
    situation.page.wait_for_function(LOADED["situation-map"])
    situation.page.wait_for_function("document.getElementById('stream-state').classList.contains('live')")
    visits.append(situation)

    trip = open_page(f"/trips/{trip_id}", role="supervisor")
    trip.page.wait_for_function(LOADED["trip-review"])
    _wait_for_a_stream(trip)
    visits.append(trip)

    for path, role, loaded in [
        ("/checkpoints/TORUGART", "officer", LOADED["checkpoint-desk"]),
        ("/analytics/heatmap", "planner", LOADED["analytics-heatmap"]),
        ("/risk", "officer", LOADED["risk-desk"]),
        ("/callcenter", "callcenter", "window.chekaraCallcenter && window.chekaraCallcenter.ready === true"),
        ("/public", None, "window.chekaraPublic && window.chekaraPublic.loaded === true"),
    ]:
        visit = open_page(path, role=role)
        visit.page.wait_for_function(loaded)
        visits.append(visit)

    # A client that still sends ?token= is refused, and its token is masked in the log too.
    refused = httpx.get(f"{live_server.url}/api/v1/stream?token={live_server.tokens['admin']}", timeout=10)
    assert refused.status_code == 401 and refused.json()["error"]["field"] == "token"

    requests = [u for v in visits for u in v.requests]
    tickets = _stream_tickets(requests)
    assert len(tickets) >= 2 and len(set(tickets)) == len(tickets)  # one fresh ticket per stream
    log = live_server.log()
    assert "GET /api/v1/stream?ticket=*** HTTP/1.1" in log  # the log records query strings, masked
    for role, token in live_server.tokens.items():
        assert not [u for u in requests if token in u], role
        assert token not in log, f"the {role} token is in the server log"
    for visit in visits:
        visit.assert_clean()


def test_a_dropped_stream_comes_back_with_a_fresh_ticket(open_page, live_server):
    visit = open_page("/", role="operator")
    page = visit.page
    badge_is = "(state) => document.getElementById('stream-state').classList.contains(state)"
    page.wait_for_function(badge_is, arg="live")
    first = _stream_tickets(visit.requests)

    live_server.kill()
    page.wait_for_function(badge_is, arg="down")
    live_server.start()
    page.wait_for_function(badge_is, arg="live", timeout=RECONNECT_WAIT_MS)

    tickets = _stream_tickets(visit.requests)
    assert len(tickets) > len(first) and tickets[-1] not in first
    # The page asked for a new ticket rather than letting EventSource present the spent one again.
    assert len(set(tickets)) == len(tickets)

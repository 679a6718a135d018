"""Exchange over real HTTP: a real receiver started here, real server processes, one killed mid-retry.

The receiver is a small http.server on 127.0.0.1 that checks every
signature the way docs/EXCHANGE.md tells a partner to, and can be told to
fail. The servers deliver every 0.2 s and back off from 0.2 s (settings),
so every wait below is bounded well under 20 s.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from chekara.domain.bishkek_time import today_in_bishkek
from chekara.domain.exchange import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify
from tests.e2e.conftest import CHEKARA_BIN, free_port, server_env
from tests.e2e.conftest import start_server as start_chekara

CHECKPOINT = "CHALDYBAR"
SECRET = "e2e-partner-secret-0123456789"
DELIVERY_ENV = {
    "CHEKARA_EXCHANGE_DELIVERY_INTERVAL_S": "0.2",
    "CHEKARA_EXCHANGE_BACKOFF_BASE_S": "0.2",
    "CHEKARA_EXCHANGE_BACKOFF_CAP_S": "1",
    "CHEKARA_EXCHANGE_MAX_ATTEMPTS": "50",
}
WAIT_S = 20
_numbers = itertools.count(1)


class Receiver:
    """A partner's webhook endpoint: verifies, records, and fails while told to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[dict] = []  # bodies answered 2xx, in arrival order
        self.requests: list[str] = []  # event ids of every request, failed or not
        self.bad_signatures = 0
        self.fail_next = 0
        self.down = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.receive(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/chekara/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, headers, body: bytes) -> int:
        try:  # what docs/EXCHANGE.md tells a partner to do, first
            verify(SECRET.encode(), headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, now_s=time.time())
        except SignatureError:
            with self.lock:
                self.bad_signatures += 1
            return 401
        event = json.loads(body)
        assert headers["X-Chekara-Event-Id"] == event["id"]
        with self.lock:
            self.requests.append(event["id"])
            if self.down or self.fail_next > 0:
                self.fail_next = max(self.fail_next - 1, 0)
                return 503
            self.accepted.append(event)
        return 204

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return [e["id"] for e in self.accepted]

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_server(database: str, log_path, **env: str) -> tuple[subprocess.Popen, str]:
    return start_chekara(server_env(database) | DELIVERY_ENV | env, free_port(), log_path)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout_s} s for {what}")


class Desk:
    """Admin, officer, camera and weighbridge calls against one server."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.api = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
        self.tokens = tokens

    def call(self, method: str, path: str, role: str, expect: int | tuple[int, ...] = (200, 201), **kw) -> dict | list:
        response = self.api.request(method, path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, **kw)
        assert response.status_code in ((expect,) if isinstance(expect, int) else expect), response.text
        return response.json()

    def partner(self, receiver_url: str, types: list[str]) -> tuple[str, str]:
        """A new partner with a webhook; (code, its token)."""
        code = f"KZ-E2E-{next(_numbers)}-{os.getpid() % 10_000}"
        registered = self.call("POST", "/exchange/partners", "admin", json={"code": code, "name": code, "country": "KZ"})
        self.call("PUT", f"/exchange/partners/{code}/webhook", "admin",
                  json={"url": receiver_url, "secret": SECRET, "event_types": types})
        self.tokens[code] = registered["token"]
        return code, registered["token"]

    def retire(self, code: str) -> None:
        """Stop delivering to a test's partner, so later servers do not keep trying its receiver."""
        self.call("DELETE", f"/exchange/partners/{code}/webhook", "admin")

    def crossing(self, plate: str, *, exit_too: bool = True, gross_kg: int = 30_000) -> int:
        """A transit from Kazakhstan at Chaldybar: declared, read, checked, weighed, inspected, released, exited."""
        n = next(_numbers)
        number = f"E2E-EX-{os.getpid()}-{n}"
        self.call("POST", "/declarations", "officer", json={
            "number": number, "kind": "transit", "declaration_date": today_in_bishkek().isoformat(),
            "vehicle_plate": plate, "declared_gross_kg": 30_000,
            "goods_lines": [{"hs_code": "8701 20 101 0", "description": "Road tractors", "gross_kg": "20000",
                             "net_kg": "19500", "value": "50000.00", "currency": "USD"}],
            "consignor": "Almaty Motors LLP", "consignee": "Kashgar Trucks Co.", "dispatch_country": "KZ",
            "destination_country": "CN", "entry_checkpoint": CHECKPOINT, "exit_checkpoint": "TORUGART",
            "delivery_deadline": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        })
        now = datetime.now(UTC)
        entry = self.call("POST", "/plate-reads", "device", json={
            "checkpoint": CHECKPOINT, "camera_id": "CHD-CAM-IN", "lane": 1, "direction": "entry", "plate": plate,
            "confidence": 0.93, "time": (now - timedelta(minutes=30)).isoformat(),
        })
        crossing_id = entry["crossing"]["id"]
        self.call("POST", f"/crossings/{crossing_id}/steps/documents_checked", "officer", json={"seal_ids": ["KZ-77 001"]})
        share = gross_kg // 5
        self.call("POST", "/weighings", "device", json={
            "checkpoint": CHECKPOINT, "plate": plate, "gross_kg": gross_kg,
            "axle_loads_kg": [share] * 4 + [gross_kg - 4 * share], "time": (now - timedelta(minutes=20)).isoformat(),
        })
        self.call("POST", f"/crossings/{crossing_id}/steps/inspected", "officer", json={"result": "not_found", "notes": "ok"})
        self.call("POST", f"/crossings/{crossing_id}/steps/released", "officer")
        if exit_too:
            self.call("POST", "/plate-reads", "device", json={
                "checkpoint": CHECKPOINT, "camera_id": "CHD-CAM-OUT", "lane": 2, "direction": "exit", "plate": plate,
                "confidence": 0.95, "time": (now - timedelta(minutes=5)).isoformat(),
            })
        return crossing_id

    def events_after(self, cursor: int, *types: str) -> list[dict]:
        params = {"after": cursor, "limit": 1000, **({"type": list(types)} if types else {})}
        return self.call("GET", "/exchange/events", "admin", params=params)["events"]

    def head(self) -> int:
        """The newest sequence now (the admin pulls everything)."""
        cursor = 0
        while True:
            page = self.call("GET", "/exchange/events", "admin", params={"after": cursor, "limit": 1000})
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return cursor


def plate() -> str:
    return f"07 {600 + next(_numbers) % 400} CHD"


@pytest.fixture
def delivering_server(live_server, test_database, tmp_path) -> Iterator[Desk]:
    """A server process of the test's own that delivers (the shared live server does not)."""
    process, url = start_server(test_database, tmp_path / "server.log")
    yield Desk(url, dict(live_server.tokens))
    stop(process)


def test_the_command_line_delivers_one_pass(live_server, test_database):
    desk = Desk(live_server.url, dict(live_server.tokens))  # this server does not deliver: only the command does
    with Receiver() as receiver:
        code, _ = desk.partner(receiver.url, ["crossing.released"])
        try:
            desk.crossing(plate(), exit_too=False)
            result = subprocess.run([CHEKARA_BIN, "exchange", "deliver"], env=server_env(test_database),
                                    capture_output=True, text=True, timeout=60)
        finally:
            desk.retire(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "delivered 1, failed 0, dead-lettered 0" in result.stdout
    assert [e["type"] for e in receiver.accepted] == ["crossing.released"]


def test_a_crossings_events_reach_the_receiver_signed_and_in_order(delivering_server):
    desk = delivering_server
    with Receiver() as receiver:
        code, _ = desk.partner(receiver.url, ["crossing.released", "crossing.exited"])
        try:
            crossing_id = desk.crossing(plate())
            wait_for(lambda: len(receiver.accepted_ids()) >= 2, "both events of the crossing")
        finally:
            desk.retire(code)
    assert receiver.bad_signatures == 0
    released, exited = receiver.accepted
    assert (released["type"], exited["type"]) == ("crossing.released", "crossing.exited")
    assert released["sequence"] < exited["sequence"]
    assert released["data"]["crossing_id"] == exited["data"]["crossing_id"] == crossing_id
    assert released["data"]["checkpoint"]["code"] == CHECKPOINT and released["data"]["seal_ids"] == ["KZ77001"]
    assert "Almaty Motors" not in json.dumps(receiver.accepted)
    by_pull = desk.events_after(released["sequence"] - 1, "crossing.released", "crossing.exited")
    assert [e["id"] for e in by_pull[:2]] == receiver.accepted_ids()  # the same events, the same bytes' content
    assert by_pull[:2] == receiver.accepted


def test_a_receiver_that_fails_three_times_then_recovers_gets_every_event_exactly_once(delivering_server):
    desk = delivering_server
    with Receiver() as receiver:
        receiver.fail_next = 3
        code, _ = desk.partner(receiver.url, ["crossing.released", "crossing.exited"])
        try:
            cursor = desk.head()
            desk.crossing(plate())
            desk.crossing(plate())
            expected = [e["id"] for e in desk.events_after(cursor, "crossing.released", "crossing.exited")]
            assert len(expected) == 4
            wait_for(lambda: len(receiver.accepted_ids()) >= 4, "the four events after three failures")
            time.sleep(1)  # a duplicate would come within a few delivery intervals
        finally:
            desk.retire(code)
    counts = Counter(receiver.accepted_ids())
    assert receiver.accepted_ids() == expected and set(counts.values()) == {1}
    # The first event failed three times and held the others back: in order per partner.
    assert receiver.requests[:4] == [expected[0]] * 4 and len(receiver.requests) == 4 + 3


def test_a_killed_server_resumes_delivery_after_restart_without_loss(live_server, test_database, tmp_path):
    log = tmp_path / "server.log"
    process, url = start_server(test_database, log)
    desk = Desk(url, dict(live_server.tokens))
    restarted: list[subprocess.Popen] = []
    with Receiver() as receiver:
        receiver.down = True
        code, _ = desk.partner(receiver.url, ["crossing.released", "crossing.exited"])
        try:
            cursor = desk.head()
            desk.crossing(plate())
            desk.crossing(plate(), exit_too=False)
            expected = [e["id"] for e in desk.events_after(cursor, "crossing.released", "crossing.exited")]
            assert len(expected) == 3
            wait_for(lambda: len(receiver.requests) >= 2, "the server retrying the unreachable partner")
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)

            receiver.down = False
            # Two processes on restart: they share the work without posting an event twice.
            for _ in range(2):
                restarted.append(start_server(test_database, log)[0])
            wait_for(lambda: len(receiver.accepted_ids()) >= len(expected), "every event after the restart")
            time.sleep(1)
        finally:
            # The shared live server reaches the same database: retire the webhook there, whatever happened here.
            Desk(live_server.url, dict(live_server.tokens)).retire(code)
            for server in restarted:
                stop(server)
            if process.poll() is None:
                process.kill()
    assert receiver.accepted_ids() == expected  # none lost, none twice, in order
    assert receiver.bad_signatures == 0


def test_a_partners_notice_is_matched_checked_and_swept(live_server, test_database):
    desk = Desk(live_server.url, dict(live_server.tokens))
    code = f"KZ-PAN-{os.getpid() % 10_000}-{next(_numbers)}"
    partner_token = desk.call("POST", "/exchange/partners", "admin", json={"code": code, "name": code, "country": "KZ"})["token"]
    desk.tokens["partner-" + code] = partner_token
    now = datetime.now(UTC)
    coming, lost = plate(), plate()

    def announce(vehicle: str, expected_at: datetime) -> dict:
        return desk.call("POST", "/exchange/inbound", "partner-" + code, expect=201, json={
            "notice_id": f"{code}-{vehicle}", "checkpoint": CHECKPOINT, "vehicle_plate": vehicle,
            "declaration_number": f"KZ-{vehicle.replace(' ', '')}", "departed_at": (expected_at - timedelta(hours=1)).isoformat(),
            "expected_at": expected_at.isoformat(), "gross_kg": 30_000, "seal_ids": ["KZ-77 001"],
        })

    matched = announce(coming, now - timedelta(minutes=40))
    never = announce(lost, now - timedelta(hours=4))  # the default window is 3 h
    crossing_id = desk.crossing(coming, exit_too=False, gross_kg=32_000)  # 6.7 % over the partner's weight
    (mine,) = [n for n in desk.call("GET", "/exchange/inbound", "partner-" + code) if n["id"] == matched["id"]]
    assert mine["status"] == "arrived" and mine["crossing_id"] == crossing_id
    findings = desk.call("GET", f"/crossings/{crossing_id}", "operator")["findings"]
    (weight,) = [f for f in findings if f["kind"] == "partner_weight_mismatch"]
    assert weight["evidence"]["difference_pct"] == "6.67" and weight["evidence"]["partner"] == code
    assert not [f for f in findings if f["kind"] == "partner_seal_mismatch"]  # KZ-77 001 as announced

    swept = subprocess.run([CHEKARA_BIN, "sweep"], env=server_env(test_database), capture_output=True, text=True, timeout=120)
    assert swept.returncode == 0, swept.stdout + swept.stderr
    alerts = desk.call("GET", "/alerts", "operator", params={"type": "announced_not_arrived", "checkpoint": CHECKPOINT})
    (alert,) = [a for a in alerts if a["evidence"]["pre_arrival_notice_id"] == never["id"]]
    assert alert["status"] == "open" and alert["declaration_number"] == never["declaration_number"]
    assert not [a for a in alerts if a["evidence"]["pre_arrival_notice_id"] == matched["id"]]

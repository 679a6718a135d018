"""SIGTERM stops the server gracefully: requests in flight finish, streams close, no acknowledged fix is lost (issue 15)."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time

import httpx

from tests.e2e.conftest import free_port, server_env, start_server
from tests.e2e.ingest_load import BatchPoster, stored_stamps

#: A stopping server may take this long: in-flight batches finish, then the lifespan's shutdown runs.
STOP_TIMEOUT_S = 20
_numbers = itertools.count(1)


def _register(url: str, admin: dict[str, str]) -> str:
    device = f"SIGTERM-{os.getpid()}-{next(_numbers)}"
    response = httpx.post(f"{url}/api/v1/devices", json={"device_id": device, "owner": "e2e-device"}, headers=admin)
    assert response.status_code == 201, response.text
    return device


def test_sigterm_during_ingest_loses_no_acknowledged_fix(live_server, test_database, engine, tmp_path):
    server, url = start_server(server_env(test_database), free_port(), tmp_path / "server.log")
    posters = []
    try:
        devices = [_register(url, live_server.headers("admin")) for _ in range(3)]
        # Batches of 200 fixes take long enough that some are in flight when the signal comes.
        posters = [BatchPoster(url, live_server.tokens["device"], d, batch_size=200, pause_s=0) for d in devices]
        for poster in posters:
            poster.start()
        deadline = time.monotonic() + 60
        while min(p.ok_count() for p in posters) < 3:
            assert time.monotonic() < deadline, "ingest did not get going"
            time.sleep(0.05)

        signalled_at = time.monotonic()
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=STOP_TIMEOUT_S)
        stopped_after_s = time.monotonic() - signalled_at
    finally:
        for poster in posters:
            poster.stop()
        if server.poll() is None:
            server.kill()
    log = (tmp_path / "server.log").read_text()

    answers = [a for p in posters for a in p.answers]
    assert exit_code == 0, log[-3000:]
    assert {a.status for a in answers} <= {200, None}, f"answers: {sorted({a.status or 0 for a in answers})}"
    in_flight = [a for a in answers if a.sent_at < signalled_at < a.answered_at]
    print(f"batches: {len(answers)}, in flight at SIGTERM: {len(in_flight)} ({sum(a.status == 200 for a in in_flight)} "
          f"answered 200), fixes acknowledged: {sum(len(p.acknowledged()) for p in posters)}, "
          f"stopped after {stopped_after_s:.1f} s")  # docs/RELIABILITY.md
    assert any(a.status == 200 for a in in_flight), "no batch in flight at SIGTERM was allowed to finish"
    assert all(a.accepted == len(a.stamps) for a in answers if a.status == 200)  # acknowledged = accepted here
    for poster in posters:
        missing = poster.acknowledged() - stored_stamps(engine, poster.device_id)
        assert not missing, f"{len(missing)} acknowledged fixes of {poster.device_id} are not stored"


def test_sigterm_closes_open_streams(live_server, test_database, tmp_path):
    server, url = start_server(server_env(test_database), free_port(), tmp_path / "server.log")
    ended = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream("GET", f"{url}/api/v1/stream", headers=live_server.headers("operator"),
                              timeout=httpx.Timeout(10, read=STOP_TIMEOUT_S * 2)) as response:
                assert response.status_code == 200
                for _ in response.iter_lines():
                    pass
        except httpx.HTTPError:
            pass  # a cut connection ends the stream too; what matters is how soon
        ended.set()

    try:
        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1)  # the stream is open
        assert not ended.is_set()
        signalled_at = time.monotonic()
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=STOP_TIMEOUT_S * 2)
        stopped_after_s = time.monotonic() - signalled_at
    finally:
        if server.poll() is None:
            server.kill()
    print(f"stopped {stopped_after_s:.1f} s after SIGTERM with a stream open")  # docs/RELIABILITY.md
    assert ended.wait(5), "the stream was not ended"
    assert exit_code == 0
    assert stopped_after_s < 5, f"the server took {stopped_after_s:.1f} s to stop with a stream open"

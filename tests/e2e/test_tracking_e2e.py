"""Tracking over real HTTP: a server killed between batches, the live event stream, track import."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import CHEKARA_BIN, free_port, server_env, start_server
from tests.tracks import TrackBuilder

_numbers = itertools.count(1)


class Api:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url, self.tokens = url, tokens

    def call(self, method: str, path: str, role: str = "operator", **kw) -> httpx.Response:
        return httpx.request(method, self.url + path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, timeout=30, **kw)

    def convoy(self, corridor_code: str = "BISHKEK-OSH") -> tuple[int, TrackBuilder]:
        n = next(_numbers)
        truck = f"E2E-TRK-{n}-{os.getpid()}"
        assert self.call("POST", "/api/v1/devices", json={"device_id": truck, "owner": "e2e-device"}).status_code == 201
        corridor = self.call("GET", f"/api/v1/corridors/{corridor_code}").json()
        start = datetime.now(UTC) - timedelta(hours=2)
        trip = self.call("POST", "/api/v1/trips", json={
            "declaration_number": f"E2E-{n}", "vehicle_plates": ["01 555 AAA"],
            "devices": [{"device_id": truck, "role": "vehicle"}],
            "origin": corridor["properties"]["origin"], "destination": corridor["properties"]["destination"],
            "corridor": corridor_code, "planned_departure": start.isoformat(),
            "deadline": (start + timedelta(hours=20)).isoformat(),
        })
        assert trip.status_code == 201, trip.text
        return trip.json()["id"], TrackBuilder(corridor["geometry"]["coordinates"], start, truck)

    def post_fixes(self, fixes) -> dict:
        r = self.call("POST", "/api/v1/positions", role="device", json=fixes)
        assert r.status_code == 200, r.text
        return r.json()


def _start_server(database: str, port: int, log_path) -> subprocess.Popen:
    return start_server(server_env(database), port, log_path)[0]


def test_killing_the_server_between_batches_loses_no_fix_and_no_detector_state(live_server, test_database, tmp_path):
    port = free_port()
    server = _start_server(test_database, port, tmp_path / "server.log")
    api = Api(f"http://127.0.0.1:{port}", live_server.tokens)
    try:
        trip_id, track = api.convoy()
        track.drive(10).drive(40 / 60, offset_m=3000)  # already outside, not yet long enough to alert
        first = list(track.fixes)
        assert api.post_fixes(first)["accepted"] == len(first)
        assert api.call("GET", f"/api/v1/alerts?trip_id={trip_id}&type=route_deviation").json() == []
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)

        server = _start_server(test_database, port, tmp_path / "server.log")
        track.drive(9, offset_m=3000).drive(5)
        second = track.fixes[len(first):]
        assert api.post_fixes(second)["accepted"] == len(second)
        (alert,) = api.call("GET", f"/api/v1/alerts?trip_id={trip_id}&type=route_deviation").json()
        # The deviation began in the first batch: its start survived the kill.
        assert alert["evidence"]["duration_s"] >= 9 * 60
        assert alert["status"] == "resolved"
        features = api.call("GET", f"/api/v1/trips/{trip_id}/track", role="supervisor").json()["features"]
        assert len(features) == len(track.fixes)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_alerts_arrive_on_the_event_stream(live_server):
    api = Api(live_server.url, live_server.tokens)
    trip_id, track = api.convoy()
    received: list[tuple[str, dict]] = []
    connected = threading.Event()

    def listen() -> None:
        url = f"{live_server.url}/api/v1/stream"
        with httpx.stream("GET", url, headers=live_server.headers("operator"), timeout=httpx.Timeout(30, read=30)) as response:
            assert response.status_code == 200
            event = None
            for line in response.iter_lines():
                if line.startswith("retry: "):  # sent once the stream has subscribed to the events
                    connected.set()
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    received.append((event, json.loads(line[6:])))
                    kinds = {kind for kind, _ in received}
                    if {"alert", "positions"} <= kinds:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10)
    api.post_fixes(track.drive(5).drive(5, offset_m=3000).fixes)
    listener.join(timeout=15)
    kinds = [kind for kind, _ in received]
    assert "trip" in kinds and "positions" in kinds
    alert = [data for kind, data in received if kind == "alert"][-1]
    assert alert["type"] == "route_deviation" and alert["trip_id"] == trip_id and alert["status"] == "open"


@pytest.mark.parametrize("kind", ["gpx", "csv"])
def test_import_a_recorded_track(live_server, test_database, tmp_path, kind):
    api = Api(live_server.url, live_server.tokens)
    trip_id, track = api.convoy()
    track.drive(12)
    if kind == "gpx":
        points = "".join(f'<trkpt lat="{f["lat"]}" lon="{f["lon"]}"><time>{f["ts"]}</time></trkpt>' for f in track.fixes)
        text = f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>'
    else:
        text = "time,latitude,longitude,speed_kmh\n" + "".join(f'{f["ts"]},{f["lat"]},{f["lon"]},60\n' for f in track.fixes)
    path = tmp_path / f"track.{kind}"
    path.write_text(text)
    command = [CHEKARA_BIN, "import", kind, str(path), "--device", track.device_id, "--batch-size", "10"]
    result = subprocess.run(command, env=server_env(test_database), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"accepted {len(track.fixes)}, duplicates 0, rejected 0" in result.stdout
    again = subprocess.run(command, env=server_env(test_database), capture_output=True, text=True, timeout=120)
    assert f"accepted 0, duplicates {len(track.fixes)}" in again.stdout
    trip = api.call("GET", f"/api/v1/trips/{trip_id}").json()
    assert trip["status"] == "in_transit" and trip["distance_m"] > 5_000

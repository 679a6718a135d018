"""Several server processes behind one port (`chekara serve --workers 2`).

- Fixes of one trip arriving at both processes at once (the escort's phone by OsmAnd, the
  truck's tracker by JSON batches) are all stored, each device's in time order, and the trip's
  detector state holds both devices' tracks: nothing lost, nothing applied twice.
- The sweep and the exchange delivery run in exactly one process (a PostgreSQL advisory lock
  held by one of them), and another takes over when that one dies.
- A large batch taken by one process is shared with the other (ingest/shared_parts.py): every fix
  stored once, the answer's counts and rejected indices those of the whole batch.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from sqlalchemy import text

from bench.common import TCP_ESTABLISHED, listening_sockets, tcp_sockets
from bench.load import shared_parts_per_process
from tests.e2e.conftest import free_port, server_env, start_server
from tests.e2e.test_tracking_e2e import Api
from tests.tracks import TrackBuilder
from chekara.domain.detection.geo import haversine_m
from chekara.services.leadership import JOB_KEYS, LEADER_LOCK_NAMESPACE

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_workers(test_database, tmp_path):
    env = server_env(test_database) | {
        "CHEKARA_WORKERS": "2", "CHEKARA_SWEEP_INTERVAL_S": "0.5", "CHEKARA_EXCHANGE_DELIVERY_INTERVAL_S": "0.5",
    }
    process, url = start_server(env, free_port(), tmp_path / "server.log")
    yield url
    process.terminate()
    process.wait(timeout=30)


def _holders(engine) -> dict[str, list[str]]:
    """Per job: the application names of the connections holding, and of all trying, its leader lock."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.application_name, l.objid, l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.classid = :ns"
            # Advisory locks are per database: servers of other test sessions hold their own.
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ), {"ns": LEADER_LOCK_NAMESPACE}).all()
        names = conn.execute(text(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name LIKE 'chekara-leader-%'"
        )).scalars().all()
    holders = {job: [name for name, key, granted in rows if key == JOB_KEYS[job] and granted] for job in JOB_KEYS}
    return holders | {"connected": list(names)}


def _wait_for(predicate, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return predicate()


def test_periodic_jobs_run_in_one_process_and_move_when_it_dies(two_workers, seeded):
    def all_connected():
        state = _holders(seeded)
        return state if len(state["connected"]) == 4 else None

    state = _wait_for(all_connected) or _holders(seeded)
    assert len(state["connected"]) == 4, state  # both processes try both jobs ...
    for job in JOB_KEYS:
        assert len(state[job]) == 1, state  # ... and one holds each
    leader_pid = int(state["sweep"][0].rsplit("-", 1)[1])
    os.kill(leader_pid, signal.SIGKILL)
    def taken_over():
        now = _holders(seeded)
        moved = now["sweep"] and now["sweep"][0] != state["sweep"][0]
        return now if moved and len(now["exchange-delivery"]) == 1 else None

    moved = _wait_for(taken_over)
    assert moved and len(moved["sweep"]) == 1 and len(moved["exchange-delivery"]) == 1, moved


def test_two_processes_taking_fixes_of_one_trip_at_once_lose_nothing(two_workers, live_server, seeded):
    api = Api(two_workers, live_server.tokens)
    truck, escort = f"W2-TRK-{os.getpid()}", f"W2-ESC-{os.getpid()}"
    assert api.call("POST", "/api/v1/devices", json={"device_id": truck, "owner": "e2e-device"}).status_code == 201
    phone = api.call("POST", "/api/v1/devices", json={"device_id": escort, "kind": "escort_phone"})
    assert phone.status_code == 201
    osmand_id = phone.json()["osmand_id"]
    corridor = api.call("GET", "/api/v1/corridors/BISHKEK-OSH").json()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # whole seconds: OsmAnd sends ms
    trip = api.call("POST", "/api/v1/trips", json={
        "declaration_number": "W2-1", "vehicle_plates": ["01 555 AAA"],
        "devices": [{"device_id": truck, "role": "vehicle"}, {"device_id": escort, "role": "escort"}],
        "origin": "BISHKEK", "destination": "OSH", "corridor": "BISHKEK-OSH",
        "planned_departure": start.isoformat(), "deadline": (start + timedelta(hours=20)).isoformat(),
    })
    assert trip.status_code == 201, trip.text
    trip_id = trip.json()["id"]
    coords = corridor["geometry"]["coordinates"]
    tracks = {truck: TrackBuilder(coords, start, truck, interval_s=10),
              escort: TrackBuilder(coords, start, escort, interval_s=10)}
    for track in tracks.values():
        track.drive(20)
        # A zigzag 200 m either side of the line: a lost update of the odometer (a fix measured from
        # a stale previous point) then changes the distance by far more than rounding.
        for i, fix in enumerate(track.fixes):
            fix["lon"], fix["lat"] = track.lonlat_at(track.progress[i], 200.0 if i % 2 else -200.0)
    failures: list[str] = []

    def truck_sender() -> None:  # JSON batches of 2, each its own connection: the two processes share them
        fixes = tracks[truck].fixes
        for i in range(0, len(fixes), 2):
            r = api.call("POST", "/api/v1/positions", role="device", json=fixes[i:i + 2])
            if r.status_code != 200 or r.json()["accepted"] != len(fixes[i:i + 2]):
                failures.append(r.text)

    def escort_sender() -> None:  # one fix per request, as Traccar Client sends them
        for fix in tracks[escort].fixes:
            stamp = int(datetime.fromisoformat(fix["ts"]).timestamp() * 1000)
            r = httpx.get(f"{two_workers}/osmand", params={"id": osmand_id, "lat": fix["lat"], "lon": fix["lon"],
                                                           "timestamp": stamp}, timeout=30)
            if r.status_code != 200:
                failures.append(r.text)

    threads = [threading.Thread(target=truck_sender), threading.Thread(target=escort_sender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with seeded.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT d.device_id, count(*) FROM positions p JOIN devices d ON d.id = p.device_id"
            " WHERE p.trip_id = :t GROUP BY d.device_id"), {"t": trip_id}).all())
        state = orjson.loads(conn.execute(text("SELECT detector_state FROM trips WHERE id = :t"), {"t": trip_id}).scalar_one())
    assert stored == {truck: len(tracks[truck].fixes), escort: len(tracks[escort].fixes)}
    for device, track in tracks.items():
        # Each device's newest fix and its whole distance: a lost update would leave the other's stale copy.
        assert datetime.fromisoformat(state["last_ts"][device]) == datetime.fromisoformat(track.fixes[-1]["ts"])
        expected_m = sum(haversine_m(a["lon"], a["lat"], b["lon"], b["lat"]) for a, b in zip(track.fixes, track.fixes[1:]))
        assert state["odometer"][device]["distance_m"] == pytest.approx(expected_m, rel=1e-6)


def test_each_process_listens_on_a_socket_of_its_own(two_workers):
    """One shared socket let one process accept most of the connections that came at once (api/listening.py)."""
    port = int(two_workers.rsplit(":", 1)[1])
    # /healthz answered once the first process listened; the second may still be starting.
    def both_listening():
        found = listening_sockets(port)
        return found if len(found) == 2 else None

    holders = _wait_for(both_listening) or listening_sockets(port)
    assert len(holders) == 2, holders
    pids = [next(iter(held)) for held in holders.values()]
    assert all(len(held) == 1 for held in holders.values()) and len(set(pids)) == 2, holders
    # And the kernel spreads connections over both: 32 opened at once reach both processes.
    clients = [httpx.Client(base_url=two_workers) for _ in range(32)]
    try:
        for client in clients:
            assert client.get("/healthz").status_code == 200
        # The server's side of each connection: an established socket whose local port is the server's.
        served_by = set().union(*tcp_sockets(port, TCP_ESTABLISHED).values()) & set(pids)
        assert served_by == set(pids)
    finally:
        for client in clients:
            client.close()



def test_a_large_batch_taken_by_one_process_is_shared_with_the_other(two_workers, live_server, seeded):
    api = Api(two_workers, live_server.tokens)
    devices = [f"W2-SHARE-{os.getpid()}-{n}" for n in range(120)]
    for device in devices:
        assert api.call("POST", "/api/v1/devices", json={"device_id": device, "owner": "e2e-device"}).status_code == 201
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)

    def batch(round_: int) -> tuple[list, dict[int, str]]:
        """960 fixes, 8 for each device; a bad one for ten of the devices, at places it names."""
        fixes = [{"device_id": device, "ts": (start + timedelta(seconds=80 * round_ + 10 * k)).isoformat(),
                  "lat": 42.0 + n / 1000, "lon": 74.0 + k / 1000}
                 for k in range(8) for n, device in enumerate(devices)]
        bad = {}
        for n in range(10):
            place = 37 + 91 * n
            fixes[place] = fixes[place] | {"lat": 95.0} if n % 2 else {"device_id": fixes[place]["device_id"], "lat": 42.0}
            bad[place] = "lat" if n % 2 else "ts"
        return fixes, bad

    stored = 0
    with httpx.Client(base_url=two_workers, headers=live_server.headers("device"), timeout=60) as one_connection:
        for round_ in range(4):
            fixes, bad = batch(round_)
            answer = one_connection.post("/api/v1/positions", json=fixes)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["accepted"] == len(fixes) - len(bad) and body["duplicates"] == 0, body
            assert [(r["index"], r["field"]) for r in body["rejected"]] == sorted(bad.items())
            stored += body["accepted"]
        again = one_connection.post("/api/v1/positions", json=batch(0)[0])  # a replay: nothing twice
        assert again.json()["accepted"] == 0 and again.json()["duplicates"] == len(fixes) - len(bad)
    with seeded.connect() as conn:
        per_device = dict(conn.execute(text(
            "SELECT d.device_id, count(*) FROM positions p JOIN devices d ON d.id = p.device_id"
            " WHERE d.device_id LIKE :prefix GROUP BY d.device_id"), {"prefix": f"W2-SHARE-{os.getpid()}-%"}).all())
        assert conn.execute(text("SELECT count(*) FROM ingest_parts")).scalar_one() == 0  # none left behind
    assert sum(per_device.values()) == stored and len(per_device) == len(devices)
    port = int(two_workers.rsplit(":", 1)[1])
    stats = asyncio.run(shared_parts_per_process(port, live_server.tokens["admin"], 2))
    assert len(stats) == 2, stats
    offered = {pid: s["parts_offered"] for pid, s in stats.items()}
    helped = {pid: s["parts_done_for_peers"] for pid, s in stats.items()}
    origin = max(offered, key=offered.get)
    # One process took every batch (one connection) and offered a part of it, unless it found the
    # other inside a transaction at that moment (it then runs the whole batch itself).
    assert offered[origin] >= 3
    peer = next(pid for pid in stats if pid != origin)
    assert helped[peer] >= 1 and helped[peer] == stats[origin]["parts_done_by_peers"], stats

"""The live map's per-process snapshot answers exactly what the database would, right after every commit.

Each server process keeps the convoys' features and moves them with the events of committed fixes
(api/live_snapshot.py). These tests compare its answer, taken the instant a post is acknowledged
(no sleeping), with the FeatureCollection read afresh from the trip rows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from chekara.api.routers.live import live_convoys_json
from tests.e2e.conftest import free_port, server_env, start_server
from tests.e2e.test_tracking_e2e import Api


def _from_database(engine) -> dict:
    with Session(engine) as session:
        return json.loads(live_convoys_json(session))


def _live(api: Api) -> dict:
    response = api.call("GET", "/api/v1/live/convoys")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def _mine(collection: dict, trip_ids: set[int]) -> dict[int, dict]:
    return {f["id"]: f for f in collection["features"] if f["id"] in trip_ids}


def _same_as_database(api: Api, engine, trip_ids: set[int]) -> dict[int, dict]:
    live, stored = _live(api), _from_database(engine)
    assert live["type"] == "FeatureCollection"
    assert _mine(live, trip_ids) == _mine(stored, trip_ids)
    assert [f["id"] for f in live["features"]] == [f["id"] for f in stored["features"]]
    return _mine(live, trip_ids)


def test_every_acknowledged_fix_moves_the_marker_at_once(live_server, engine):
    api = Api(live_server.url, live_server.tokens)
    convoys = [api.convoy() for _ in range(3)]
    trips = {trip_id for trip_id, _ in convoys}
    for _, track in convoys:
        api.post_fixes(track.drive(3).fixes)  # departure: a trip event, the snapshot reloads
    _same_as_database(api, engine, trips)

    # One fix at a time, alternating convoys: each answer must already show the fix just acknowledged.
    for step in range(12):
        trip_id, track = convoys[step % 3]
        fix = track.drive(0.5).fixes[-1]
        api.post_fixes([fix])
        features = _same_as_database(api, engine, trips)
        assert features[trip_id]["geometry"]["coordinates"] == [fix["lon"], fix["lat"]]
        assert datetime.fromisoformat(features[trip_id]["properties"]["last_fix_at"]) == datetime.fromisoformat(fix["ts"])

    # A late fix (older than the marker's) changes nothing.
    trip_id, track = convoys[0]
    newest = track.fixes[-1]
    late = {**track.fixes[-3], "ts": (datetime.fromisoformat(track.fixes[-3]["ts"]) + timedelta(seconds=1)).isoformat()}
    api.post_fixes([late])
    features = _same_as_database(api, engine, trips)
    assert features[trip_id]["geometry"]["coordinates"] == [newest["lon"], newest["lat"]]

    # A route deviation raises an alert: the open alerts counted on the marker follow.
    api.post_fixes(track.drive(5, offset_m=3000).fixes[-10:])
    features = _same_as_database(api, engine, trips)
    assert features[trip_id]["properties"]["open_alerts"] >= 1


def test_two_processes_each_answer_with_every_commit(live_server, engine, test_database, tmp_path):
    """Fixes go in through whichever process the kernel picks; the answer of either shows them all."""
    env = {**server_env(test_database), "CHEKARA_WORKERS": "2"}
    port = free_port()
    server, url = start_server(env, port, tmp_path / "server.log")
    try:
        api = Api(url, live_server.tokens)
        convoys = [api.convoy() for _ in range(4)]
        trips = {trip_id for trip_id, _ in convoys}
        for _, track in convoys:
            api.post_fixes(track.drive(2).fixes)
        for step in range(20):
            _, track = convoys[step % 4]
            with httpx.Client(base_url=url) as fresh:  # a new connection: either process may take it
                answer = fresh.post("/api/v1/positions", json=[track.drive(0.5).fixes[-1]],
                                    headers={"Authorization": f"Bearer {live_server.tokens['device']}"})
                assert answer.status_code == 200 and answer.json()["accepted"] == 1
                live = fresh.get("/api/v1/live/convoys", headers={"Authorization": f"Bearer {live_server.tokens['operator']}"})
            assert _mine(live.json(), trips) == _mine(_from_database(engine), trips)
    finally:
        server.terminate()
        server.wait(timeout=30)

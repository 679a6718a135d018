"""POST /api/v1/corridors/learn: the road completed trips really took, compared and accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import LineString, shape

from chekara.domain.geometry import to_metric
from tests.integration.analytics_helpers import aligned_start
from tests.integration.tracking_fixtures import make_convoy, post

URL = "/api/v1/corridors/learn"
CORRIDOR = "OSH-DOSTUK"  # 8.6 km


@pytest.fixture
def detouring_trips(client, auth):
    """Four trips that all leave the drawn line by 1.2 km between km 2.5 and 6, and arrive; one that goes straight."""
    start = aligned_start(hours_ago=10)
    trip_ids = []
    for i in range(5):
        convoy = make_convoy(client, auth, corridor_code=CORRIDOR, start=start + timedelta(minutes=30 * i))
        track = convoy.track()
        if i < 4:
            track.drive(2.5).drive(3.5, offset_m=1_200).drive(1.5)
        track.to_end()
        post(client, auth, track.fixes)
        trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
        assert trip["status"] == "arrived", trip
        trip_ids.append(convoy.trip_id)
    return trip_ids


def test_learned_line_follows_the_road_taken_and_is_compared_with_the_drawn_one(client, auth, detouring_trips):
    r = client.post(URL, json={"origin": "OSH", "destination": "DOSTUK", "min_share": 0.6}, headers=auth("planner"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["trips"] == 5 and sorted(body["trip_ids"]) == sorted(detouring_trips)
    assert body["cell_count"] == len(body["cells"]) > 20
    assert all(c["trips"] >= 3 and c["share"] >= 0.6 for c in body["cells"])
    comparison = body["comparison"]
    assert comparison["corridor"] == CORRIDOR
    assert comparison["drawn_outside_share"] > 0.2  # the drawn line misses the detour
    assert comparison["learned_outside_share"] < 0.1  # the learned one follows it (the straight trip is the outlier)
    assert comparison["hausdorff_m"] == pytest.approx(1_200, abs=250)
    learned = to_metric(shape(body["geometry"]))
    drawn = to_metric(LineString(client.get(f"/api/v1/corridors/{CORRIDOR}", headers=auth("planner")).json()["geometry"]["coordinates"]))
    middle = learned.interpolate(0.5, normalized=True)
    assert drawn.distance(middle) == pytest.approx(1_200, abs=200)
    assert body["accepted"] is None


def test_a_higher_share_than_any_cell_reaches_is_not_found(client, auth, detouring_trips):
    r = client.post(URL, json={"origin": "OSH", "destination": "DOSTUK", "min_share": 1.0,
                               "since": "2000-01-01T00:00:00Z", "until": "2000-01-02T00:00:00Z"}, headers=auth("planner"))
    assert r.status_code == 404 and r.json()["error"]["field"] == "origin"


def test_a_planner_accepts_the_learned_corridor(client, auth, detouring_trips):
    before = client.get(f"/api/v1/corridors/{CORRIDOR}", headers=auth("planner")).json()
    r = client.post(URL, json={"origin": "OSH", "destination": "DOSTUK", "min_share": 0.6, "accept": {}},
                    headers=auth("planner"))
    assert r.status_code == 200, r.text
    accepted = r.json()["accepted"]
    assert accepted["outcome"] == "updated" and accepted["corridor"]["properties"]["code"] == CORRIDOR
    after = client.get(f"/api/v1/corridors/{CORRIDOR}", headers=auth("planner")).json()
    assert after["geometry"]["coordinates"] == r.json()["geometry"]["coordinates"]
    assert after["properties"]["stop_zones"] == before["properties"]["stop_zones"]  # kept
    assert after["properties"]["source"].startswith("learned ")


def test_exports_roles_and_bad_input(client, auth, detouring_trips):
    body = {"origin": "OSH", "destination": "DOSTUK", "min_share": 0.6}
    geojson = client.post(URL, params={"format": "geojson"}, json=body, headers=auth("planner")).json()
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds[0] == "learned_line" and set(kinds[1:]) == {"cell"}
    gpkg = client.post(URL, params={"format": "gpkg"}, json=body, headers=auth("planner"))
    assert gpkg.content[:16] == b"SQLite format 3\x00"
    for role in ("operator", "supervisor", "officer"):
        assert client.post(URL, json=body, headers=auth(role)).status_code == 403
    for change, field in (({"min_share": 0}, "min_share"), ({"origin": "NOWHERE"}, "origin"),
                          ({"destination": "OSH"}, "destination")):
        r = client.post(URL, json=body | change, headers=auth("planner"))
        assert r.status_code in (404, 422) and r.json()["error"]["field"] == field, r.text

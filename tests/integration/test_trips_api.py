from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.tracking_fixtures import convoy, make_convoy, post  # noqa: F401


def _trip_body(**change):
    now = datetime.now(UTC)
    body = {
        "declaration_number": "TR-X-1", "vehicle_plates": ["01 777 KGZ"],
        "devices": [{"device_id": "DEV-A", "role": "escort"}],
        "origin": "BISHKEK", "destination": "OSH", "corridor": "BISHKEK-OSH",
        "planned_departure": now.isoformat(), "deadline": (now + timedelta(hours=12)).isoformat(),
    }
    body.update(change)
    return body


@pytest.fixture
def device_a(client, auth):
    assert client.post("/api/v1/devices", json={"device_id": "DEV-A", "kind": "escort_phone"}, headers=auth("operator")).status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"origin": "NOWHERE"}, "origin"),
    ({"corridor": "NO-SUCH"}, "corridor"),
    ({"destination": "TORUGART"}, "corridor"),
    ({"devices": [{"device_id": "GHOST", "role": "escort"}]}, "devices.0.device_id"),
    ({"devices": [{"device_id": "DEV-A", "role": "pilot"}]}, "devices.0.role"),
    ({"devices": []}, "devices"),
    ({"vehicle_plates": [""]}, "vehicle_plates.0"),
    ({"deadline": "2020-01-01T00:00:00Z"}, "deadline"),
    ({"planned_departure": "soon"}, "planned_departure"),
])
def test_bad_trips_name_the_field(client, auth, device_a, change, field):
    r = client.post("/api/v1/trips", json=_trip_body(**change), headers=auth("operator"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_a_device_is_on_one_active_trip_at_a_time(client, auth, device_a):
    assert client.post("/api/v1/trips", json=_trip_body(), headers=auth("operator")).status_code == 201
    second = client.post("/api/v1/trips", json=_trip_body(declaration_number="TR-X-2"), headers=auth("operator"))
    assert second.status_code == 409 and second.json()["error"]["field"] == "devices.0.device_id"


def test_plates_are_normalised(client, auth, device_a):
    trip = client.post("/api/v1/trips", json=_trip_body(vehicle_plates=["01 777 кgz"]), headers=auth("operator")).json()
    assert trip["vehicle_plates"] == ["01777KGZ"]


def test_list_filters_and_cancel(client, auth, convoy):
    listed = client.get("/api/v1/trips?status=planned&corridor=BISHKEK-OSH", headers=auth("operator")).json()
    assert convoy.trip_id in [t["id"] for t in listed]
    by_checkpoint = client.get("/api/v1/trips?checkpoint=osh", headers=auth("operator")).json()
    assert convoy.trip_id in [t["id"] for t in by_checkpoint]
    assert convoy.trip_id not in [t["id"] for t in client.get("/api/v1/trips?checkpoint=TORUGART", headers=auth("operator")).json()]
    assert client.get("/api/v1/trips?checkpoint=NOWHERE", headers=auth("operator")).status_code == 404
    assert client.post(f"/api/v1/trips/{convoy.trip_id}/cancel", json={"reason": ""}, headers=auth("operator")).status_code == 422
    cancelled = client.post(f"/api/v1/trips/{convoy.trip_id}/cancel", json={"reason": "declaration withdrawn"}, headers=auth("operator"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/trips/{convoy.trip_id}/cancel", json={"reason": "twice"}, headers=auth("operator"))
    assert again.status_code == 409
    assert client.get("/api/v1/trips/999999", headers=auth("operator")).status_code == 404


def test_track_is_geojson_with_corridor_distances(client, auth, convoy):
    post(client, auth, convoy.track().drive(5).drive(3, offset_m=2000).fixes)
    body = client.get(f"/api/v1/trips/{convoy.trip_id}/track", headers=auth("supervisor")).json()
    assert body["type"] == "FeatureCollection" and body["properties"]["half_width_m"] == 500
    distances = [f["properties"]["corridor_distance_m"] for f in body["features"]]
    assert max(distances) == pytest.approx(2000, abs=50) and min(distances) < 50
    assert any(f["properties"]["outside_corridor"] for f in body["features"])
    lon, lat = body["features"][0]["geometry"]["coordinates"]
    assert 69 < lon < 81 and 39 < lat < 44


def test_live_convoys(client, auth, convoy):
    post(client, auth, convoy.track().drive(5).drive(5, offset_m=3000).fixes)
    live = client.get("/api/v1/live/convoys", headers=auth("operator")).json()
    (mine,) = [f for f in live["features"] if f["properties"]["trip_id"] == convoy.trip_id]
    assert mine["properties"]["status"] == "in_transit"
    assert mine["properties"]["open_alerts"] >= 1
    assert mine["properties"]["corridor"] == "BISHKEK-OSH"


def test_alert_ack_and_resolve_are_audited(client, auth, convoy, db_session):
    from chekara.services import audit

    post(client, auth, convoy.track().drive(5).drive(5, offset_m=3000).fixes)
    (alert,) = client.get(f"/api/v1/alerts?trip_id={convoy.trip_id}&type=route_deviation", headers=auth("operator")).json()
    auth("supervisor")
    before = audit.count(db_session)
    acked = client.post(f"/api/v1/alerts/{alert['id']}/ack", json={"note": "called the escort"}, headers=auth("operator"))
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=auth("operator")).status_code == 409
    done = client.post(f"/api/v1/alerts/{alert['id']}/resolve", json={"note": "detour for road works"}, headers=auth("supervisor"))
    assert done.json()["status"] == "resolved" and done.json()["resolved_by"] == "test-supervisor"
    assert [n["action"] for n in done.json()["notes"]] == ["acknowledge", "resolve"]
    assert audit.count(db_session) == before + 2
    assert client.get("/api/v1/alerts?status=resolved&type=route_deviation", headers=auth("planner")).status_code == 200
    assert client.get("/api/v1/alerts?status=lost", headers=auth("planner")).status_code == 422
    assert client.get("/api/v1/alerts/0", headers=auth("planner")).status_code == 404


def test_live_convoy_marker_is_the_newest_committed_fix_even_after_a_late_one(client, auth, convoy):
    fixes = convoy.track().drive(10).fixes
    post(client, auth, fixes[:-1])
    post(client, auth, fixes[-1:])
    post(client, auth, [{**fixes[2], "ts": (datetime.fromisoformat(fixes[2]["ts"]) - timedelta(seconds=1)).isoformat()}])
    live = client.get("/api/v1/live/convoys", headers=auth("operator"))
    assert live.headers["content-type"].startswith("application/geo+json")
    (mine,) = [f for f in live.json()["features"] if f["properties"]["trip_id"] == convoy.trip_id]
    assert mine["geometry"]["coordinates"] == [fixes[-1]["lon"], fixes[-1]["lat"]]
    assert datetime.fromisoformat(mine["properties"]["last_fix_at"]) == datetime.fromisoformat(fixes[-1]["ts"])

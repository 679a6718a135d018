"""POST /api/v1/positions and /osmand: bad fixes named, good ones stored, duplicates idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from chekara.db.models import Position
from tests.integration.tracking_fixtures import convoy, post  # noqa: F401


def _count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Position))


def test_a_batch_with_bad_fixes_stores_the_good_ones_and_names_each_bad_one(client, auth, convoy, db_session):
    good = convoy.track().drive(3).fixes
    now = datetime.now(UTC)
    bad = [
        {"device_id": convoy.truck, "ts": good[0]["ts"], "lat": 95.0, "lon": 74.6},
        {"device_id": convoy.truck, "ts": good[0]["ts"], "lat": "NaN", "lon": 74.6},
        {"device_id": "NOBODY", "ts": good[0]["ts"], "lat": 42.0, "lon": 74.6},
        {"device_id": convoy.truck, "ts": (now + timedelta(minutes=10)).isoformat(), "lat": 42.0, "lon": 74.6},
        {"device_id": convoy.truck, "ts": (now - timedelta(days=30)).isoformat(), "lat": 42.0, "lon": 74.6},
        {"device_id": convoy.truck, "ts": "yesterday", "lat": 42.0, "lon": 74.6},
        {"device_id": convoy.truck, "lat": 42.0, "lon": 74.6},
        {"device_id": convoy.truck, "ts": good[0]["ts"], "lat": 42.0, "lon": 74.6, "battery_pct": 140},
        "not an object",
    ]
    batch = good[:4] + bad + good[4:]
    before = _count(db_session)
    answer = post(client, auth, batch)
    assert answer["accepted"] == len(good) and answer["duplicates"] == 0
    named = {(r["index"], r["field"]) for r in answer["rejected"]}
    assert named == {(4, "lat"), (5, "lat"), (6, "device_id"), (7, "ts"), (8, "ts"), (9, "ts"), (10, "ts"), (11, "battery_pct"), (12, "fix")}
    assert all(r["reason"] for r in answer["rejected"])
    assert _count(db_session) == before + len(good)

    again = post(client, auth, batch)
    assert again["accepted"] == 0 and again["duplicates"] == len(good)
    assert _count(db_session) == before + len(good)


def test_duplicates_within_one_batch(client, auth, convoy):
    fixes = convoy.track().drive(1).fixes
    answer = post(client, auth, fixes + fixes[:2])
    assert answer == {"accepted": len(fixes), "duplicates": 2, "rejected": []}


def test_a_device_token_posts_only_for_its_own_devices(client, auth, convoy):
    client.post("/api/v1/devices", json={"device_id": "STRANGER-1"}, headers=auth("operator"))  # no owner
    fix = {"device_id": "STRANGER-1", "ts": datetime.now(UTC).isoformat(), "lat": 42.0, "lon": 74.6}
    answer = post(client, auth, [fix])
    assert answer["accepted"] == 0 and answer["rejected"][0]["field"] == "device_id"
    assert client.post("/api/v1/positions", json=[fix], headers=auth("admin")).json()["accepted"] == 1


def test_body_must_be_a_list_of_at_most_10000(client, auth):
    assert client.post("/api/v1/positions", json={"a": 1}, headers=auth("device")).status_code == 422
    too_many = [{}] * 10_001
    response = client.post("/api/v1/positions", json=too_many, headers=auth("device"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "body"


def test_late_fixes_are_stored_in_their_place(client, auth, convoy):
    fixes = convoy.track().drive(6).fixes
    post(client, auth, fixes[10:])
    answer = post(client, auth, fixes[:10])
    assert answer["accepted"] == 10
    track = client.get(f"/api/v1/trips/{convoy.trip_id}/track", headers=auth("supervisor")).json()["features"]
    times = [f["properties"]["ts"] for f in track]
    assert len(times) == len(fixes) and times == sorted(times)


def test_osmand_query_form_as_traccar_client_sends_it(client, convoy):
    ts = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    r = client.get("/osmand", params={"id": convoy.escort_osmand_id, "lat": "42.87", "lon": "74.59", "timestamp": str(ts),
                                      "speed": "10", "bearing": "90", "altitude": "760", "accuracy": "5", "batt": "81"})
    assert r.status_code == 200 and r.text == "OK"
    r = client.post(f"/osmand?id={convoy.escort_osmand_id}&lat=42.871&lon=74.591&timestamp={(ts + 10) * 1000}&speed=0")
    assert r.status_code == 200


def test_osmand_json_body(client, auth, convoy):
    body = {
        "device_id": convoy.escort_osmand_id,
        "location": {
            "timestamp": (datetime.now(UTC) - timedelta(seconds=30)).isoformat(),
            "coords": {"latitude": 42.87, "longitude": 74.59, "speed": 10.0, "heading": 45, "accuracy": 4, "altitude": 760},
            "battery": {"level": 0.55, "is_charging": False},
        },
    }
    assert client.post("/osmand", json=body).status_code == 200
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert abs(trip["last_fix"]["speed_kmh"] - 36.0) < 0.01  # 10 m/s


def test_osmand_bad_input_is_400_naming_the_field(client, convoy):
    r = client.get("/osmand", params={"id": convoy.escort_osmand_id, "lat": "abc", "lon": "74.6"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "lat"
    r = client.get("/osmand", params={"id": "UNKNOWN-99", "lat": "42", "lon": "74.6"})
    assert r.status_code == 401 and r.json()["error"]["field"] == "id"
    r = client.get("/osmand", params={"lat": "42", "lon": "74.6"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "id"

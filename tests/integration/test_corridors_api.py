import json

import pytest
from sqlalchemy import func, select

from chekara.db.models import AuditEntry, CorridorSegment

# A short corridor from the Bishkek inland post towards Tokmok, about 60 km.
LINE = {"type": "LineString", "coordinates": []}


@pytest.fixture
def bishkek_tokmok(client, auth):
    bishkek = client.get("/api/v1/checkpoints/BISHKEK", headers=auth("planner")).json()["geometry"]["coordinates"]
    tokmok = client.get("/api/v1/checkpoints/TOKMOK", headers=auth("planner")).json()["geometry"]["coordinates"]
    middle = [(bishkek[0] + tokmok[0]) / 2, (bishkek[1] + tokmok[1]) / 2]
    return {"type": "LineString", "coordinates": [bishkek, middle, tokmok]}


def _corridor(line, **extra):
    body = {
        "code": "TEST-BSK-TOK",
        "name": "Bishkek – Tokmok (test)",
        "half_width_m": 400,
        "origin": "BISHKEK",
        "destination": "TOKMOK",
        "geometry": line,
        "stop_zones": [{"name": "Halfway rest", "kind": "rest_area", "geometry": {"type": "Point", "coordinates": line["coordinates"][1]}, "radius_m": 200}],
    }
    body.update(extra)
    return body


def test_planner_creates_a_corridor_with_segments_and_it_is_audited(client, auth, db_session, bishkek_tokmok):
    response = client.post("/api/v1/corridors", json=_corridor(bishkek_tokmok), headers=auth("planner"))
    assert response.status_code == 201, response.text
    feature = response.json()
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["half_width_m"] == 400
    assert feature["properties"]["stop_zones"][0]["geometry"]["type"] == "Polygon"
    length_km = feature["properties"]["length_m"] / 1000
    segments = db_session.scalar(select(func.count()).select_from(CorridorSegment).join(CorridorSegment.corridor).where(CorridorSegment.corridor.has(code="TEST-BSK-TOK")))
    assert segments == pytest.approx(length_km / 5, abs=1)
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor, entry.role, entry.entity_type, entry.entity_id) == ("test-planner", "planner", "corridor", "TEST-BSK-TOK")
    listed = client.get("/api/v1/corridors", headers=auth("operator")).json()
    assert "TEST-BSK-TOK" in {f["properties"]["code"] for f in listed["features"]}
    zones = client.get("/api/v1/stop-zones?corridor=TEST-BSK-TOK", headers=auth("operator")).json()
    assert [f["properties"]["name"] for f in zones["features"]] == ["Halfway rest"]


def test_same_code_twice_is_409(client, auth, bishkek_tokmok):
    assert client.post("/api/v1/corridors", json=_corridor(bishkek_tokmok), headers=auth("planner")).status_code == 201
    again = client.post("/api/v1/corridors", json=_corridor(bishkek_tokmok), headers=auth("planner"))
    assert again.status_code == 409 and again.json()["error"]["field"] == "code"


def test_put_replaces_and_keeps_stop_zones_when_omitted(client, auth, bishkek_tokmok):
    client.post("/api/v1/corridors", json=_corridor(bishkek_tokmok), headers=auth("planner"))
    body = _corridor(bishkek_tokmok, half_width_m=800)
    del body["stop_zones"], body["code"]
    response = client.put("/api/v1/corridors/TEST-BSK-TOK", json=body, headers=auth("planner"))
    assert response.status_code == 200, response.text
    assert response.json()["properties"]["half_width_m"] == 800
    assert len(response.json()["properties"]["stop_zones"]) == 1
    missing = client.put("/api/v1/corridors/NO-SUCH", json=body, headers=auth("planner"))
    assert missing.status_code == 404


def test_gpx_upload(client, auth, bishkek_tokmok):
    points = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lon, lat in bishkek_tokmok["coordinates"])
    gpx = f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>'
    response = client.post(
        "/api/v1/corridors",
        data={"code": "TEST-GPX", "name": "From a GPX track", "origin": "BISHKEK", "destination": "TOKMOK", "half_width_m": "300"},
        files={"file": ("track.gpx", gpx.encode(), "application/gpx+xml")},
        headers=auth("planner"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["geometry"]["coordinates"][0] == pytest.approx(bishkek_tokmok["coordinates"][0])
    assert response.json()["properties"]["half_width_m"] == 300


def test_geojson_file_upload(client, auth, bishkek_tokmok):
    response = client.post(
        "/api/v1/corridors",
        data={"code": "TEST-FILE", "name": "From a file", "origin": "BISHKEK", "destination": "TOKMOK"},
        files={"file": ("line.geojson", json.dumps({"type": "Feature", "properties": {}, "geometry": bishkek_tokmok}).encode())},
        headers=auth("planner"),
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "change, field",
    [
        ({"half_width_m": 10}, "half_width_m"),
        ({"half_width_m": "wide"}, "half_width_m"),
        ({"origin": "NOWHERE"}, "origin"),
        ({"destination": "BISHKEK"}, "destination"),
        ({"code": "bad code!"}, "code"),
        ({"name": "   "}, "name"),
        ({"geometry": {"type": "Point", "coordinates": [74.6, 42.8]}}, "geometry"),
        ({"geometry": {"type": "LineString", "coordinates": [[74.6, 42.87], [74.6, 47.0], [75.2, 42.85]]}}, "geometry"),
        ({"stop_zones": [{"name": "far", "kind": "rest_area", "geometry": {"type": "Point", "coordinates": [74.0, 40.5]}, "radius_m": 100}]}, "stop_zones.0.geometry"),
        ({"stop_zones": [{"name": "x", "kind": "casino", "geometry": {"type": "Point", "coordinates": [74.0, 40.5]}}]}, "stop_zones.0.kind"),
    ],
)
def test_bad_corridors_get_422_naming_the_field(client, auth, db_session, bishkek_tokmok, change, field):
    from chekara.services import audit

    before = audit.count(db_session)
    response = client.post("/api/v1/corridors", json=_corridor(bishkek_tokmok, **change), headers=auth("planner"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert audit.count(db_session) == before, "nothing half-written"


def test_line_drawn_backwards_is_refused(client, auth, bishkek_tokmok):
    backwards = {"type": "LineString", "coordinates": list(reversed(bishkek_tokmok["coordinates"]))}
    response = client.post("/api/v1/corridors", json=_corridor(backwards), headers=auth("planner"))
    assert response.status_code == 422 and "origin" in response.json()["error"]["message"]


def test_bad_uploads(client, auth):
    no_file = client.post("/api/v1/corridors", data={"name": "x"}, files={"other": ("a", b"b")}, headers=auth("planner"))
    assert no_file.status_code == 422 and no_file.json()["error"]["field"] == "file"
    garbage = client.post(
        "/api/v1/corridors", data={"code": "X1", "name": "x", "origin": "BISHKEK", "destination": "TOKMOK"},
        files={"file": ("a.gpx", b"\x00\x01 not a track")}, headers=auth("planner"),
    )
    assert garbage.status_code == 422 and garbage.json()["error"]["field"] == "file"
    text = client.post("/api/v1/corridors", content=b"hello", headers={**auth("planner"), "content-type": "text/plain"})
    assert text.status_code == 422 and text.json()["error"]["field"] == "content-type"
    broken = client.post("/api/v1/corridors", content=b"{", headers={**auth("planner"), "content-type": "application/json"})
    assert broken.status_code == 422


def test_seeded_corridors_have_their_stop_zones(client, auth):
    corridors = client.get("/api/v1/corridors", headers=auth("operator")).json()["features"]
    codes = {f["properties"]["code"] for f in corridors}
    assert len(codes) >= 4
    for f in corridors:
        assert f["properties"]["stop_zone_count"] >= 2, f["properties"]["code"]
        assert f["properties"]["segment_count"] >= f["properties"]["length_m"] / 5000 - 1

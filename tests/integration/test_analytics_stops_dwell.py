"""Stops (against MovingPandas on the same fixes) and dwell at checkpoints and stop zones, through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from chekara.db.models import StopZone
from chekara.domain.geometry import to_metric
from chekara.services.analytics.stops import tracks
from tests.integration.analytics_helpers import aligned_start
from tests.integration.tracking_fixtures import make_convoy, post
from tests.stop_reference import movingpandas_stops, same_stops

ZONE = "Kara-Balta fuel station"


def jittered(fixes: list[dict], seed: int, metres: float = 12.0) -> list[dict]:
    """GPS noise: each fix moved by up to ``metres`` (about 1e-5 degree per metre)."""
    rng = np.random.default_rng(seed)
    for fix in fixes:
        fix["lon"] = round(fix["lon"] + rng.uniform(-metres, metres) * 1.2e-5, 7)
        fix["lat"] = round(fix["lat"] + rng.uniform(-metres, metres) * 0.9e-5, 7)
    return fixes


def zone_progress_m(db_session, convoy) -> float:
    zone = db_session.scalar(select(StopZone).where(StopZone.name == ZONE))
    return convoy.track().line_m.project(to_metric(to_shape(zone.geom).centroid))


@pytest.fixture
def stopping_convoy(client, auth, db_session):
    """Truck: 20 min at the origin checkpoint, then a 16-min stop on the road. Escort: 20 min at a fuel station."""
    convoy = make_convoy(client, auth, start=aligned_start(hours_ago=5, minutes_past=10))
    truck = convoy.track().stop(20).drive(12).stop(16).drive(6).stop(5).drive(3)
    escort = convoy.track(convoy.escort, start_m=zone_progress_m(db_session, convoy) - 2_000)
    escort.drive(2).stop(20).drive(8)
    post(client, auth, jittered(truck.fixes, 1))
    post(client, auth, jittered(escort.fixes, 2))
    return convoy


def _stops(client, auth, **params):
    r = client.get("/api/v1/analytics/stops", params=params, headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    return r.json()["stops"]


def test_stops_of_a_trip_match_movingpandas_on_the_same_fixes(client, auth, db_session, stopping_convoy):
    found = _stops(client, auth, trip_id=stopping_convoy.trip_id, max_diameter_m=150, min_duration_s=900)
    assert len(found) == 3  # the 5-min stop is too short
    for track in tracks(db_session, trip_id=stopping_convoy.trip_id):
        ours = [(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]))
                for s in found if s["device_id"] == track.device_id]
        theirs = movingpandas_stops(track.ts, track.lon, track.lat, 150, 900)
        assert ours and same_stops(ours, theirs, fix_interval_s=20), (track.device_id, ours, theirs)


def test_each_stop_says_where_it_is(client, auth, stopping_convoy):
    found = _stops(client, auth, trip_id=stopping_convoy.trip_id)
    at_checkpoint = [s for s in found if s["checkpoint"]]
    at_zone = [s for s in found if s["stop_zone"]]
    assert [s["checkpoint"]["code"] for s in at_checkpoint] == ["BISHKEK"]
    assert at_checkpoint[0]["device_id"] == stopping_convoy.truck
    assert [s["stop_zone"]["name"] for s in at_zone] == [ZONE]
    assert at_zone[0]["device_id"] == stopping_convoy.escort and at_zone[0]["checkpoint"] is None
    for stop in found:
        assert stop["duration_s"] == (datetime.fromisoformat(stop["end"]) - datetime.fromisoformat(stop["start"])).total_seconds()
        assert stop["duration_s"] >= 900 and stop["fixes"] >= 45


def test_stops_by_device_and_with_other_parameters(client, auth, stopping_convoy):
    by_device = _stops(client, auth, device_id=stopping_convoy.truck)
    assert len(by_device) == 2 and {s["trip_id"] for s in by_device} == {stopping_convoy.trip_id}
    assert len(_stops(client, auth, device_id=stopping_convoy.truck, min_duration_s=240)) == 3
    assert _stops(client, auth, device_id=stopping_convoy.truck, max_diameter_m=10) == []  # jitter is wider


def test_stops_exports_and_errors(client, auth, stopping_convoy):
    url = "/api/v1/analytics/stops"
    geojson = client.get(url, params={"trip_id": stopping_convoy.trip_id, "format": "geojson"}, headers=auth("operator"))
    assert geojson.status_code == 200 and geojson.headers["content-type"].startswith("application/geo+json")
    assert [f["geometry"]["type"] for f in geojson.json()["features"]] == ["Point"] * 3
    csv = client.get(url, params={"trip_id": stopping_convoy.trip_id, "format": "csv"}, headers=auth("operator"))
    header = csv.text.splitlines()[0].split(",")
    assert header[:3] == ["device_id", "trip_id", "start"] and header[-3:] == ["lon", "lat", "geometry_wkt"]
    assert len(csv.text.splitlines()) == 4
    gpkg = client.get(url, params={"trip_id": stopping_convoy.trip_id, "format": "gpkg"}, headers=auth("planner"))
    assert gpkg.content[:16] == b"SQLite format 3\x00"
    for params, field, status in (
        ({}, "trip_id", 422), ({"trip_id": 1, "device_id": "X"}, "trip_id", 422), ({"trip_id": 999_999}, "trip_id", 404),
        ({"device_id": "NOPE"}, "device_id", 404), ({"device_id": stopping_convoy.truck, "max_diameter_m": 1}, "max_diameter_m", 422),
    ):
        r = client.get(url, params=params, headers=auth("planner"))
        assert r.status_code == status and r.json()["error"]["field"] == field, r.text
    assert client.get(url, params={"trip_id": 1}, headers=auth("callcenter")).status_code == 403


def test_dwell_per_checkpoint_and_longest(client, auth, db_session, stopping_convoy):
    second = make_convoy(client, auth, start=stopping_convoy.start + timedelta(minutes=5))
    post(client, auth, jittered(second.track().stop(45).drive(12).fixes, 3))
    window = {"from": (stopping_convoy.start - timedelta(hours=1)).isoformat(),
              "to": (stopping_convoy.start + timedelta(hours=3)).isoformat()}
    r = client.get("/api/v1/analytics/dwell", params=window | {"kind": "checkpoint"}, headers=auth("planner"))
    assert r.status_code == 200, r.text
    (bishkek,) = r.json()["places"]
    assert bishkek["code"] == "BISHKEK" and bishkek["visits"] == 2 and bishkek["open_visits"] == 0
    # Each visit: the stop plus the drive out of the 1 km geofence (about a minute at 60 km/h).
    assert bishkek["max_s"] == pytest.approx(45 * 60 + 60, abs=60)
    assert bishkek["median_s"] == pytest.approx((45 * 60 + 20 * 60) / 2 + 60, abs=60)
    assert bishkek["median_s"] < bishkek["p90_s"] < bishkek["max_s"]

    longest = client.get("/api/v1/analytics/dwell/longest", params=window | {"limit": 1}, headers=auth("operator")).json()
    (top,) = longest["visits"]
    assert top["trip_id"] == second.trip_id and top["device_id"] == second.truck and top["code"] == "BISHKEK"
    assert top["declaration_number"].startswith("TR-2026-")


def test_dwell_per_stop_zone_and_exports(client, auth, stopping_convoy):
    window = {"from": (stopping_convoy.start - timedelta(hours=1)).isoformat(),
              "to": (stopping_convoy.start + timedelta(hours=3)).isoformat(), "kind": "stop_zone"}
    r = client.get("/api/v1/analytics/dwell", params=window, headers=auth("supervisor"))
    (zone,) = r.json()["places"]
    assert zone["name"] == ZONE and zone["code"] == "BISHKEK-OSH" and zone["visits"] == 1
    assert zone["median_s"] == pytest.approx(20 * 60 + 20, abs=60)
    gpkg = client.get("/api/v1/analytics/dwell", params=window | {"format": "gpkg"}, headers=auth("supervisor"))
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    geojson = client.get("/api/v1/analytics/dwell/longest", params=window | {"format": "geojson"}, headers=auth("supervisor"))
    assert geojson.json()["features"][0]["geometry"]["type"] == "Polygon"
    bad = client.get("/api/v1/analytics/dwell", params=window | {"kind": "lake"}, headers=auth("supervisor"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"

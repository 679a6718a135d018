"""GET /api/v1/analytics/heatmap: sums over a window equal the raw counts, at every resolution."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import h3.api.basic_int as h3
import pytest
from sqlalchemy import text

from chekara.domain.analytics.h3_cells import centre_lonlat
from chekara.services.analytics.rollups import update_rollups
from tests.integration.analytics_helpers import aligned_start, hour_floor, raw_fix_count
from tests.integration.tracking_fixtures import make_convoy, post

URL = "/api/v1/analytics/heatmap"


@pytest.fixture
def two_convoys(client, auth, db_session):
    start = aligned_start(hours_ago=8, minutes_past=35)
    convoys = []
    for offset_min in (0, 25):
        convoy = make_convoy(client, auth, start=start + timedelta(minutes=offset_min))
        post(client, auth, convoy.track().drive(20).stop(30).drive(40).fixes)
        post(client, auth, convoy.track(convoy.escort).drive(20).stop(30).drive(40).fixes)
        convoys.append(convoy)
    update_rollups(db_session)
    return start, convoys


def _get(client, auth, **params):
    r = client.get(URL, params={k.rstrip("_"): v for k, v in params.items()}, headers=auth("planner"))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("res", [5, 6, 7, 8, 9])
def test_fixes_over_a_window_sum_to_the_raw_count(client, auth, db_session, two_convoys, res):
    start, _ = two_convoys
    window_from = hour_floor(start) + timedelta(hours=1)  # cuts through the tracks
    window_to = window_from + timedelta(hours=1)
    body = _get(client, auth, metric="fixes", res=res, from_=window_from.isoformat(), to=window_to.isoformat())
    raw = raw_fix_count(db_session, window_from, window_to)
    assert 0 < raw < db_session.scalar(text("SELECT count(*) FROM positions"))
    assert sum(f["properties"]["value"] for f in body["features"]) == raw
    assert body["res"] == res and body["metric"] == "fixes"
    for feature in body["features"]:
        cell = h3.str_to_int(feature["properties"]["cell"])
        assert h3.get_resolution(cell) == res
        assert feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert 69 < ring[0][0] < 81 and 39 < ring[0][1] < 44  # lon, lat order


def test_a_window_not_on_the_hour_is_widened_to_whole_hours(client, auth, db_session, two_convoys):
    start, _ = two_convoys
    asked_from, asked_to = start + timedelta(minutes=7), start + timedelta(minutes=70)
    body = _get(client, auth, metric="fixes", res=9, from_=asked_from.isoformat(), to=asked_to.isoformat())
    used_from, used_to = hour_floor(asked_from), hour_floor(asked_to) + timedelta(hours=1)
    assert body["from"].startswith(used_from.isoformat()[:19]) and body["to"].startswith(used_to.isoformat()[:19])
    assert sum(f["properties"]["value"] for f in body["features"]) == raw_fix_count(db_session, used_from, used_to)


def test_trips_counts_distinct_trips_per_parent_cell(client, auth, db_session, two_convoys):
    start, convoys = two_convoys
    window = dict(from_=hour_floor(start).isoformat(), to=(hour_floor(start) + timedelta(hours=4)).isoformat())
    for res in (9, 6):
        body = _get(client, auth, metric="trips", res=res, **window)
        got = {f["properties"]["cell"]: f["properties"]["value"] for f in body["features"]}
        raw: dict[str, set[int]] = defaultdict(set)
        for cell, trip_id in db_session.execute(text("SELECT h3_r9, trip_id FROM positions WHERE trip_id IS NOT NULL")):
            raw[h3.int_to_str(h3.cell_to_parent(cell, res))].add(trip_id)
        assert got == {cell: len(trips) for cell, trips in raw.items()}
        assert max(got.values()) == 2  # both convoys drove the same road; each counted once, however many hours


def test_speed_and_dwell(client, auth, db_session, two_convoys):
    start, _ = two_convoys
    window = dict(from_=hour_floor(start).isoformat(), to=(hour_floor(start) + timedelta(hours=4)).isoformat())
    speed = {f["properties"]["cell"]: f["properties"]["value"] for f in _get(client, auth, metric="speed", res=7, **window)["features"]}
    raw = defaultdict(list)
    for cell, kmh in db_session.execute(text("SELECT h3_r9, speed_kmh FROM positions")):
        raw[h3.int_to_str(h3.cell_to_parent(cell, 7))].append(kmh)
    assert speed.keys() == raw.keys()
    for cell, values in raw.items():
        assert speed[cell] == pytest.approx(sum(values) / len(values), abs=0.001)
    dwell = _get(client, auth, metric="dwell", res=9, **window)["features"]
    stop_cell = max(dwell, key=lambda f: f["properties"]["value"])
    assert stop_cell["properties"]["value"] >= 4 * 30 * 60 * 0.9  # four devices stopped 30 min in about one cell
    total_dwell = sum(f["properties"]["value"] for f in dwell)
    assert total_dwell == pytest.approx(4 * 90 * 60, rel=0.02)  # each device: 90 min from first to last fix


def test_bbox_keeps_whole_hexagons_whose_centre_is_inside(client, auth, db_session, two_convoys):
    start, _ = two_convoys
    window = dict(from_=hour_floor(start).isoformat(), to=(hour_floor(start) + timedelta(hours=4)).isoformat())
    lon, lat = zip(*(centre_lonlat(c) for c in db_session.scalars(text("SELECT DISTINCT h3_r9 FROM positions"))))
    mid_lon, mid_lat = (min(lon) + max(lon)) / 2, (min(lat) + max(lat)) / 2
    bbox = (mid_lon - 0.2, mid_lat - 0.2, mid_lon + 0.2, mid_lat + 0.2)
    for res in (7, 9):
        body = _get(client, auth, metric="fixes", res=res, bbox=",".join(map(str, bbox)), **window)
        expected: dict[str, int] = defaultdict(int)
        for (cell,) in db_session.execute(text("SELECT h3_r9 FROM positions")):
            parent = h3.cell_to_parent(cell, res)
            plon, plat = centre_lonlat(parent)
            if bbox[0] <= plon <= bbox[2] and bbox[1] <= plat <= bbox[3]:
                expected[h3.int_to_str(parent)] += 1
        got = {f["properties"]["cell"]: f["properties"]["value"] for f in body["features"]}
        assert got == dict(expected)
        assert 0 < sum(got.values()) < raw_fix_count(db_session, hour_floor(start), hour_floor(start) + timedelta(hours=4))


def test_corridor_keeps_the_cells_of_its_band(client, auth, db_session, two_convoys):
    start, _ = two_convoys
    window = dict(from_=hour_floor(start).isoformat(), to=(hour_floor(start) + timedelta(hours=4)).isoformat())
    on = _get(client, auth, metric="fixes", res=8, corridor="BISHKEK-OSH", **window)
    assert sum(f["properties"]["value"] for f in on["features"]) == raw_fix_count(
        db_session, hour_floor(start), hour_floor(start) + timedelta(hours=4))  # the convoys drove on its line
    off = _get(client, auth, metric="fixes", res=8, corridor="OSH-DOSTUK", **window)
    assert off["features"] == [] and off["corridor"] == "OSH-DOSTUK"


def test_exports_and_bad_input(client, auth, two_convoys):
    start, _ = two_convoys
    window = {"from": hour_floor(start).isoformat(), "to": (hour_floor(start) + timedelta(hours=4)).isoformat()}
    csv = client.get(URL, params=window | {"format": "csv", "res": 7}, headers=auth("operator"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "cell,value,geometry_wkt" and "POLYGON" in csv.text
    gpkg = client.get(URL, params=window | {"format": "gpkg"}, headers=auth("supervisor"))
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    for params, field in (({"res": 4}, "res"), ({"metric": "speedy"}, "metric"), ({"bbox": "1,2,3"}, "bbox"),
                          ({"corridor": "NOPE"}, "corridor")):
        r = client.get(URL, params=window | params, headers=auth("planner"))
        assert r.status_code in (404, 422) and r.json()["error"]["field"] == field, r.text
    assert client.get(URL, headers=auth("officer")).status_code == 403

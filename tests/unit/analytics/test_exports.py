"""Exports: one table, three files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import geopandas as gpd
from shapely.geometry import Point, Polygon

from chekara.services.analytics.exports import frame, to_csv, to_geojson, to_gpkg

WHEN = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)


def _points():
    return frame([{"name": "a", "at": WHEN, "value": Decimal("1.5")}, {"name": "b", "at": None, "value": None}],
                 [Point(74.5, 42.8), Point(75.0, 41.0)])


def test_geojson_is_lon_lat_with_plain_values_and_query_members():
    body = to_geojson(_points(), metric="fixes", res=9)
    assert body["type"] == "FeatureCollection" and body["metric"] == "fixes" and body["res"] == 9
    first, second = body["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": (74.5, 42.8)}
    assert first["properties"] == {"name": "a", "at": "2026-03-01T06:30:00+00:00", "value": 1.5}
    assert second["properties"] == {"name": "b", "at": None, "value": None}


def test_csv_has_lon_lat_for_points_and_wkt_always():
    lines = to_csv(_points()).splitlines()
    assert lines[0] == "name,at,value,lon,lat,geometry_wkt"
    assert lines[1] == "a,2026-03-01T06:30:00+00:00,1.5,74.5,42.8,POINT (74.5 42.8)"
    assert lines[2].startswith("b,,,75.0,41.0,")
    hexes = frame([{"cell": "x"}], [Polygon([(0, 0), (1, 0), (1, 1)])])
    assert to_csv(hexes).splitlines()[0] == "cell,geometry_wkt"


def test_geopackage_reads_back():
    data = to_gpkg(_points(), "stops")
    back = gpd.read_file(io.BytesIO(data), layer="stops")
    assert list(back["name"]) == ["a", "b"]
    assert back.crs.to_epsg() == 4326
    assert back.geometry[0].equals(Point(74.5, 42.8))


def test_an_empty_result_still_makes_files():
    empty = frame([], [])
    assert to_geojson(empty)["features"] == []
    assert to_csv(empty).splitlines() == ["geometry_wkt"]
    assert to_gpkg(empty, "nothing")[:16] == b"SQLite format 3\x00"

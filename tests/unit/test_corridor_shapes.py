import pytest
from shapely.geometry import LineString, Point, box

from chekara.domain.corridors import (
    CorridorShapeError,
    check_half_width,
    check_line,
    check_stop_zone,
    line_from_geojson,
    line_from_gpx,
    stop_zone_polygon,
)

REGION = box(69.0, 39.0, 81.0, 43.5)
ORIGIN, DESTINATION = Point(74.60, 42.87), Point(76.19, 42.46)
LINE = {"type": "LineString", "coordinates": [[74.60, 42.87], [75.30, 42.83], [76.19, 42.46]]}

GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><trkseg>
    <trkpt lat="42.87" lon="74.60"/><trkpt lat="42.83" lon="75.30"/><trkpt lat="42.46" lon="76.19"/>
  </trkseg></trk>
</gpx>"""


def test_geojson_line_and_feature():
    assert line_from_geojson(LINE).coords[0] == (74.60, 42.87)
    assert line_from_geojson({"type": "Feature", "properties": {}, "geometry": LINE}).equals(LineString(LINE["coordinates"]))


def test_gpx_track_reads_lon_lat_order():
    line = line_from_gpx(GPX)
    assert line.coords[0] == (74.60, 42.87)
    assert len(line.coords) == 3


@pytest.mark.parametrize(
    "geometry, reason",
    [
        ({"type": "Point", "coordinates": [74.6, 42.8]}, "LineString"),
        ({"type": "LineString", "coordinates": [[74.6, 42.8]]}, "two distinct"),
        ({"type": "LineString", "coordinates": [[74.6, 42.8], [74.6, 42.8]]}, "two distinct"),
        ({"type": "LineString", "coordinates": [[74.6, 42.8], [200, 42.8]]}, "out of lon/lat range"),
        ({"type": "LineString", "coordinates": [[74.6, 42.8], ["x", 42.8]]}, "non-numeric"),
        ({"type": "LineString", "coordinates": [[74.6, 42.8], [float("nan"), 42.8]]}, "finite"),
        ({"type": "LineString", "coordinates": "nope"}, "list"),
        ("LINESTRING(1 2, 3 4)", "LineString"),
    ],
)
def test_bad_geojson_is_refused_with_the_reason(geometry, reason):
    with pytest.raises(CorridorShapeError, match=reason) as err:
        line_from_geojson(geometry)
    assert err.value.field == "geometry"


def test_bad_gpx_is_refused():
    with pytest.raises(CorridorShapeError) as err:
        line_from_gpx("<gpx><broken")
    assert err.value.field == "file"
    with pytest.raises(CorridorShapeError, match="no track"):
        line_from_gpx('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"></gpx>')


@pytest.mark.parametrize("half_width_m", [49.9, 5000.1, -1, 0])
def test_half_width_outside_bounds(half_width_m):
    with pytest.raises(CorridorShapeError) as err:
        check_half_width(half_width_m)
    assert err.value.field == "half_width_m"


@pytest.mark.parametrize("half_width_m", [50, 500, 5000])
def test_half_width_inside_bounds(half_width_m):
    check_half_width(half_width_m)


def test_a_good_line_passes():
    check_line(line_from_geojson(LINE), REGION, ORIGIN, DESTINATION)


def test_line_outside_the_region():
    line = LineString([(74.60, 42.87), (75.0, 44.0), (76.19, 42.46)])
    with pytest.raises(CorridorShapeError, match="outside Kyrgyzstan.*index 1"):
        check_line(line, REGION, ORIGIN, DESTINATION)


def test_line_that_starts_far_from_its_origin():
    with pytest.raises(CorridorShapeError, match="starts .* from the origin"):
        check_line(line_from_geojson(LINE), REGION, Point(74.0, 42.87), DESTINATION)


def test_line_drawn_backwards_is_refused():
    reverse = LineString(list(reversed(LINE["coordinates"])))
    with pytest.raises(CorridorShapeError, match="origin"):
        check_line(reverse, REGION, ORIGIN, DESTINATION)


def test_too_short_line():
    with pytest.raises(CorridorShapeError, match="long"):
        check_line(LineString([(74.6, 42.87), (74.601, 42.87)]), REGION, ORIGIN, ORIGIN)


def test_point_stop_zone_becomes_a_circle():
    zone = stop_zone_polygon({"type": "Point", "coordinates": [75.30, 42.83]}, 300, "z")
    assert zone.contains(Point(75.30, 42.83))
    check_stop_zone(zone, line_from_geojson(LINE), "z")


def test_stop_zone_far_from_the_corridor():
    zone = stop_zone_polygon({"type": "Point", "coordinates": [75.30, 42.0]}, 300, "z")
    with pytest.raises(CorridorShapeError, match="from the corridor"):
        check_stop_zone(zone, line_from_geojson(LINE), "z")


@pytest.mark.parametrize(
    "geometry, radius",
    [({"type": "Point", "coordinates": [75.3, 42.83]}, None), ({"type": "LineString", "coordinates": []}, 100)],
)
def test_bad_stop_zone_geometry(geometry, radius):
    with pytest.raises(CorridorShapeError):
        stop_zone_polygon(geometry, radius, "z")

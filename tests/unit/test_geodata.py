"""The reference geodata in geodata/: checkpoints and corridors (no database).

These tests read the committed files and check them against the Natural Earth
outline of Kyrgyzstan, with distances in metres in a transverse Mercator
centred on the country (the same one as chekara.domain.geometry).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, shape

from chekara.domain.opening_hours import check_opening_hours

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
METRIC_CRS = "+proj=tmerc +lat_0=41 +lon_0=74.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

#: The 1:10m outline is about 1 km accurate; a checkpoint may lie this far outside it.
CHECKPOINT_OUTLINE_TOLERANCE_M = 1_500
#: Corridor vertices near the border get a little more.
CORRIDOR_OUTLINE_TOLERANCE_M = 2_000
END_TOLERANCE_M = 300
STOP_ZONE_TOLERANCE_M = 300
MAX_SEGMENT_M = 25_000

CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")

CHECKPOINT_PROPERTIES = {
    "code": str, "name_en": str, "name_ru": str, "name_ky": str, "country": (str, type(None)),
    "border_kind": str, "mode": str, "lanes": int, "has_weighbridge": bool,
    "neighbour_post": (str, type(None)), "geofence_radius_m": int, "opening_hours": str,
    "coord_source": str, "coord_accuracy": str,
}
CORRIDOR_PROPERTIES = {
    "kind": str, "code": str, "name": str, "half_width_m": int, "origin": str, "destination": str,
    "via": list, "source": str, "accuracy": str,
}
STOP_ZONE_PROPERTIES = {
    "kind": str, "corridor": str, "name": str, "zone_kind": str, "radius_m": int, "source": str, "accuracy": str,
}

REQUIRED_CHECKPOINTS = {
    "AK-JOL": ("eaeu", "KZ"),
    "AK-TILEK": ("eaeu", "KZ"),
    "CHALDYBAR": ("eaeu", "KZ"),
    "TOKMOK": ("eaeu", "KZ"),
    "TORUGART": ("external", "CN"),
    "IRKESHTAM": ("external", "CN"),
    "DOSTUK": ("external", "UZ"),
    "KARAMYK": ("external", "TJ"),
    "BISHKEK": ("inland", None),
    "OSH": ("inland", None),
}
#: (origin, destination) of the corridors the situation center cannot work without.
REQUIRED_CORRIDORS = [
    ("AK-JOL", "TORUGART"),
    ("OSH", "IRKESHTAM"),
    ("BISHKEK", "OSH"),
    ("OSH", "DOSTUK"),
    ("OSH", "KARAMYK"),
]


def _load(name: str) -> dict:
    return json.loads((GEODATA / name).read_text(encoding="utf-8"))


_to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def metric(geom):
    return shapely.transform(geom, _to_metric.transform, interleaved=False)


CHECKPOINT_FC = _load("checkpoints.geojson")
CORRIDOR_FC = _load("corridors.geojson")
OUTLINE_M = metric(shape(_load("kyrgyzstan.geojson")["features"][0]["geometry"]))
CHECKPOINTS = {f["properties"]["code"]: f for f in CHECKPOINT_FC["features"]}
CORRIDORS = [f for f in CORRIDOR_FC["features"] if f["properties"].get("kind") == "corridor"]
STOP_ZONES = [f for f in CORRIDOR_FC["features"] if f["properties"].get("kind") == "stop_zone"]
CORRIDOR_LINES_M = {f["properties"]["code"]: metric(shape(f["geometry"])) for f in CORRIDORS}


def _id(feature: dict) -> str:
    p = feature["properties"]
    return p.get("code") or f"{p.get('corridor')}: {p.get('name')}"


def _check_properties(props: dict, expected: dict) -> None:
    assert set(props) == set(expected), f"properties differ: {sorted(set(props) ^ set(expected))}"
    for key, kind in expected.items():
        value = props[key]
        assert isinstance(value, kind), f"{key}={value!r} is not {kind}"
        if kind is int:
            assert not isinstance(value, bool), f"{key} is a boolean, not an integer"


def _outline_gap_m(point_m: Point) -> float:
    """0 inside the outline, else the distance to it in metres."""
    return 0.0 if OUTLINE_M.covers(point_m) else OUTLINE_M.distance(point_m)


# --- files -----------------------------------------------------------------


@pytest.mark.parametrize("collection", [CHECKPOINT_FC, CORRIDOR_FC], ids=["checkpoints", "corridors"])
def test_files_are_rfc7946_feature_collections(collection):
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection, "RFC 7946 GeoJSON is WGS 84 lon/lat and carries no crs member"
    assert collection["features"], "no features"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Point", "LineString")


def test_outline_check_rejects_neighbouring_cities():
    """The containment test is not vacuous: cities just across the border fail it."""
    for lon, lat in [(76.95, 43.24), (72.34, 40.78), (75.99, 39.47), (69.62, 40.28), (71.37, 42.90)]:
        assert _outline_gap_m(metric(Point(lon, lat))) > 10_000, (lon, lat)


# --- checkpoints -----------------------------------------------------------


def test_checkpoint_codes_are_unique():
    codes = [f["properties"]["code"] for f in CHECKPOINT_FC["features"]]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)


@pytest.mark.parametrize("code", sorted(REQUIRED_CHECKPOINTS))
def test_required_checkpoint_exists_with_kind_and_country(code):
    assert code in CHECKPOINTS, f"missing checkpoint {code}"
    props = CHECKPOINTS[code]["properties"]
    assert (props["border_kind"], props["country"]) == REQUIRED_CHECKPOINTS[code]


def test_at_least_twelve_border_checkpoints():
    border = [c for c, f in CHECKPOINTS.items() if f["properties"]["border_kind"] != "inland"]
    assert len(border) >= 12, border


@pytest.mark.parametrize("feature", CHECKPOINT_FC["features"], ids=_id)
def test_checkpoint_properties(feature):
    p = feature["properties"]
    _check_properties(p, CHECKPOINT_PROPERTIES)
    assert CODE.match(p["code"]) and len(p["code"]) <= 20, p["code"]
    assert p["name_en"].strip() and p["name_ru"].strip() and p["name_ky"].strip()
    assert CYRILLIC.search(p["name_ru"]) and CYRILLIC.search(p["name_ky"]), "Russian and Kyrgyz names are Cyrillic"
    assert p["border_kind"] in ("eaeu", "external", "inland")
    if p["border_kind"] == "inland":
        assert p["country"] is None
    else:
        assert p["country"] in ("KZ", "CN", "UZ", "TJ")
        # Kazakhstan is the only EAEU neighbour.
        assert (p["border_kind"] == "eaeu") == (p["country"] == "KZ")
    assert p["mode"] in ("road", "rail")
    assert 1 <= p["lanes"] <= 40
    assert 100 <= p["geofence_radius_m"] <= 5_000
    assert p["neighbour_post"] is None or p["neighbour_post"].strip()
    assert p["coord_source"].strip()
    assert p["coord_accuracy"] in ("exact", "approximate")
    # Stored as written: OpenStreetMap opening_hours syntax, not the older "Mon-Fri" house form.
    assert check_opening_hours(p["opening_hours"]) == p["opening_hours"]


@pytest.mark.parametrize("feature", CHECKPOINT_FC["features"], ids=_id)
def test_checkpoint_point_is_lon_lat_with_sane_precision(feature):
    geometry = feature["geometry"]
    assert geometry["type"] == "Point"
    lon, lat = geometry["coordinates"]
    assert 69.0 < lon < 80.5 and 39.0 < lat < 43.5, "not (lon, lat) in Kyrgyzstan's box"
    for value in (lon, lat):
        assert round(value, 6) == value, f"{value} has more than 6 decimals"


@pytest.mark.parametrize("feature", CHECKPOINT_FC["features"], ids=_id)
def test_checkpoint_lies_in_kyrgyzstan(feature):
    gap = _outline_gap_m(metric(shape(feature["geometry"])))
    assert gap <= CHECKPOINT_OUTLINE_TOLERANCE_M, f"{gap:.0f} m outside the outline"


# --- corridors -------------------------------------------------------------


def test_corridor_codes_are_unique():
    codes = [f["properties"]["code"] for f in CORRIDORS]
    assert len(codes) == len(set(codes)), codes


def test_every_feature_is_a_corridor_or_a_stop_zone():
    kinds = {f["properties"].get("kind") for f in CORRIDOR_FC["features"]}
    assert kinds == {"corridor", "stop_zone"}, kinds


@pytest.mark.parametrize("origin, destination", REQUIRED_CORRIDORS, ids=lambda v: v)
def test_required_corridor_exists(origin, destination):
    pairs = {(f["properties"]["origin"], f["properties"]["destination"]) for f in CORRIDORS}
    assert (origin, destination) in pairs


@pytest.mark.parametrize("feature", CORRIDORS, ids=_id)
def test_corridor_properties(feature):
    p = feature["properties"]
    _check_properties(p, CORRIDOR_PROPERTIES)
    assert CODE.match(p["code"]) and len(p["code"]) <= 20, p["code"]
    assert p["name"].strip()
    assert 50 <= p["half_width_m"] <= 5_000
    assert p["via"] and all(isinstance(v, str) and v.strip() for v in p["via"])
    assert p["source"].strip()
    assert p["accuracy"] in ("exact", "approximate")
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) >= 2


@pytest.mark.parametrize("feature", CORRIDORS, ids=_id)
def test_corridor_starts_and_ends_at_its_checkpoints(feature):
    p = feature["properties"]
    assert p["origin"] in CHECKPOINTS, f"unknown origin {p['origin']}"
    assert p["destination"] in CHECKPOINTS, f"unknown destination {p['destination']}"
    assert p["origin"] != p["destination"]
    coords = feature["geometry"]["coordinates"]
    for end, code in ((coords[0], p["origin"]), (coords[-1], p["destination"])):
        checkpoint = metric(shape(CHECKPOINTS[code]["geometry"]))
        gap = metric(Point(end)).distance(checkpoint)
        assert gap <= END_TOLERANCE_M, f"end {end} is {gap:.0f} m from {code}"


@pytest.mark.parametrize("feature", CORRIDORS, ids=_id)
def test_corridor_vertices_lie_in_kyrgyzstan(feature):
    outside = []
    for i, (lon, lat) in enumerate(feature["geometry"]["coordinates"]):
        gap = _outline_gap_m(metric(Point(lon, lat)))
        if gap > CORRIDOR_OUTLINE_TOLERANCE_M:
            outside.append((i, lon, lat, round(gap)))
    assert not outside, f"vertices outside the outline (index, lon, lat, metres): {outside}"


@pytest.mark.parametrize("feature", CORRIDORS, ids=_id)
def test_corridor_vertices_are_at_most_25_km_apart(feature):
    coords = list(CORRIDOR_LINES_M[feature["properties"]["code"]].coords)
    gaps = [(i, Point(a).distance(Point(b))) for i, (a, b) in enumerate(zip(coords, coords[1:]))]
    too_long = [(i, round(d / 1000, 1)) for i, d in gaps if d > MAX_SEGMENT_M]
    assert not too_long, f"segments longer than 25 km (index, km): {too_long}"
    assert all(d > 0 for _, d in gaps), "repeated vertex"


# --- stop zones ------------------------------------------------------------


@pytest.mark.parametrize("feature", STOP_ZONES, ids=_id)
def test_stop_zone_properties(feature):
    p = feature["properties"]
    _check_properties(p, STOP_ZONE_PROPERTIES)
    assert p["zone_kind"] in ("customs_post", "rest_area", "fuel", "truck_park")
    assert 50 <= p["radius_m"] <= 1_000
    assert p["name"].strip() and p["source"].strip()
    assert p["accuracy"] in ("exact", "approximate")
    assert feature["geometry"]["type"] == "Point"


@pytest.mark.parametrize("feature", STOP_ZONES, ids=_id)
def test_stop_zone_lies_on_its_corridor(feature):
    code = feature["properties"]["corridor"]
    assert code in CORRIDOR_LINES_M, f"unknown corridor {code}"
    gap = metric(shape(feature["geometry"])).distance(CORRIDOR_LINES_M[code])
    assert gap <= STOP_ZONE_TOLERANCE_M, f"{gap:.0f} m from corridor {code}"


def test_stop_zone_names_are_unique_per_corridor():
    keys = [(f["properties"]["corridor"], f["properties"]["name"]) for f in STOP_ZONES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("feature", CORRIDORS, ids=_id)
def test_every_corridor_has_two_stop_zones(feature):
    code = feature["properties"]["code"]
    count = sum(1 for z in STOP_ZONES if z["properties"]["corridor"] == code)
    assert count >= 2, f"{code} has {count} stop zone(s)"


def test_corridor_lines_are_simple_linestrings():
    for feature in CORRIDORS:
        line = shape(feature["geometry"])
        assert isinstance(line, LineString) and line.is_valid, _id(feature)


def test_towns_are_labelled_points_in_kyrgyzstan():
    towns = _load("towns.geojson")
    assert len(towns["features"]) >= 10
    for feature in towns["features"]:
        p = feature["properties"]
        assert p["name_en"].strip() and CYRILLIC.search(p["name_ru"]) and CYRILLIC.search(p["name_ky"])
        assert p["rank"] in (1, 2, 3)
        assert feature["geometry"]["type"] == "Point"
        # Kara-Suu sits on the Uzbek border: the 1:10m outline passes ~1.5 km inside its centre.
        gap = _outline_gap_m(metric(Point(feature["geometry"]["coordinates"])))
        assert gap <= CORRIDOR_OUTLINE_TOLERANCE_M, (p["name_en"], gap)

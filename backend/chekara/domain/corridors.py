"""Corridor shapes from a planner's upload, and the rules they must meet (pure).

A planner sends a GeoJSON LineString (bare, or as a Feature) or a GPX track.
Each rule failure raises CorridorShapeError naming the field and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gpxpy
import gpxpy.gpx
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from chekara.domain.geometry import circle, distance_m, length_m

#: A corridor narrower than a road or wider than a valley makes no sense.
MIN_HALF_WIDTH_M = 50.0
MAX_HALF_WIDTH_M = 5_000.0
MIN_LENGTH_M = 500.0
#: How far a corridor's ends may lie from its origin / destination checkpoint.
END_TOLERANCE_M = 2_000.0
#: How far a stop zone may lie from its corridor.
STOP_ZONE_TOLERANCE_M = 2_000.0
MAX_VERTICES = 20_000


class CorridorShapeError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_coordinates(coords: Sequence[Sequence[float]], field: str) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i, c in enumerate(coords):
        if not isinstance(c, (list, tuple)) or len(c) < 2:
            raise CorridorShapeError(f"position {i} is not [lon, lat]", field)
        lon, lat = c[0], c[1]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat)):
            raise CorridorShapeError(f"position {i} has a non-numeric coordinate", field)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise CorridorShapeError(f"position {i} is not a finite number", field)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise CorridorShapeError(f"position {i} ({lon}, {lat}) is out of lon/lat range", field)
        points.append((float(lon), float(lat)))
    return points


def line_from_geojson(obj: Any, field: str = "geometry") -> LineString:
    """A LineString from a GeoJSON geometry or Feature (lon, lat order)."""
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict) or obj.get("type") != "LineString":
        raise CorridorShapeError("must be a GeoJSON LineString (or a Feature holding one)", field)
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        raise CorridorShapeError("coordinates must be a list of [lon, lat] positions", field)
    return _line_from_points(_check_coordinates(coords, field), field)


def line_from_gpx(gpx_text: str, field: str = "file") -> LineString:
    """The first track (or route) of a GPX document as a LineString."""
    try:
        gpx = gpxpy.parse(gpx_text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise CorridorShapeError(f"not a readable GPX document: {exc}", field) from exc
    points = [(p.longitude, p.latitude) for t in gpx.tracks for s in t.segments for p in s.points]
    if not points:
        points = [(p.longitude, p.latitude) for r in gpx.routes for p in r.points]
    if not points:
        raise CorridorShapeError("the GPX document has no track or route points", field)
    return _line_from_points(_check_coordinates(points, field), field)


def _line_from_points(points: list[tuple[float, float]], field: str) -> LineString:
    deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(deduplicated) < 2:
        raise CorridorShapeError("needs at least two distinct positions", field)
    if len(deduplicated) > MAX_VERTICES:
        raise CorridorShapeError(f"has {len(deduplicated)} positions; at most {MAX_VERTICES}", field)
    return LineString(deduplicated)


def check_half_width(half_width_m: float) -> None:
    if not (MIN_HALF_WIDTH_M <= half_width_m <= MAX_HALF_WIDTH_M):
        raise CorridorShapeError(
            f"{half_width_m} m is outside {MIN_HALF_WIDTH_M:.0f}..{MAX_HALF_WIDTH_M:.0f} m", "half_width_m"
        )


def check_line(line: LineString, region: BaseGeometry, origin: Point, destination: Point, field: str = "geometry") -> None:
    """The rules a corridor line must meet: length, inside the region, ends at its checkpoints."""
    if length_m(line) < MIN_LENGTH_M:
        raise CorridorShapeError(f"is {length_m(line):.0f} m long; at least {MIN_LENGTH_M:.0f} m", field)
    outside = [i for i, (x, y) in enumerate(line.coords) if not region.covers(Point(x, y))]
    if outside:
        raise CorridorShapeError(
            f"{len(outside)} position(s) lie outside Kyrgyzstan and its border area, the first at index {outside[0]}",
            field,
        )
    start_gap = distance_m(Point(line.coords[0]), origin)
    if start_gap > END_TOLERANCE_M:
        raise CorridorShapeError(
            f"starts {start_gap / 1000:.1f} km from the origin checkpoint; at most {END_TOLERANCE_M / 1000:.0f} km",
            field,
        )
    end_gap = distance_m(Point(line.coords[-1]), destination)
    if end_gap > END_TOLERANCE_M:
        raise CorridorShapeError(
            f"ends {end_gap / 1000:.1f} km from the destination checkpoint; at most {END_TOLERANCE_M / 1000:.0f} km",
            field,
        )


def stop_zone_polygon(geometry: Any, radius_m: float | None, field: str) -> Polygon:
    """A stop zone's polygon: a GeoJSON Polygon, or a Point with radius_m."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "Point"):
        raise CorridorShapeError("must be a GeoJSON Polygon, or a Point with radius_m", field)
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise CorridorShapeError(f"is not valid GeoJSON: {exc}", field) from exc
    if isinstance(geom, Point):
        _check_coordinates([geometry["coordinates"]], field)
        if radius_m is None or not (10 <= radius_m <= 2_000):
            raise CorridorShapeError("a Point stop zone needs radius_m between 10 and 2000", field)
        return circle(geom, radius_m)
    _check_coordinates(list(geom.exterior.coords), field)
    if not geom.is_valid or geom.is_empty:
        raise CorridorShapeError("is not a valid polygon", field)
    return geom


def check_stop_zone(zone: Polygon, line: LineString, field: str) -> None:
    gap = distance_m(zone, line)
    if gap > STOP_ZONE_TOLERANCE_M:
        raise CorridorShapeError(
            f"lies {gap / 1000:.1f} km from the corridor; at most {STOP_ZONE_TOLERANCE_M / 1000:.0f} km", field
        )

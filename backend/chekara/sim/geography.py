"""The geography a scenario is generated on: checkpoints, and corridors as directed routes.

Built from GeoJSON (pure): the platform's own answers to
``GET /api/v1/checkpoints`` and ``GET /api/v1/corridors/{code}`` when the
simulator feeds a server, or the seed files in geodata/ for tests that have
no server. Everything metric is in KG_METRIC_CRS (chekara.domain.geometry),
the projection the ingest pipeline measures corridor distances in, so a
lateral offset chosen here is the distance the platform will see.

A corridor can be driven either way; a Route is one direction of it, its
progress measured in metres from the route's origin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, shape

from chekara.domain.corridors import stop_zone_polygon
from chekara.domain.geometry import lonlat_transformer, to_metric

#: Distance used to take a route's direction at a point, metres.
TANGENT_STEP_M = 10.0


@dataclass(frozen=True)
class SimCheckpoint:
    code: str
    lon: float
    lat: float
    x_m: float
    y_m: float
    geofence_radius_m: float
    lanes: int
    has_weighbridge: bool
    country: str | None
    border_kind: str


@dataclass(frozen=True)
class StopZoneSite:
    """A designated stop zone of a route: where along it, and how big (an inscribed radius)."""

    name: str
    kind: str
    progress_m: float
    x_m: float
    y_m: float
    radius_m: float


@dataclass(frozen=True)
class Route:
    """One direction of a corridor: the line from origin to destination, in metres."""

    corridor: str
    origin: str
    destination: str
    line_m: LineString
    half_width_m: float
    stop_zones: tuple[StopZoneSite, ...]

    @property
    def length_m(self) -> float:
        return self.line_m.length

    def points_m(self, progress_m: np.ndarray, lateral_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metric x, y of points at progress_m along the route, lateral_m to its left (negative: right)."""
        progress = np.clip(np.asarray(progress_m, float), 0.0, self.length_m)
        here = shapely.line_interpolate_point(self.line_m, progress)
        ahead = shapely.line_interpolate_point(self.line_m, np.minimum(progress + TANGENT_STEP_M, self.length_m))
        behind = shapely.line_interpolate_point(self.line_m, np.maximum(progress - TANGENT_STEP_M, 0.0))
        hx, hy = shapely.get_x(here), shapely.get_y(here)
        dx = shapely.get_x(ahead) - shapely.get_x(behind)
        dy = shapely.get_y(ahead) - shapely.get_y(behind)
        norm = np.hypot(dx, dy)
        norm[norm == 0] = 1.0
        lateral = np.asarray(lateral_m, float)
        return hx - dy / norm * lateral, hy + dx / norm * lateral

    def heading_deg(self, progress_m: np.ndarray) -> np.ndarray:
        """Compass heading of the route at each progress (0 = north, clockwise)."""
        progress = np.clip(np.asarray(progress_m, float), 0.0, self.length_m)
        ahead = shapely.line_interpolate_point(self.line_m, np.minimum(progress + TANGENT_STEP_M, self.length_m))
        behind = shapely.line_interpolate_point(self.line_m, np.maximum(progress - TANGENT_STEP_M, 0.0))
        dx = shapely.get_x(ahead) - shapely.get_x(behind)
        dy = shapely.get_y(ahead) - shapely.get_y(behind)
        return np.degrees(np.arctan2(dx, dy)) % 360.0

    def distance_to_line_m(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Distance of metric points from the corridor's centreline (what the platform measures)."""
        return shapely.distance(self.line_m, shapely.points(np.asarray(x_m), np.asarray(y_m)))


@dataclass(frozen=True)
class SimGeography:
    checkpoints: dict[str, SimCheckpoint]
    routes: tuple[Route, ...]

    def routes_from(self, checkpoint: str) -> list[Route]:
        return [r for r in self.routes if r.origin == checkpoint]

    def checkpoint_distance_m(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """For each point, how far it lies outside the nearest checkpoint geofence (negative: inside one)."""
        x, y = np.asarray(x_m, float), np.asarray(y_m, float)
        best = np.full(x.shape, np.inf)
        for cp in self.checkpoints.values():
            best = np.minimum(best, np.hypot(x - cp.x_m, y - cp.y_m) - cp.geofence_radius_m)
        return best


def to_lonlat_arrays(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = lonlat_transformer().transform(np.asarray(x_m, float), np.asarray(y_m, float))
    return np.asarray(lon), np.asarray(lat)


def _metric_point(lon: float, lat: float) -> tuple[float, float]:
    p = to_metric(Point(lon, lat))
    return p.x, p.y


def _checkpoint(feature: dict[str, Any]) -> SimCheckpoint:
    p = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    x, y = _metric_point(lon, lat)
    return SimCheckpoint(
        code=p["code"], lon=lon, lat=lat, x_m=x, y_m=y, geofence_radius_m=float(p.get("geofence_radius_m", 1000)),
        lanes=int(p.get("lanes") or 1), has_weighbridge=bool(p.get("has_weighbridge")),
        country=p.get("country"), border_kind=p.get("border_kind", "inland"),
    )


def _zone_site(name: str, kind: str, polygon_lonlat, line_m: LineString) -> StopZoneSite:
    polygon = to_metric(polygon_lonlat)
    centre = polygon.centroid
    radius = float(polygon.exterior.distance(centre))
    return StopZoneSite(name, kind, float(line_m.project(centre)), centre.x, centre.y, radius)


def _routes(code: str, origin: str, destination: str, line_lonlat: LineString, half_width_m: float,
            zones: list[tuple[str, str, Any]]) -> tuple[Route, Route]:
    forward = to_metric(line_lonlat)
    backward = LineString(list(forward.coords)[::-1])
    out = []
    for line, start, end in ((forward, origin, destination), (backward, destination, origin)):
        sites = sorted((_zone_site(n, k, poly, line) for n, k, poly in zones), key=lambda z: z.progress_m)
        out.append(Route(code, start, end, line, float(half_width_m), tuple(sites)))
    return out[0], out[1]


def geography_from_api(checkpoints_fc: dict[str, Any], corridor_features: list[dict[str, Any]]) -> SimGeography:
    """From the API: the checkpoint collection and each corridor's detail feature (with stop_zones)."""
    checkpoints = {f["properties"]["code"]: _checkpoint(f) for f in checkpoints_fc["features"]}
    routes: list[Route] = []
    for f in corridor_features:
        p = f["properties"]
        zones = [(z["name"], z["kind"], shape(z["geometry"])) for z in p.get("stop_zones", [])]
        routes.extend(_routes(p["code"], p["origin"], p["destination"], shape(f["geometry"]), p["half_width_m"], zones))
    return SimGeography(checkpoints, tuple(routes))


def geography_from_geodata(geodata_dir: Path) -> SimGeography:
    """From the seed files (geodata/checkpoints.geojson, corridors.geojson), as `chekara seed` loads them."""
    checkpoints_fc = json.loads((geodata_dir / "checkpoints.geojson").read_text(encoding="utf-8"))
    corridors_fc = json.loads((geodata_dir / "corridors.geojson").read_text(encoding="utf-8"))
    zones_of: dict[str, list[tuple[str, str, Any]]] = {}
    for f in corridors_fc["features"]:
        p = f["properties"]
        if p.get("kind") == "stop_zone":
            polygon = stop_zone_polygon(f["geometry"], p.get("radius_m"), "geometry")
            zones_of.setdefault(p["corridor"], []).append((p["name"], p["zone_kind"], polygon))
    checkpoints = {f["properties"]["code"]: _checkpoint(f) for f in checkpoints_fc["features"]}
    routes: list[Route] = []
    for f in corridors_fc["features"]:
        p = f["properties"]
        if p.get("kind") == "corridor":
            routes.extend(_routes(p["code"], p["origin"], p["destination"], shape(f["geometry"]),
                                  p["half_width_m"], zones_of.get(p["code"], [])))
    return SimGeography(checkpoints, tuple(routes))

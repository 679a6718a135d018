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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, shape

from chekara.domain.corridors import stop_zone_polygon
from chekara.domain.geometry import lonlat_transformer, to_metric

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
    """One direction of a corridor: the line from origin to destination, in metres.

    Points along it are interpolated with numpy over the vertices' running
    distance (shapely's per-point interpolation is a thousand times slower
    for the tens of thousands of points a scenario needs).
    """

    corridor: str
    origin: str
    destination: str
    line_m: LineString
    half_width_m: float
    stop_zones: tuple[StopZoneSite, ...]
    #: The corridor's line when the road (line_m) is not the line itself (sim.roads); what the platform measures.
    corridor_m: LineString | None = field(default=None, repr=False, compare=False)
    _xs: np.ndarray = field(repr=False, compare=False, default=None)
    _ys: np.ndarray = field(repr=False, compare=False, default=None)
    _along_m: np.ndarray = field(repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        coords = np.asarray(self.line_m.coords)[:, :2]
        steps = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
        keep = np.concatenate([[True], steps > 0])  # repeated vertices have no direction
        coords = coords[keep]
        object.__setattr__(self, "_xs", coords[:, 0])
        object.__setattr__(self, "_ys", coords[:, 1])
        object.__setattr__(self, "_along_m", np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1])))]))

    @property
    def length_m(self) -> float:
        return float(self._along_m[-1])

    def _direction(self, progress: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit vector of the segment each progress lies on."""
        i = np.clip(np.searchsorted(self._along_m, progress, side="right") - 1, 0, len(self._xs) - 2)
        dx, dy = self._xs[i + 1] - self._xs[i], self._ys[i + 1] - self._ys[i]
        norm = np.hypot(dx, dy)
        return dx / norm, dy / norm

    def points_m(self, progress_m: np.ndarray, lateral_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metric x, y of points at progress_m along the route, lateral_m to its left (negative: right)."""
        progress = np.clip(np.asarray(progress_m, float), 0.0, self.length_m)
        x = np.interp(progress, self._along_m, self._xs)
        y = np.interp(progress, self._along_m, self._ys)
        ux, uy = self._direction(progress)
        lateral = np.asarray(lateral_m, float)
        return x - uy * lateral, y + ux * lateral

    def heading_deg(self, progress_m: np.ndarray) -> np.ndarray:
        """Compass heading of the route at each progress (0 = north, clockwise)."""
        ux, uy = self._direction(np.clip(np.asarray(progress_m, float), 0.0, self.length_m))
        return np.degrees(np.arctan2(ux, uy)) % 360.0

    def distance_to_line_m(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Distance of metric points from the corridor's centreline (what the platform measures)."""
        line = self.line_m if self.corridor_m is None else self.corridor_m
        return shapely.distance(line, shapely.points(np.asarray(x_m), np.asarray(y_m)))


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


def _in_order(routes: list[Route]) -> tuple[Route, ...]:
    """Routes in a fixed order, whatever order the source lists them in: a seed must pick the same ones."""
    return tuple(sorted(routes, key=lambda r: (r.corridor, r.origin)))


def geography_from_api(checkpoints_fc: dict[str, Any], corridor_features: list[dict[str, Any]]) -> SimGeography:
    """From the API: the checkpoint collection and each corridor's detail feature (with stop_zones)."""
    checkpoints = {f["properties"]["code"]: _checkpoint(f) for f in checkpoints_fc["features"]}
    routes: list[Route] = []
    for f in corridor_features:
        p = f["properties"]
        zones = [(z["name"], z["kind"], shape(z["geometry"])) for z in p.get("stop_zones", [])]
        routes.extend(_routes(p["code"], p["origin"], p["destination"], shape(f["geometry"]), p["half_width_m"], zones))
    return SimGeography(checkpoints, _in_order(routes))


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
    return SimGeography(checkpoints, _in_order(routes))

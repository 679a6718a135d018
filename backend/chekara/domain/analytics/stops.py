"""Stops of a track: where a vehicle stayed within max_diameter_m for at least min_duration_s.

The definition is MovingPandas' TrajectoryStopDetector (movingpandas 0.23,
``trajectory_stop_detector.py``), step for step, and for lon/lat tracks
(detect_stops_lonlat, what GET /api/v1/analytics/stops uses) with its
measure too, so our stops and theirs are the same stops:

- Walk the fixes in time order, keeping a window of recent fixes. While
  moving, the window is trimmed from the front until it spans less than
  min_duration (and keeps at least two fixes).
- The vehicle is stopped when the window has two or more fixes, the geodesic
  distance between the corners (min lon, min lat) and (max lon, max lat) of
  its bounding box is under 1.5 max_diameter, and the diameter of the
  window is under max_diameter. The diameter is the diagonal of the minimum
  rotated rectangle fitted *in degrees*, measured geodesically between its
  corners 0 and 2 (two fixes: the geodesic between them). While stopped,
  the window only grows.
- When it stops being stopped, the window without the newest fix is a stop
  if it lasted at least min_duration; the window then restarts at the newest
  fix. A track that ends stopped ends with a stop if long enough.

A rectangle fitted in degrees is not the one fitted in metres (a degree of
longitude is 0.74 of a degree of latitude here): measured in a metric
projection, a jittery 28-minute stop ended two minutes later than
MovingPandas' did. detect_stops (planar metres) keeps that measure for
callers that have metres.

What differs is only how fast. Geodesics (WGS-84, Karney's algorithm as
geopy's, here through PROJ) are computed only where a local ellipsoidal
approximation is within 0.5 % of the limit; a fix more than 1.5 diameters
(+1 %) from the one before is never stopped, so runs of such fixes (driving)
are skipped in one step, the window's start found by binary search; while
stopped, a fix inside the window's convex hull changes neither its
rectangle nor its box, so none is fitted.

>>> t = [0, 60, 120, 180, 240, 300, 360, 420]
>>> x = [0, 1000, 1005, 1010, 1003, 1008, 2000, 3000]
>>> detect_stops(t, x, [0] * 8, max_diameter_m=50, min_duration_s=180)
[StopSpan(first=1, last=5)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod

#: Defaults as for the unauthorized-stop rule (DESIGN.md: within 150 m for ≥ 15 min).
DEFAULT_MAX_DIAMETER_M = 150.0
DEFAULT_MIN_DURATION_S = 900.0
#: MovingPandas' pre-check: fit a rectangle only when the bounding box diagonal is under this many diameters.
_BBOX_PRECHECK = 1.5
#: While stopped, this many next fixes are tested against the window's hull at once.
_HULL_BATCH = 64
#: The local approximation of a geodesic is trusted this far from a limit (relative); closer, the exact one decides.
_APPROX_BAND = 5e-3

_WGS84 = Geod(ellps="WGS84")
_A, _E2 = 6_378_137.0, 6.694379990141317e-3  # WGS-84 semi-major axis (m), first eccentricity squared


@dataclass(frozen=True)
class StopSpan:
    """A stop as the indexes of its first and last fix in the track."""

    first: int
    last: int


class _Planar:
    """Distances between points given in metres."""

    @staticmethod
    def approx(x1, y1, x2, y2):
        return np.hypot(np.subtract(x2, x1), np.subtract(y2, y1))

    @staticmethod
    def exact(x1: float, y1: float, x2: float, y2: float) -> float:
        return math.hypot(x2 - x1, y2 - y1)

    approx_one = exact
    band = 0.0


class _Geodesic:
    """Distances between lon/lat points in degrees, in metres on the WGS-84 ellipsoid."""

    @staticmethod
    def approx(lon1, lat1, lon2, lat2):
        """Local ellipsoidal approximation (meridian and prime-vertical radii at the mean latitude)."""
        phi = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
        w = 1 - _E2 * np.sin(phi) ** 2
        meridian, normal = _A * (1 - _E2) / w ** 1.5, _A / np.sqrt(w)
        dy = np.radians(np.subtract(lat2, lat1)) * meridian
        dx = np.radians(np.subtract(lon2, lon1)) * normal * np.cos(phi)
        return np.hypot(dx, dy)

    @staticmethod
    def approx_one(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
        """approx() for one pair of points, without numpy's per-call cost."""
        phi = math.radians((lat1 + lat2) / 2)
        w = 1 - _E2 * math.sin(phi) ** 2
        dy = math.radians(lat2 - lat1) * _A * (1 - _E2) / w ** 1.5
        dx = math.radians(lon2 - lon1) * _A / math.sqrt(w) * math.cos(phi)
        return math.hypot(dx, dy)

    @staticmethod
    def exact(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
        return float(_WGS84.inv(lon1, lat1, lon2, lat2)[2])

    band = _APPROX_BAND


def _under(metric, x1: float, y1: float, x2: float, y2: float, limit: float) -> bool:
    """distance((x1, y1), (x2, y2)) < limit, computed exactly only near the limit."""
    d = metric.approx_one(float(x1), float(y1), float(x2), float(y2))
    if d < limit * (1 - metric.band):
        return True
    if d > limit * (1 + metric.band):
        return False
    return metric.exact(x1, y1, x2, y2) < limit


def _rectangle_corners(x: np.ndarray, y: np.ndarray, points=None) -> tuple[float, float, float, float]:
    """Corners 0 and 2 of the minimum rotated rectangle (ends of a line; a point twice), as MovingPandas takes them.

    points: the same points as a shapely MultiPoint, when the caller has built it already.
    """
    if len(x) == 2:
        return float(x[0]), float(y[0]), float(x[1]), float(y[1])
    if points is None:
        points = shapely.multipoints(np.column_stack((x, y)))
    rectangle = shapely.minimum_rotated_rectangle(points)
    coords = shapely.get_coordinates(rectangle)
    if rectangle.geom_type == "Polygon":
        (x0, y0), (x2, y2) = coords[0], coords[2]
    else:  # collinear points give a LineString, identical ones a Point
        (x0, y0), (x2, y2) = coords[0], coords[-1]
    return float(x0), float(y0), float(x2), float(y2)


def mrr_diagonal_m(x: np.ndarray, y: np.ndarray) -> float:
    """The diagonal of the minimum rotated rectangle around the points (metres in, metres out)."""
    return _Planar.exact(*_rectangle_corners(x, y))


def mrr_diagonal_lonlat_m(lon: np.ndarray, lat: np.ndarray) -> float:
    """MovingPandas' diameter: the rectangle fitted in degrees, its diagonal measured geodesically, metres."""
    return _Geodesic.exact(*_rectangle_corners(lon, lat))


def detect_stops(
    t_s: Sequence[float], x_m: Sequence[float], y_m: Sequence[float],
    max_diameter_m: float = DEFAULT_MAX_DIAMETER_M, min_duration_s: float = DEFAULT_MIN_DURATION_S,
) -> list[StopSpan]:
    """The stops of one device's track: times in seconds (ascending), positions in planar metres."""
    return _detect(t_s, x_m, y_m, max_diameter_m, min_duration_s, _Planar)


def detect_stops_lonlat(
    t_s: Sequence[float], lon: Sequence[float], lat: Sequence[float],
    max_diameter_m: float = DEFAULT_MAX_DIAMETER_M, min_duration_s: float = DEFAULT_MIN_DURATION_S,
) -> list[StopSpan]:
    """The stops MovingPandas finds in a lon/lat track (degrees, WGS-84): times in seconds (ascending)."""
    return _detect(t_s, lon, lat, max_diameter_m, min_duration_s, _Geodesic)


def _detect(t_s, xs, ys, max_diameter_m: float, min_duration_s: float, metric) -> list[StopSpan]:
    if max_diameter_m <= 0 or min_duration_s <= 0:
        raise ValueError("max_diameter_m and min_duration_s must be positive")
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    n = len(t)
    box_limit = max_diameter_m * _BBOX_PRECHECK
    # A step longer than the box limit (with a margin for the approximation) puts both fixes in the window,
    # so its box is too big: never stopped. Runs of such steps are driving, skipped at once below.
    far = np.zeros(n, dtype=bool)
    if n > 1:
        far[1:] = metric.approx(x[:-1], y[:-1], x[1:], y[1:]) > box_limit * (1 + 2 * metric.band + 1e-2)
    next_near = np.full(n + 1, n, dtype=np.int64)  # next index >= i that is not far
    for i in range(n - 1, -1, -1):
        next_near[i] = next_near[i + 1] if far[i] else i
    spans: list[StopSpan] = []
    start = 0  # the window is fixes start..i
    is_stopped = previously_stopped = False
    hull = None  # convex hull of the window while stopped (the window only grows then)
    box = None  # the window's bounding box while stopped (it only grows then too)
    i = 0
    while i < n:
        if far[i] and not is_stopped and not previously_stopped:
            # Driving: every fix up to the next near one is not stopped; only the window's start moves.
            last = int(next_near[i]) - 1
            trimmed = int(np.searchsorted(t, t[last] - min_duration_s, side="right"))
            start = min(last - 1, max(start, trimmed))
            hull = box = None
            i = last + 1
            continue
        if is_stopped and hull is not None and hull.geom_type == "Polygon":
            # Stopped: every next fix inside the window's hull changes nothing; skip them all at once.
            inside = shapely.intersects_xy(hull, x[i : i + _HULL_BATCH], y[i : i + _HULL_BATCH])
            run = len(inside) if inside.all() else int(np.argmin(inside))
            if run:
                i += run
                continue
        if not is_stopped:
            while i - start + 1 > 2 and t[i] - t[start] >= min_duration_s:
                start += 1
            hull = None
        was_stopped = is_stopped
        is_stopped = False
        if i > start and not far[i]:
            # (A fix inside a stopped window's hull was skipped above: this one is outside it.)
            if was_stopped and box is not None:
                xi, yi = float(x[i]), float(y[i])
                window_box = (min(box[0], xi), min(box[1], yi), max(box[2], xi), max(box[3], yi))
            else:
                wx, wy = x[start : i + 1], y[start : i + 1]
                window_box = (float(wx.min()), float(wy.min()), float(wx.max()), float(wy.max()))
            if _under(metric, *window_box, box_limit):
                if was_stopped and hull is not None:
                    points = np.vstack((shapely.get_coordinates(hull), [[x[i], y[i]]]))
                else:
                    points = np.column_stack((x[start : i + 1], y[start : i + 1]))
                multipoint = shapely.multipoints(points) if len(points) > 2 else None
                if _under(metric, *_rectangle_corners(points[:, 0], points[:, 1], multipoint), max_diameter_m):
                    is_stopped = True
                    box = window_box
                    hull = shapely.convex_hull(multipoint) if multipoint is not None else None
                    if hull is not None:
                        shapely.prepare(hull)
        if not is_stopped and previously_stopped and i > start:
            if t[i - 1] - t[start] >= min_duration_s:
                spans.append(StopSpan(start, i - 1))
                start = i
        if not is_stopped:
            hull = box = None
        previously_stopped = is_stopped
        i += 1
    if is_stopped and t[n - 1] - t[start] >= min_duration_s:
        spans.append(StopSpan(start, n - 1))
    return spans

"""Stops of a track: where a vehicle stayed within max_diameter_m for at least min_duration_s.

The definition is MovingPandas' TrajectoryStopDetector (movingpandas 0.23,
``trajectory_stop_detector.py``), step for step, so our stops and theirs
agree:

- Walk the fixes in time order, keeping a window of recent fixes. While
  moving, the window is trimmed from the front until it spans less than
  min_duration (and keeps at least two fixes).
- The vehicle is stopped when the window has two or more fixes and the
  diagonal of their minimum rotated rectangle is under max_diameter. While
  stopped, the window only grows.
- When it stops being stopped, the window without the newest fix is a stop
  if it lasted at least min_duration; the window then restarts at the newest
  fix. A track that ends stopped ends with a stop if long enough.

What differs is only how, not what: distances are metres in the country's
metric projection (chekara.domain.geometry.KG_METRIC_CRS) instead of
geodesic metres between corners of a rectangle fitted in degrees, and the
work is cheaper: a window whose bounding box is already too big is rejected
without a rectangle (the box diagonal is at most √2 times the rectangle's,
the same 1.5 pre-check MovingPandas makes), and while stopped a fix inside
the window's convex hull cannot change the rectangle, so none is fitted.

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
from shapely.geometry import MultiPoint

#: Defaults as for the unauthorized-stop rule (DESIGN.md: within 150 m for ≥ 15 min).
DEFAULT_MAX_DIAMETER_M = 150.0
DEFAULT_MIN_DURATION_S = 900.0
#: MovingPandas' pre-check: fit a rectangle only when the bounding box diagonal is under this many diameters.
_BBOX_PRECHECK = 1.5


@dataclass(frozen=True)
class StopSpan:
    """A stop as the indexes of its first and last fix in the track."""

    first: int
    last: int


def mrr_diagonal_m(x: np.ndarray, y: np.ndarray) -> float:
    """The diagonal of the minimum rotated rectangle around the points (metres in, metres out)."""
    if len(x) == 2:
        return math.hypot(x[1] - x[0], y[1] - y[0])
    rectangle = shapely.minimum_rotated_rectangle(shapely.multipoints(np.column_stack((x, y))))
    coords = shapely.get_coordinates(rectangle)
    if rectangle.geom_type == "Polygon":
        (x0, y0), (x2, y2) = coords[0], coords[2]
    else:  # collinear points give a LineString, identical ones a Point
        (x0, y0), (x2, y2) = coords[0], coords[-1]
    return math.hypot(x2 - x0, y2 - y0)


def detect_stops(
    t_s: Sequence[float], x_m: Sequence[float], y_m: Sequence[float],
    max_diameter_m: float = DEFAULT_MAX_DIAMETER_M, min_duration_s: float = DEFAULT_MIN_DURATION_S,
) -> list[StopSpan]:
    """The stops of one device's track: times in seconds (ascending), positions in metres."""
    if max_diameter_m <= 0 or min_duration_s <= 0:
        raise ValueError("max_diameter_m and min_duration_s must be positive")
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    n = len(t)
    spans: list[StopSpan] = []
    start = 0  # the window is fixes start..i
    is_stopped = previously_stopped = False
    hull = None  # convex hull of the window while stopped (the window only grows then)
    for i in range(n):
        if not is_stopped:
            while i - start + 1 > 2 and t[i] - t[start] >= min_duration_s:
                start += 1
            hull = None
        was_stopped = is_stopped
        is_stopped = False
        if i > start:
            if was_stopped and hull is not None and hull.geom_type == "Polygon" and shapely.intersects_xy(hull, x[i], y[i]):
                is_stopped = True  # inside the hull: the rectangle, and so the verdict, are unchanged
            else:
                wx, wy = x[start : i + 1], y[start : i + 1]
                box_diagonal = math.hypot(wx.max() - wx.min(), wy.max() - wy.min())
                if box_diagonal < max_diameter_m * _BBOX_PRECHECK:
                    if was_stopped and hull is not None:
                        points = np.vstack((shapely.get_coordinates(hull), [[x[i], y[i]]]))
                    else:
                        points = np.column_stack((wx, wy))
                    if mrr_diagonal_m(points[:, 0], points[:, 1]) < max_diameter_m:
                        is_stopped = True
                        hull = MultiPoint(points).convex_hull if len(points) > 2 else None
                        if hull is not None:
                            shapely.prepare(hull)
        if not is_stopped and previously_stopped and i > start:
            if t[i - 1] - t[start] >= min_duration_s:
                spans.append(StopSpan(start, i - 1))
                start = i
        if not is_stopped:
            hull = None
        previously_stopped = is_stopped
    if is_stopped and t[n - 1] - t[start] >= min_duration_s:
        spans.append(StopSpan(start, n - 1))
    return spans

"""The corridor convoys really use, learned from completed trips between two checkpoints.

1. **Cells**: the res-9 H3 cells (~200 m) entered by at least ``min_share``
   of the trips. Counting trips, not fixes, keeps one truck parked for a day
   from outweighing a hundred that drove through.
2. **Order**: each trip's fixes get their progress, the share of the trip's
   own track length driven so far (0 at the origin, 1 at the destination);
   a cell's place along the route is the median, over the trips that used
   it, of their median progress inside it. Progress by distance, not time,
   so a long stop does not stretch the route.
3. **Line**: the cell centres in that order, between the origin and the
   destination checkpoints, smoothed by a centred moving average over
   ``smoothing_cells`` centres (5 cells ≈ 1 km: wide enough to iron out the
   zig-zag between neighbouring cells of one road, short enough to keep
   hairpins), then simplified (Douglas–Peucker, ``simplify_m``) so the
   stored corridor has vertices where the road turns, not every 200 m.

Everything is in metres in the country's metric projection; the caller
converts back to lon/lat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

DEFAULT_MIN_SHARE = 0.5
DEFAULT_SMOOTHING_CELLS = 5
DEFAULT_SIMPLIFY_M = 25.0


@dataclass(frozen=True)
class TripTrack:
    """One completed trip's fixes in time order: res-9 cells and metric coordinates."""

    trip_id: int
    cells: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray


@dataclass(frozen=True)
class LearnedCorridor:
    #: Observed cells and how many trips used each.
    trips_per_cell: dict[int, int]
    #: The cells in route order.
    ordered_cells: list[int]
    line_m: LineString
    trips: int


def progress(x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Share of the track's length covered at each fix (0..1); a track that never moves is all 0."""
    steps = np.hypot(np.diff(x_m), np.diff(y_m))
    along = np.concatenate(([0.0], np.cumsum(steps)))
    total = along[-1] if len(along) else 0.0
    return along / total if total > 0 else np.zeros_like(along)


def observed_cells(tracks: Sequence[TripTrack], min_share: float) -> dict[int, int]:
    """Cells used by at least min_share of the trips, with their trip counts."""
    if not 0 < min_share <= 1:
        raise ValueError("min_share must be in (0, 1]")
    counts: dict[int, int] = defaultdict(int)
    for track in tracks:
        for cell in set(track.cells.tolist()):
            counts[cell] += 1
    needed = min_share * len(tracks)
    return {cell: n for cell, n in counts.items() if n >= needed - 1e-9}


def route_order(tracks: Sequence[TripTrack], cells: set[int]) -> list[int]:
    """The cells sorted by their median progress along the trips that used them."""
    per_cell: dict[int, list[float]] = defaultdict(list)
    for track in tracks:
        share = progress(track.x_m, track.y_m)
        inside: dict[int, list[float]] = defaultdict(list)
        for cell, p in zip(track.cells.tolist(), share.tolist()):
            if cell in cells:
                inside[cell].append(p)
        for cell, values in inside.items():
            per_cell[cell].append(float(np.median(values)))
    key = {cell: float(np.median(values)) for cell, values in per_cell.items()}
    return sorted(key, key=lambda c: (key[c], c))


def smooth(points: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average of a polyline's vertices; the two ends stay where they are.

    >>> smooth(np.array([[0, 0], [1, 1], [2, 0], [3, 1], [4, 0]], dtype=float), 3)[:, 1].round(3).tolist()
    [0.0, 0.333, 0.667, 0.333, 0.0]
    """
    if window < 2 or len(points) < 3:
        return points.copy()
    half = window // 2
    out = points.copy()
    for i in range(1, len(points) - 1):
        reach = min(half, i, len(points) - 1 - i)  # shrink near the ends, so they stay anchored
        out[i] = points[i - reach : i + reach + 1].mean(axis=0)
    return out


def learn_corridor(
    tracks: Sequence[TripTrack],
    origin_xy: tuple[float, float],
    destination_xy: tuple[float, float],
    centre_xy: Callable[[int], tuple[float, float]],
    min_share: float = DEFAULT_MIN_SHARE,
    smoothing_cells: int = DEFAULT_SMOOTHING_CELLS,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
) -> LearnedCorridor | None:
    """The observed corridor of these trips, or None when no cell reaches the share."""
    if not tracks:
        return None
    trips_per_cell = observed_cells(tracks, min_share)
    if not trips_per_cell:
        return None
    ordered = route_order(tracks, set(trips_per_cell))
    vertices = np.array([origin_xy, *(centre_xy(c) for c in ordered), destination_xy], dtype=float)
    smoothed = smooth(vertices, smoothing_cells)
    line = LineString(smoothed)
    if simplify_m > 0:
        line = shapely.simplify(line, simplify_m, preserve_topology=False)
    return LearnedCorridor(trips_per_cell, ordered, line, len(tracks))


def share_outside(line_m: LineString, x_m: np.ndarray, y_m: np.ndarray, half_width_m: float) -> float | None:
    """Share of the points farther than half_width_m from the line (None without points)."""
    if len(x_m) == 0:
        return None
    distances = shapely.distance(line_m, shapely.points(x_m, y_m))
    return float(np.count_nonzero(distances > half_width_m) / len(x_m))

"""Learning a corridor from trips: cells by share of trips, route order, smoothing."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString

from chekara.domain.analytics.corridor_learning import (
    TripTrack,
    learn_corridor,
    observed_cells,
    progress,
    route_order,
    share_outside,
    smooth,
)

CELL_M = 200.0


def grid_cell(x: float, y: float) -> int:
    """A stand-in for H3 in metric space: square 200 m cells numbered from their indexes."""
    return int(np.floor(x / CELL_M)) * 100_000 + int(np.floor(y / CELL_M))


def grid_centre(cell: int) -> tuple[float, float]:
    i, j = divmod(cell, 100_000)
    return (i + 0.5) * CELL_M, (j + 0.5) * CELL_M


def track(trip_id: int, xs, ys) -> TripTrack:
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    return TripTrack(trip_id, np.array([grid_cell(a, b) for a, b in zip(x, y)], dtype=np.int64), x, y)


def straight(trip_id: int, y: float, detour_at: tuple[float, float] | None = None) -> TripTrack:
    xs = np.arange(0, 10_001, 100.0)
    ys = np.full_like(xs, y)
    if detour_at:
        inside = (xs >= detour_at[0]) & (xs <= detour_at[1])
        ys[inside] += 3_000
    return track(trip_id, xs, ys)


def test_progress_is_distance_share():
    assert progress(np.array([0.0, 3, 3, 10]), np.array([0.0, 4, 4, 4])).tolist() == pytest.approx([0, 5 / 12, 5 / 12, 1])
    assert progress(np.array([1.0, 1]), np.array([2.0, 2])).tolist() == [0, 0]


def test_cells_count_trips_not_fixes():
    parked = track(1, [50.0] * 500, [50.0] * 500)
    passing = [straight(i, 300) for i in range(2, 5)]
    counts = observed_cells([parked, *passing], 0.5)
    assert grid_cell(50, 50) not in counts  # one trip of four, however many fixes
    assert counts[grid_cell(5_000, 300)] == 3


def test_route_order_follows_progress_not_cell_numbers():
    t = track(1, [0, 1000, 2000, 3000], [3000, 2000, 1000, 0])
    assert route_order([t], set(t.cells.tolist())) == t.cells.tolist()


def test_smoothing_keeps_the_ends():
    points = np.array([[0, 0], [1, 5], [2, -5], [3, 5], [4, 0]], dtype=float)
    out = smooth(points, 5)
    assert out[0].tolist() == [0, 0] and out[-1].tolist() == [4, 0]
    assert np.abs(out[1:-1, 1]).max() < 5


def test_the_learned_line_follows_the_majority_not_the_detour_of_a_minority():
    trips = [straight(i, 100 + 20 * i) for i in range(6)] + [straight(10 + i, 150, (3_000, 7_000)) for i in range(3)]
    learned = learn_corridor(trips, (0, 100), (10_000, 100), grid_centre, min_share=0.5)
    assert learned is not None and learned.trips == 9
    xs, ys = np.array(learned.line_m.coords).T
    assert xs[0] == 0 and xs[-1] == 10_000
    assert np.all(np.abs(ys - 150) < 250)  # along y≈100..200: the majority's road
    assert learned.line_m.length == pytest.approx(10_000, rel=0.02)
    assert len(learned.line_m.coords) < len(learned.ordered_cells)  # simplified


def test_the_learned_line_takes_the_detour_everybody_takes():
    trips = [straight(i, 150, (3_000, 7_000)) for i in range(5)]
    learned = learn_corridor(trips, (0, 150), (10_000, 150), grid_centre, min_share=0.6)
    middle = learned.line_m.interpolate(0.5, normalized=True)
    assert middle.y > 2_500


def test_no_cell_reaches_the_share():
    trips = [track(i, [i * 1000.0, i * 1000.0 + 10], [0, 0]) for i in range(4)]
    assert learn_corridor(trips, (0, 0), (4000, 0), grid_centre, min_share=0.5) is None
    with pytest.raises(ValueError):
        observed_cells(trips, 0)


def test_share_outside_the_band():
    line = LineString([(0, 0), (1000, 0)])
    assert share_outside(line, np.array([10.0, 500, 900, 100]), np.array([0.0, 100, 700, -600]), 500) == 0.5
    assert share_outside(line, np.array([]), np.array([]), 500) is None

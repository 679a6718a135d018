"""The enrich step's zone matching: each point's first containing zone, bounding boxes only as a shortcut."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Point, Polygon

from chekara.ingest.geography import Zone, Zones


def _brute_force(zones, x, y):
    return [next((z for z in zones if z.shape_m.intersects(Point(px, py))), None) for px, py in zip(x, y)]


def test_first_containing_matches_asking_every_polygon():
    triangle = Zone(1, "triangle", Polygon([(0, 0), (100, 0), (0, 100)]))  # its box's far corner is outside it
    square = Zone(2, "square", Polygon([(50, 50), (150, 50), (150, 150), (50, 150)]))  # overlaps the box, not the triangle
    far = Zone(3, "far", Point(1_000, 1_000).buffer(30))
    zones = Zones((triangle, square, far))
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-20, 1_100, 2_000), [0.0, 100.0, 90.0, 50.0, 1_000.0]])
    y = np.concatenate([rng.uniform(-20, 1_100, 2_000), [0.0, 0.0, 90.0, 50.0, 1_030.0]])
    found = zones.first_containing(x, y)
    assert found == _brute_force(zones.zones, x, y)
    assert found[-5:] == [triangle, triangle, square, triangle, far]  # corners and edges count as inside
    assert sum(f is None for f in found) > 1_000


def test_no_zones_or_no_points():
    assert Zones(()).first_containing(np.array([1.0]), np.array([2.0])) == [None]
    assert Zones((Zone(1, "a", Point(0, 0).buffer(5)),)).first_containing(np.array([]), np.array([])) == []

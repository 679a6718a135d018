"""H3 helpers: parents as h3 computes them, hexagons, bbox padding that catches every child."""

from __future__ import annotations

import h3.api.basic_int as h3
import numpy as np
import pytest
from shapely.geometry import Polygon

from chekara.domain.analytics.h3_cells import (
    cell_from_hex,
    cell_hex,
    cells_in_polygon,
    centre_in_bbox,
    centre_lonlat,
    descendant_reach_m,
    hexagon,
    latlng_cell,
    padded_bbox,
    parents,
)
from chekara.domain.geometry import distance_m
from shapely.geometry import Point


def test_parents_are_the_h3_parents():
    cell = latlng_cell(40.53, 72.80)
    up = parents(cell)
    assert sorted(up) == [5, 6, 7, 8]
    for res, parent in up.items():
        assert h3.get_resolution(parent) == res
        assert h3.cell_to_parent(cell, res) == parent
        assert cell in h3.cell_to_children(parent, 9)


def test_hex_spelling_round_trips():
    cell = latlng_cell(42.87, 74.59)
    assert cell_from_hex(cell_hex(cell)) == cell
    assert len(cell_hex(cell)) == 15


def test_hexagon_is_lonlat_and_contains_its_centre():
    cell = latlng_cell(42.87, 74.59)
    polygon = hexagon(cell)
    lon, lat = centre_lonlat(cell)
    assert 74 < lon < 75 and 42 < lat < 43
    assert polygon.contains(Point(lon, lat))
    assert len(polygon.exterior.coords) == 7


@pytest.mark.parametrize("res", [5, 6, 7, 8])
def test_every_res9_descendant_lies_within_the_reach(res):
    rng = np.random.default_rng(res)
    for lat, lon in zip(rng.uniform(39.5, 43.0, 3), rng.uniform(69.5, 80.0, 3)):
        parent = latlng_cell(float(lat), float(lon), res)
        centre = Point(*centre_lonlat(parent))
        children = h3.cell_to_children(parent, 9)
        step = max(1, len(children) // 400)
        farthest = max(distance_m(centre, Point(*centre_lonlat(c))) for c in children[::step])
        assert farthest < descendant_reach_m(res)


def test_padded_bbox_grows_by_the_distance_on_each_side():
    box = padded_bbox((74.0, 42.0, 75.0, 43.0), 1_000)
    assert distance_m(Point(74.0, 42.5), Point(box[0], 42.5)) == pytest.approx(1_000, rel=0.02)
    assert distance_m(Point(74.5, 42.0), Point(74.5, box[1])) == pytest.approx(1_000, rel=0.02)


def test_centre_in_bbox_and_polygon_cells():
    cell = latlng_cell(42.87, 74.59)
    lon, lat = centre_lonlat(cell)
    assert centre_in_bbox(cell, (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
    assert not centre_in_bbox(cell, (lon + 0.001, lat, lon + 0.01, lat + 0.01))
    square = Polygon([(74.58, 42.86), (74.60, 42.86), (74.60, 42.88), (74.58, 42.88)])
    cells = cells_in_polygon(square)
    assert cell in cells
    assert all(square.contains(Point(*centre_lonlat(c))) for c in cells)

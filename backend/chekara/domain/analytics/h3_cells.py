"""H3 cells for the heatmaps: parents, centres, hexagons (pure, h3 v4 integer API).

Fixes are stored at resolution 9 (edge ~200 m); the coarser heatmaps (5–8)
aggregate res-9 cells by their parent. Parents are computed here, once per
cell, with h3's own cell_to_parent, and kept beside the cell in the
``h3_cells`` table, so the database can GROUP BY a parent column: there is no
h3-pg extension in Debian 12 and the rollup rows stay narrow.

>>> cell = latlng_cell(42.87, 74.59)
>>> cell_hex(cell), cell_hex(parents(cell)[5])
('89201aa48a3ffff', '85201aa7fffffff')
"""

from __future__ import annotations

import math
from functools import lru_cache

import h3.api.basic_int as h3
from shapely.geometry import Polygon

#: The resolution every fix is stored at (chekara.ingest.enrich.H3_RESOLUTION).
BASE_RESOLUTION = 9
#: The resolutions a heatmap can be asked for.
HEATMAP_RESOLUTIONS = (5, 6, 7, 8, 9)
PARENT_RESOLUTIONS = (5, 6, 7, 8)

_M_PER_DEG_LAT = 111_320.0


def latlng_cell(lat: float, lon: float, res: int = BASE_RESOLUTION) -> int:
    return int(h3.latlng_to_cell(lat, lon, res))


def cell_hex(cell: int) -> str:
    """The usual hexadecimal spelling of a cell (what h3-js and kepler.gl show)."""
    return h3.int_to_str(cell)


def cell_from_hex(text: str) -> int:
    return h3.str_to_int(text)


def parents(cell: int) -> dict[int, int]:
    """The parents of a res-9 cell at resolutions 5..8."""
    return {res: int(h3.cell_to_parent(cell, res)) for res in PARENT_RESOLUTIONS}


def centre_lonlat(cell: int) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return lon, lat


def hexagon(cell: int) -> Polygon:
    """The cell's boundary as a lon/lat polygon (RFC 7946 order)."""
    return Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])


@lru_cache
def descendant_reach_m(res: int) -> float:
    """How far a res-9 descendant's centre can lie from its res-``res`` ancestor's centre, metres, with margin.

    H3 children are not nested exactly inside their parent (aperture 7), so a
    bbox that should select whole parent hexagons must first gather res-9
    cells a little beyond it. Three average edges of the parent resolution
    bound the spread (measured: about 1.3 edges; tests check the bound).
    """
    if res >= BASE_RESOLUTION:
        return 0.0
    return 3.0 * h3.average_hexagon_edge_length(res, "m")


def padded_bbox(bbox: tuple[float, float, float, float], pad_m: float) -> tuple[float, float, float, float]:
    """A lon/lat bbox grown by pad_m metres on every side (equirectangular, fine at these sizes)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    dlat = pad_m / _M_PER_DEG_LAT
    widest_lat = min(max(abs(min_lat), abs(max_lat)) + dlat, 89.0)
    dlon = pad_m / (_M_PER_DEG_LAT * math.cos(math.radians(widest_lat)))
    return min_lon - dlon, min_lat - dlat, max_lon + dlon, max_lat + dlat


def centre_in_bbox(cell: int, bbox: tuple[float, float, float, float]) -> bool:
    """A hexagon belongs to a bbox when its centre does (each hexagon is in exactly one of two adjacent boxes)."""
    lon, lat = centre_lonlat(cell)
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def cells_in_polygon(polygon: Polygon, res: int = BASE_RESOLUTION) -> set[int]:
    """The cells whose centres lie inside a lon/lat polygon (H3's centroid containment)."""
    return {int(c) for c in h3.geo_to_cells(polygon.__geo_interface__, res)}

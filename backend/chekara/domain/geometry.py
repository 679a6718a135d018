"""Metric geometry over Kyrgyzstan (pure: shapely + pyproj, no I/O).

Geometry is stored in WGS 84 lon/lat. Distances, buffers and segment lengths
are computed in KG_METRIC_CRS, a transverse Mercator centred on the country
(scale error under 0.2 % from 69 °E to 80.5 °E), which is exact enough for
half-widths of hundreds of metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

KG_METRIC_CRS = "+proj=tmerc +lat_0=41 +lon_0=74.8 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

#: Corridor segments for index lookups are about this long (DESIGN.md: ~5 km).
SEGMENT_LENGTH_M = 5_000.0


@lru_cache
def metric_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", KG_METRIC_CRS, always_xy=True)


@lru_cache
def lonlat_transformer() -> Transformer:
    return Transformer.from_crs(KG_METRIC_CRS, "EPSG:4326", always_xy=True)


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, metric_transformer().transform, interleaved=False)


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lonlat_transformer().transform, interleaved=False)


def length_m(line: LineString) -> float:
    return to_metric(line).length


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    return to_metric(a).distance(to_metric(b))


def circle(center: Point, radius_m: float, quad_segs: int = 16) -> Polygon:
    """A lon/lat polygon approximating a circle of radius_m metres."""
    return to_lonlat(to_metric(center).buffer(radius_m, quad_segs=quad_segs))


def buffer_m(geom: BaseGeometry, distance: float) -> BaseGeometry:
    return to_lonlat(to_metric(geom).buffer(distance))


@dataclass(frozen=True)
class LinePiece:
    """A piece of a line: where it starts along the whole line (metres) and its shape."""

    start_m: float
    line: LineString


def split_line(line: LineString, piece_length_m: float = SEGMENT_LENGTH_M) -> list[LinePiece]:
    """Cut a lon/lat line into consecutive pieces of about piece_length_m metres.

    The last piece holds the remainder; pieces share their end points, so the
    union of the pieces is the line.
    """
    if piece_length_m <= 0:
        raise ValueError("piece_length_m must be positive")
    metric = to_metric(line)
    total = metric.length
    pieces: list[LinePiece] = []
    start = 0.0
    while start < total:
        end = min(start + piece_length_m, total)
        if total - end < piece_length_m * 0.2:  # fold a tiny tail into this piece
            end = total
        piece = substring(metric, start, end)
        if isinstance(piece, LineString) and piece.length > 0:
            pieces.append(LinePiece(start, to_lonlat(piece)))
        start = end
    return pieces


def inside_region(geom: BaseGeometry, region: BaseGeometry) -> bool:
    return bool(shapely.covers(region, geom))

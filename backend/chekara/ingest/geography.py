"""Reference shapes the enrich step measures against, in KG_METRIC_CRS, cached per process.

A corridor's shape is reloaded when its row changes (updated_at); checkpoint
geofences when any checkpoint changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, Polygon
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Corridor
from chekara.domain.geometry import metric_transformer, to_metric


@dataclass(frozen=True)
class Zone:
    id: int
    name: str
    shape_m: Polygon


@dataclass(frozen=True)
class CorridorShape:
    id: int
    line_m: LineString
    half_width_m: float
    length_m: float
    stop_zones: tuple[Zone, ...]


@dataclass(frozen=True)
class CheckpointFences:
    zones: tuple[Zone, ...]


_lock = threading.Lock()
_corridors: dict[int, tuple[datetime, CorridorShape]] = {}
_fences: tuple[tuple[datetime | None, int], CheckpointFences] | None = None


def corridor_shape(session: Session, corridor: Corridor) -> CorridorShape:
    with _lock:
        cached = _corridors.get(corridor.id)
        if cached and cached[0] == corridor.updated_at:
            return cached[1]
    shape = CorridorShape(
        id=corridor.id,
        line_m=to_metric(to_shape(corridor.geom)),
        half_width_m=corridor.half_width_m,
        length_m=corridor.length_m,
        stop_zones=tuple(Zone(z.id, z.name, to_metric(to_shape(z.geom))) for z in corridor.stop_zones),
    )
    for zone in shape.stop_zones:
        shapely.prepare(zone.shape_m)
    with _lock:
        _corridors[corridor.id] = (corridor.updated_at, shape)
    return shape


def checkpoint_fences(session: Session) -> CheckpointFences:
    global _fences
    version = tuple(session.execute(select(func.max(Checkpoint.updated_at), func.count())).one())
    with _lock:
        if _fences and _fences[0] == version:
            return _fences[1]
    zones = tuple(
        Zone(cp.id, cp.code, to_metric(to_shape(cp.geofence))) for cp in session.scalars(select(Checkpoint))
    )
    for zone in zones:
        shapely.prepare(zone.shape_m)
    fences = CheckpointFences(zones)
    with _lock:
        _fences = (version, fences)
    return fences


def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat arrays to KG_METRIC_CRS metres."""
    x, y = metric_transformer().transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def first_containing(zones: tuple[Zone, ...], x: np.ndarray, y: np.ndarray) -> list[Zone | None]:
    """For each point, the first zone that contains it (boundary included), or None."""
    found: list[Zone | None] = [None] * len(x)
    for zone in zones:
        inside = shapely.intersects_xy(zone.shape_m, x, y)
        for i in np.flatnonzero(inside):
            if found[i] is None:
                found[i] = zone
    return found

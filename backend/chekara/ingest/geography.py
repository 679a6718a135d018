"""Reference shapes the enrich step measures against, in KG_METRIC_CRS, cached per process.

A corridor's shape is reloaded when its row changes (updated_at: the batch reads
it with the trips anyway); checkpoint geofences when any checkpoint changes,
asked at most every FENCES_CHECK_S seconds (a round trip per batch otherwise).
"""

from __future__ import annotations

import threading
import time
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


class Zones:
    """Polygons, each point of a batch matched to the first that contains it.

    Most fixes are in none (a convoy spends minutes at a checkpoint, hours between them): the
    zones' bounding boxes, compared with every point at once, leave only the few zones whose
    polygons need asking. A prepared polygon per zone costs ~15 µs a call even for no point."""

    def __init__(self, zones: tuple[Zone, ...]) -> None:
        self.zones = zones
        for zone in zones:
            shapely.prepare(zone.shape_m)
        self._bounds = np.array([zone.shape_m.bounds for zone in zones], dtype=float).reshape(-1, 4)

    def __iter__(self):
        return iter(self.zones)

    def first_containing(self, x: np.ndarray, y: np.ndarray) -> list[Zone | None]:
        """For each point, the first zone that contains it (boundary included), or None."""
        found: list[Zone | None] = [None] * len(x)
        if not self.zones or not len(x):
            return found
        b = self._bounds
        near = ((x[:, None] >= b[:, 0]) & (x[:, None] <= b[:, 2]) & (y[:, None] >= b[:, 1]) & (y[:, None] <= b[:, 3]))
        for z in np.flatnonzero(near.any(axis=0)):
            zone = self.zones[z]
            candidates = np.flatnonzero(near[:, z])
            inside = shapely.intersects_xy(zone.shape_m, x[candidates], y[candidates])
            for i in candidates[inside]:
                if found[i] is None:
                    found[i] = zone
        return found


@dataclass(frozen=True)
class CorridorShape:
    id: int
    line_m: LineString
    half_width_m: float
    length_m: float
    stop_zones: Zones


@dataclass(frozen=True)
class CheckpointFences:
    zones: Zones


#: How often the checkpoint geofences' version is asked, seconds.
FENCES_CHECK_S = 5.0

_lock = threading.Lock()
_corridors: dict[int, tuple[datetime, CorridorShape]] = {}
_fences: tuple[tuple[datetime | None, int], CheckpointFences] | None = None
_fences_checked_at = 0.0


def corridor_shape(session: Session, corridor_id: int, version: datetime) -> CorridorShape:
    """The corridor's metric shape; `version` is its row's updated_at (a newer one reloads it)."""
    with _lock:
        cached = _corridors.get(corridor_id)
        if cached and cached[0] == version:
            return cached[1]
    corridor = session.get(Corridor, corridor_id)
    shape = CorridorShape(
        id=corridor.id,
        line_m=to_metric(to_shape(corridor.geom)),
        half_width_m=corridor.half_width_m,
        length_m=corridor.length_m,
        stop_zones=Zones(tuple(Zone(z.id, z.name, to_metric(to_shape(z.geom))) for z in corridor.stop_zones)),
    )
    shapely.prepare(shape.line_m)
    with _lock:
        _corridors[corridor.id] = (corridor.updated_at, shape)
    return shape


def checkpoint_fences(session: Session) -> CheckpointFences:
    global _fences, _fences_checked_at
    with _lock:
        if _fences and time.monotonic() - _fences_checked_at < FENCES_CHECK_S:
            return _fences[1]
    version = tuple(session.execute(select(func.max(Checkpoint.updated_at), func.count())).one())
    with _lock:
        if _fences and _fences[0] == version:
            _fences_checked_at = time.monotonic()
            return _fences[1]
    fences = CheckpointFences(Zones(tuple(
        Zone(cp.id, cp.code, to_metric(to_shape(cp.geofence))) for cp in session.scalars(select(Checkpoint))
    )))
    with _lock:
        _fences, _fences_checked_at = (version, fences), time.monotonic()
    return fences


def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat arrays to KG_METRIC_CRS metres."""
    x, y = metric_transformer().transform(lon, lat)
    return np.asarray(x), np.asarray(y)

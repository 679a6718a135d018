"""Stops of a trip or a device, found by chekara.domain.analytics.stops, with the place each one is in.

The endpoint uses detect_stops_lonlat: MovingPandas' TrajectoryStopDetector
exactly (its rectangle fitted in degrees, measured geodesically), so a stop
here is the stop MovingPandas finds on the same fixes.

A trajectory is one device's fixes in time order: a trip with an escort
phone and a vehicle tracker has two, and each stop names its device.
Fixes flagged as GPS anomalies are left out (their position is known to
be wrong). The stop's centre is the median longitude and latitude of its
fixes, as MovingPandas' get_stop_points gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chekara.db.models import Device, Position, Trip
from chekara.domain.analytics.stops import detect_stops_lonlat
from chekara.errors import InvalidInput, NotFound
from chekara.services.devices import get_device

MIN_DIAMETER_M, MAX_DIAMETER_M = 10.0, 5_000.0
MIN_DURATION_S, MAX_DURATION_S = 30.0, 7 * 86_400.0


@dataclass(frozen=True)
class PlaceRef:
    kind: str  # "checkpoint" or "stop_zone"
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Stop:
    device_id: str
    trip_id: int | None
    start: datetime
    end: datetime
    duration_s: float
    fixes: int
    lon: float
    lat: float
    checkpoint: PlaceRef | None
    stop_zone: PlaceRef | None


@dataclass(frozen=True)
class Track:
    """One device's fixes, as the detector and MovingPandas both need them."""

    device_id: str
    ts: list[datetime]
    lon: np.ndarray
    lat: np.ndarray
    trip_ids: list[int | None]


def tracks(session: Session, trip_id: int | None = None, device_id: str | None = None,
           from_: datetime | None = None, to: datetime | None = None) -> list[Track]:
    """The trajectories of a trip (one per device) or of one device, anomalies left out."""
    if (trip_id is None) == (device_id is None):
        raise InvalidInput("give exactly one of trip_id and device_id", field="trip_id")
    query = select(Device.device_id, Position.ts, Position.trip_id,
                   Position.geom.ST_X(), Position.geom.ST_Y()).join(Device, Device.id == Position.device_id)
    if trip_id is not None:
        if session.get(Trip, trip_id) is None:
            raise NotFound(f"no trip {trip_id}", field="trip_id")
        query = query.where(Position.trip_id == trip_id)
    else:
        query = query.where(Position.device_id == get_device(session, device_id).id)
    query = query.where(Position.anomaly.is_(False))
    if from_ is not None:
        query = query.where(Position.ts >= from_)
    if to is not None:
        query = query.where(Position.ts < to)
    rows = session.execute(query.order_by(Device.device_id, Position.ts)).all()
    out: list[Track] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            chunk = rows[start:i]
            out.append(Track(
                device_id=chunk[0][0], ts=[r[1] for r in chunk], trip_ids=[r[2] for r in chunk],
                lon=np.array([r[3] for r in chunk], dtype=float), lat=np.array([r[4] for r in chunk], dtype=float),
            ))
            start = i
    return out


def check_parameters(max_diameter_m: float, min_duration_s: float) -> None:
    if not MIN_DIAMETER_M <= max_diameter_m <= MAX_DIAMETER_M:
        raise InvalidInput(f"max_diameter_m must be {MIN_DIAMETER_M:.0f}..{MAX_DIAMETER_M:.0f}", field="max_diameter_m")
    if not MIN_DURATION_S <= min_duration_s <= MAX_DURATION_S:
        raise InvalidInput(f"min_duration_s must be {MIN_DURATION_S:.0f}..{MAX_DURATION_S:.0f}", field="min_duration_s")


def stops_of_track(track: Track, max_diameter_m: float, min_duration_s: float) -> list[tuple[int, int]]:
    """(first, last) fix indexes of the track's stops: MovingPandas' stops (detect_stops_lonlat), fix for fix."""
    if len(track.ts) < 2:
        return []
    t0 = track.ts[0]
    t = np.array([(ts - t0).total_seconds() for ts in track.ts])
    return [(s.first, s.last) for s in detect_stops_lonlat(t, track.lon, track.lat, max_diameter_m, min_duration_s)]


_PLACE_AT = text("""
SELECT 'checkpoint' AS kind, id, code, name_en AS name FROM checkpoints
 WHERE ST_Intersects(geofence, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
UNION ALL
SELECT 'stop_zone', z.id, c.code, z.name FROM stop_zones z JOIN corridors c ON c.id = z.corridor_id
 WHERE ST_Intersects(z.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
ORDER BY 1, 2
""")


def places_at(session: Session, lon: float, lat: float) -> tuple[PlaceRef | None, PlaceRef | None]:
    """The checkpoint geofence and the stop zone a point lies in, if any (the first of each by id)."""
    checkpoint = stop_zone = None
    for kind, place_id, code, name in session.execute(_PLACE_AT, {"lon": lon, "lat": lat}):
        if kind == "checkpoint" and checkpoint is None:
            checkpoint = PlaceRef(kind, place_id, code, name)
        if kind == "stop_zone" and stop_zone is None:
            stop_zone = PlaceRef(kind, place_id, code, name)
    return checkpoint, stop_zone


def find_stops(
    session: Session, trip_id: int | None = None, device_id: str | None = None,
    max_diameter_m: float = 150.0, min_duration_s: float = 900.0,
    from_: datetime | None = None, to: datetime | None = None,
) -> list[Stop]:
    check_parameters(max_diameter_m, min_duration_s)
    found: list[Stop] = []
    for track in tracks(session, trip_id, device_id, from_, to):
        for first, last in stops_of_track(track, max_diameter_m, min_duration_s):
            lon = float(np.median(track.lon[first : last + 1]))
            lat = float(np.median(track.lat[first : last + 1]))
            checkpoint, stop_zone = places_at(session, lon, lat)
            found.append(Stop(
                device_id=track.device_id, trip_id=track.trip_ids[first], start=track.ts[first], end=track.ts[last],
                duration_s=(track.ts[last] - track.ts[first]).total_seconds(), fixes=last - first + 1,
                lon=lon, lat=lat, checkpoint=checkpoint, stop_zone=stop_zone,
            ))
    return sorted(found, key=lambda s: (s.start, s.device_id))

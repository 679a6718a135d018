"""A national fleet for the load benchmark: N convoys in transit on the seeded corridors.

Each convoy is one trip with two devices, as on the road: the truck's tracker
(token-holding; it reports in JSON batches through an integration) and the
escort's phone (Traccar Client, the OsmAnd protocol, one fix per request).
Where a convoy is at any moment is a pure function of time, so every sender
agrees on it and the benchmark knows which fix must raise a route deviation.

    fleet = build_fleet(engine, 2_000, deviating=20)
    lon, lat, offset_m = fleet.convoys[0].position(time.time())
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely

from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, Point
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db.models import Corridor
from chekara.domain.geometry import to_lonlat, to_metric
from chekara.domain.roles import Actor
from chekara.ingest.batch import IngestContext
from chekara.ingest.pipeline import ingest
from chekara.services.devices import issue_osmand_id, register_device
from chekara.services.tokens import create_token
from chekara.services.trips import TripDeviceDraft, TripDraft, create_trip

SETUP_ACTOR = Actor("bench-setup", "admin")
#: Along the corridor, m/s (60 km/h).
SPEED_MS = 60 / 3.6
#: How far a deviating convoy ends up from the centreline, metres.
DEVIATION_M = 1_500.0
#: Convoys keep at least this far from either end (outside the 1 km checkpoint geofences),
#: or a fifth of a short corridor.
END_MARGIN_M = 8_000.0


def end_margin_m(length_m: float) -> float:
    return min(END_MARGIN_M, length_m / 5)


#: Spacing of the precomputed lon/lat table along a corridor, metres.
TABLE_STEP_M = 20.0


_tables: dict[int, tuple[LineString, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def along_table(line: LineString) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(metres along, lon, lat) at every vertex of a metric line and every TABLE_STEP_M between.

    The load client computes a position per request: through shapely and pyproj that was
    ~0.1 ms of the client's CPU per fix, on the same two cores as the server it measures.
    Interpolated between those points, lon/lat are off by millimetres (the projection's curvature)."""
    cached = _tables.get(id(line))
    if cached is None or cached[0] is not line:
        vertices = shapely.line_locate_point(line, shapely.points(shapely.get_coordinates(line)))
        along = np.unique(np.concatenate([np.arange(0.0, line.length, TABLE_STEP_M), vertices, [line.length]]))
        lonlat = shapely.get_coordinates(to_lonlat(shapely.MultiPoint(
            shapely.get_coordinates(shapely.line_interpolate_point(line, along)))))
        cached = _tables[id(line)] = (line, (along, lonlat[:, 0].copy(), lonlat[:, 1].copy()))
    return cached[1]


@dataclass
class Convoy:
    trip_id: int
    tracker_id: str
    escort_id: str
    corridor: str
    half_width_m: float
    line_m: LineString
    start_m: float
    #: Unix time the convoy sets off sideways, or None for a convoy that keeps its corridor.
    deviates_at: float | None = None
    #: Unix time the positions are measured from.
    epoch: float = 0.0
    #: The escort phone's OsmAnd identifier (its credential on /osmand).
    escort_osmand_id: str = ""

    def offset_m(self, t: float) -> float:
        """Sideways from the centreline: DEVIATION_M from deviates_at on (the fix before it is minutes older,
        so the implied speed stays believable)."""
        if self.deviates_at is None or t < self.deviates_at:
            return 0.0
        return DEVIATION_M

    def position(self, t: float) -> tuple[float, float, float]:
        """(lon, lat, sideways offset in metres) at Unix time t; it bounces between the corridor's ends."""
        margin = end_margin_m(self.line_m.length)
        span = self.line_m.length - 2 * margin
        travelled = (self.start_m - margin + (t - self.epoch) * SPEED_MS) % (2 * span)
        along = margin + (travelled if travelled <= span else 2 * span - travelled)
        offset = self.offset_m(t)
        if offset == 0.0:  # on the centreline: from the precomputed table
            table_m, lons, lats = along_table(self.line_m)
            return round(float(np.interp(along, table_m, lons)), 7), round(float(np.interp(along, table_m, lats)), 7), 0.0
        here = self.line_m.interpolate(along)
        ahead = self.line_m.interpolate(along + 10.0)
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        p = to_lonlat(Point(here.x - dy / norm * offset, here.y + dx / norm * offset))
        return round(p.x, 7), round(p.y, 7), offset


@dataclass
class Fleet:
    convoys: list[Convoy]
    #: Bearer tokens: the integration that posts the trackers' batches, an operator, and an
    #: administrator (the server processes' ingest counters).
    integration_token: str
    operator_token: str
    admin_token: str = ""
    history_fixes: int = 0
    #: Unix time of the last fix of history every device sent.
    history_end: float = 0.0
    deviating: list[Convoy] = field(default_factory=list)


def _fix(device_id: str, t: float, lon: float, lat: float) -> dict:
    return {
        "device_id": device_id, "ts": datetime.fromtimestamp(t, UTC).isoformat(), "lat": lat, "lon": lon,
        "speed_kmh": SPEED_MS * 3.6,
    }


def build_fleet(engine: Engine, convoys: int, deviating: int, seed: int = 7, progress=None) -> Fleet:
    """Register the devices and trips, then feed each convoy 4 minutes of history so it is in transit."""
    rng = random.Random(seed)
    settings = get_settings()
    now = datetime.now(UTC).timestamp()
    with Session(engine) as session:
        integration = create_token(session, settings, "load-integration", "device", SETUP_ACTOR).token
        operator = create_token(session, settings, "load-operator", "operator", SETUP_ACTOR).token
        admin = create_token(session, settings, "load-admin", "admin", SETUP_ACTOR).token
        corridors = list(session.scalars(select(Corridor).order_by(Corridor.code)))
        shapes = {c.code: to_metric(to_shape(c.geom)) for c in corridors}
        fleet = Fleet([], integration, operator, admin)
        for i in range(convoys):
            corridor = corridors[i % len(corridors)]
            line = shapes[corridor.code]
            tracker, escort = f"TRK-{i:05d}", f"ESC-{i:05d}"
            register_device(session, tracker, "tracker", f"truck tracker {i}", "load-integration", SETUP_ACTOR)
            phone = register_device(session, escort, "escort_phone", f"escort phone {i}", None, SETUP_ACTOR)
            osmand_id = issue_osmand_id(session, settings, phone, SETUP_ACTOR)
            trip = create_trip(session, TripDraft(
                declaration_number=f"LOAD-{i:05d}", vehicle_plates=["01123ABC"],
                devices=[TripDeviceDraft(tracker, "vehicle"), TripDeviceDraft(escort, "escort")],
                origin=corridor.origin.code, destination=corridor.destination.code, corridor=corridor.code,
                planned_departure=datetime.fromtimestamp(now, UTC) - timedelta(hours=1),
                deadline=datetime.fromtimestamp(now, UTC) + timedelta(days=2),
            ), SETUP_ACTOR)
            start = rng.uniform(end_margin_m(line.length), line.length - end_margin_m(line.length))
            fleet.convoys.append(Convoy(trip.id, tracker, escort, corridor.code, corridor.half_width_m, line, start,
                                        epoch=now, escort_osmand_id=osmand_id))
            if progress and i % 100 == 99:
                session.flush()
                progress(i + 1)
        session.commit()
    fleet.deviating = rng.sample(fleet.convoys, min(deviating, convoys))
    fleet.history_fixes = _feed_history(engine, fleet, now)
    fleet.history_end = now - 60
    return fleet


def _feed_history(engine: Engine, fleet: Fleet, now: float) -> int:
    """Four fixes a minute apart, ending a minute ago, for both devices of every convoy, in batches."""
    settings = get_settings()
    fixes = []
    for t in (now - 240, now - 180, now - 120, now - 60):
        for convoy in fleet.convoys:
            lon, lat, _ = convoy.position(t)
            fixes += [_fix(convoy.tracker_id, t, lon, lat), _fix(convoy.escort_id, t, lon, lat)]
    with Session(engine) as session:
        for offset in range(0, len(fixes), 4_000):
            ctx = IngestContext(session=session, actor=SETUP_ACTOR, now=datetime.now(UTC),
                                thresholds=settings.detection_thresholds())
            result = ingest(fixes[offset:offset + 4_000], ctx)
            session.commit()
            if result.rejected:
                raise RuntimeError(f"history refused: {result.rejected[:3]}")
    return len(fixes)

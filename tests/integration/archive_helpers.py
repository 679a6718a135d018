"""A small fleet written straight into positions (COPY, as the bench does) on dates ingest would refuse as too old."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from chekara.db.models import Corridor
from chekara.domain.analytics.h3_cells import latlng_cell
from chekara.domain.geometry import lonlat_transformer, to_metric
from chekara.domain.roles import Actor
from chekara.ingest.persist import copy_positions, positions_ewkb
from chekara.services.devices import register_device
from chekara.services.trips import TripDeviceDraft, TripDraft, create_trip

ACTOR = Actor("archive-test", "admin")


@dataclass(frozen=True)
class Truck:
    device_pk: int
    trip_id: int | None
    #: Along-corridor start, metres, and direction of travel.
    offset_m: float


def make_fleet(session, tag: str, start: datetime, days: int) -> list[Truck]:
    """Three trips (one with two devices) and one device on no trip, on the first seeded corridor."""
    corridor = session.scalars(select(Corridor).order_by(Corridor.code)).first()
    trucks = []
    for i in range(3):
        devices = [f"{tag}-{i}"] + ([f"{tag}-{i}-escort"] if i == 0 else [])
        for device in devices:
            register_device(session, device, "tracker", "", None, ACTOR)
        trip = create_trip(session, TripDraft(
            declaration_number=f"{tag}-{i}", vehicle_plates=["01123ABC"],
            devices=[TripDeviceDraft(d, "vehicle" if n == 0 else "escort") for n, d in enumerate(devices)],
            origin=corridor.origin.code, destination=corridor.destination.code, corridor=corridor.code,
            planned_departure=start - timedelta(hours=1), deadline=start + timedelta(days=days + 1),
        ), ACTOR)
        session.flush()
        for n, device in enumerate(trip.devices):
            trucks.append(Truck(device.device_id, trip.id, 2_000.0 * i + 40.0 * n))
    loose = register_device(session, f"{tag}-loose", "tracker", "", None, ACTOR)
    session.flush()
    trucks.append(Truck(loose.id, None, 5_000.0))
    return trucks


def write_fixes(session, trucks: list[Truck], start: datetime, end: datetime, interval_s: float = 240.0,
                seed: int = 17) -> int:
    """Each truck drives 30 km of the corridor back and forth at ~60 km/h, with pauses and some fixes without speed."""
    corridor = session.scalars(select(Corridor).order_by(Corridor.code)).first()
    line = to_metric(to_shape(corridor.geom))
    rng = np.random.default_rng(seed)
    rows = []
    for truck in trucks:
        t = np.arange(start.timestamp() + rng.uniform(0, interval_s), end.timestamp(), interval_s)
        t = t[np.arange(len(t)) % 50 >= 4]  # a 20-minute gap now and then: dwell is capped there
        # A triangle wave: 30 km out and back every ~1 h, so cells see the same trip on several days.
        phase = ((t - t[0]) / 1_800.0 + truck.offset_m / 30_000.0) % 2.0
        along = np.where(phase < 1.0, phase, 2.0 - phase) * 30_000.0
        points = [line.interpolate(a) for a in along]
        x = np.array([p.x for p in points]) + rng.normal(0, 5, len(points))
        y = np.array([p.y for p in points]) + rng.normal(0, 5, len(points))
        lon, lat = lonlat_transformer().transform(x, y)
        speed = rng.uniform(40, 80, len(t)).round(1)
        geoms = positions_ewkb(np.asarray(lon), np.asarray(lat))
        for k in range(len(t)):
            rows.append((
                truck.device_pk, truck.trip_id, datetime.fromtimestamp(float(t[k]), UTC), end, geoms[k],
                None if k % 7 == 0 else float(speed[k]), 90.0, 8.0, None, None, latlng_cell(float(lat[k]), float(lon[k])),
                float(rng.uniform(0, 400)), None, None, False,
            ))
    session.flush()
    copy_positions(session.connection().connection.driver_connection, rows)
    return len(rows)

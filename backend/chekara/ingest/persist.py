"""Persist: every accepted fix by binary COPY, in the batch's one transaction.

COPY is the fastest way into PostgreSQL (PITFALLS.md: ~120 k rows/s with the
indexes); the trips' detector state and last positions are written in one
UPDATE, alerts and status changes flushed by the ORM, all in the same
transaction, so a fix and the state it produced commit together.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import shapely

from chekara.db import driver
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.trip_rows import write_trips

COPY_POSITIONS = (
    "COPY positions (device_id, trip_id, ts, received_at, geom, speed_kmh, heading_deg, accuracy_m,"
    " altitude_m, battery_pct, h3_r9, corridor_distance_m, stop_zone_id, checkpoint_id, anomaly)"
    " FROM STDIN (FORMAT BINARY)"
)
COPY_TYPES = [
    "int4", "int4", "timestamptz", "timestamptz", "bytea", "float8", "float8", "float8",
    "float8", "float8", "int8", "float8", "int4", "int4", "bool",
]


def positions_ewkb(lon: np.ndarray, lat: np.ndarray) -> list[bytes]:
    """EWKB points with SRID 4326, which PostGIS's binary receive takes for a geometry column."""
    points = shapely.set_srid(shapely.points(lon, lat), 4326)
    return list(shapely.to_wkb(points, include_srid=True))


def copy_positions(connection, rows) -> None:
    """Write rows (tuples in COPY_POSITIONS column order) with psycopg's binary COPY."""
    with connection.cursor() as cursor:
        with cursor.copy(COPY_POSITIONS) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)


def persist_step(batch: Batch, ctx: IngestContext) -> Batch:
    if batch.fixes:
        received_at: datetime = ctx.now
        geoms = positions_ewkb(
            np.fromiter((f.lon for f in batch.fixes), float, len(batch.fixes)),
            np.fromiter((f.lat for f in batch.fixes), float, len(batch.fixes)),
        )
        rows = (
            (
                f.device_pk, f.trip_id, f.ts, received_at, geom, f.speed_kmh, f.heading_deg, f.accuracy_m,
                f.altitude_m, f.battery_pct, f.h3_r9, f.corridor_distance_m, f.stop_zone_id, f.checkpoint_id,
                f.anomaly,
            )
            for f, geom in zip(batch.fixes, geoms)
        )
        ctx.session.flush()
        copy_positions(driver.driver_connection(ctx.session), rows)
    ctx.session.flush()
    write_trips(ctx.session, list(batch.trips.values()))
    return batch

"""A trip's fixes in detached months, read back from the GeoParquet archive for trip review and replay.

Rows are sorted by trip in row groups, so the trip filter skips most of each file. The fixes come
back as transient ``Position`` objects (never added to a session), so the track route treats
archived and stored fixes alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from chekara.db.models import Position
from chekara.db.models.base import SRID_WGS84
from chekara.services.archive import geoparquet as gp
from chekara.services.archive.months import detached_months


def archived_track(session: Session, root: Path, trip_id: int) -> list[Position]:
    """The trip's fixes in every detached month, in time order."""
    out: list[Position] = []
    for ledger in detached_months(session):
        for path in gp.day_files(root, ledger.month):
            table = gp.read_file(path, filters=[("trip_id", "=", trip_id)])
            out.extend(_position(row) for row in table.to_pylist())
    return sorted(out, key=lambda p: (p.ts, p.device_id))


def _position(row: dict) -> Position:
    ts = row["ts"] if row["ts"].tzinfo else row["ts"].replace(tzinfo=UTC)
    return Position(
        id=row["id"], device_id=row["device_ref"], trip_id=row["trip_id"], ts=ts,
        received_at=row["received_at"] or datetime.min.replace(tzinfo=UTC),
        geom=from_shape(Point(row["lon"], row["lat"]), srid=SRID_WGS84),
        speed_kmh=row["speed_kmh"], heading_deg=row["heading_deg"], accuracy_m=row["accuracy_m"],
        altitude_m=row["altitude_m"], battery_pct=row["battery_pct"], h3_r9=row["h3_r9"],
        corridor_distance_m=row["corridor_distance_m"], stop_zone_id=row["stop_zone_id"],
        checkpoint_id=row["checkpoint_id"], anomaly=row["anomaly"],
    )

"""Escorted transits: devices, trips, the devices on a trip, and their GPS fixes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import SRID_WGS84, Base, Timestamped
from chekara.db.models.reference import Checkpoint, Corridor
from chekara.db.models.security import User

DEVICE_KINDS = ("tracker", "escort_phone", "seal")
#: How a device proves who it is: its owner's API token (trackers, seals, integrations), or an
#: OsmAnd identifier that Chekara issued and that is itself the secret (escort phones).
DEVICE_CREDENTIALS = ("token", "osmand")
TRIP_STATUSES = ("planned", "in_transit", "arrived", "cancelled")
DEVICE_ROLES = ("escort", "vehicle")


class Device(Base):
    """A GPS tracker, escort phone or e-seal, known by its own id (IMEI, app id)."""

    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint("kind IN ('tracker', 'escort_phone', 'seal')", name="kind"),
        CheckConstraint("credential IN ('token', 'osmand')", name="credential"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="tracker")
    credential: Mapped[str] = mapped_column(String(16), default="token", server_default="token")
    #: HMAC-SHA256 (under CHEKARA_SECRET_KEY) of the issued OsmAnd identifier; the identifier is shown once.
    osmand_id_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Fixes refused for a clock running ahead: how many since future_since, and the largest lead, seconds.
    future_fixes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    future_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    future_max_s: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str] = mapped_column(Text, default="")
    #: The device-role user whose token may post this device's fixes.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    owner: Mapped[User | None] = relationship(lazy="joined")


class DetectorState(TypeDecorator):
    """A dict in Python, its JSON text (orjson's) as bytea in PostgreSQL.

    Not json: PostgreSQL checks a json value's syntax on every write, and for a group's states that
    check was half the cost of the trips' UPDATE (migration 0014)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect) -> bytes | None:
        return None if value is None else orjson.dumps(value)

    def process_result_value(self, value: bytes | None, dialect) -> dict[str, Any] | None:
        return None if value is None else orjson.loads(value)


class Trip(Timestamped, Base):
    """One escorted transit of a declaration's vehicles along a corridor."""

    __tablename__ = "trips"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_transit', 'arrived', 'cancelled')", name="status"),
        CheckConstraint("deadline > planned_departure", name="deadline"),
        Index("ix_trips_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_number: Mapped[str] = mapped_column(String(40), index=True)
    vehicle_plates: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id"))
    origin_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    destination_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    planned_departure: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    departed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: Along-track distance of accepted fixes, metres.
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    last_fix_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_point = mapped_column(Geometry("POINT", srid=SRID_WGS84, spatial_index=False))
    last_speed_kmh: Mapped[float | None] = mapped_column(Float)
    last_heading_deg: Mapped[float | None] = mapped_column(Float)
    #: Distance of the last fix along the corridor from its start, metres (for the ETA).
    last_progress_m: Mapped[float | None] = mapped_column(Float)
    #: Detector state between batches, so a restart resumes where it stopped: a dict here, its JSON
    #: text as bytea in the table (migrations 0013 and 0014: only ever read and written whole).
    detector_state: Mapped[dict[str, Any]] = mapped_column(DetectorState, default=dict)
    created_by: Mapped[str] = mapped_column(Text, default="")

    corridor: Mapped[Corridor] = relationship(lazy="joined")
    origin: Mapped[Checkpoint] = relationship(foreign_keys=[origin_id], lazy="joined")
    destination: Mapped[Checkpoint] = relationship(foreign_keys=[destination_id], lazy="joined")
    devices: Mapped[list["TripDevice"]] = relationship(back_populates="trip", cascade="all, delete-orphan", lazy="selectin")


class TripDevice(Base):
    """A device attached to a trip: the escort's, or a tracker on one vehicle."""

    __tablename__ = "trip_devices"
    __table_args__ = (
        CheckConstraint("role IN ('escort', 'vehicle')", name="role"),
        UniqueConstraint("trip_id", "device_id", name="uq_trip_devices_trip_device"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    plate: Mapped[str | None] = mapped_column(String(20))

    trip: Mapped[Trip] = relationship(back_populates="devices")
    device: Mapped[Device] = relationship(lazy="joined")


class Position(Base):
    """One GPS fix, enriched on arrival. Written by COPY in the ingest pipeline.

    Partitioned by UTC calendar month of ``ts`` (``positions_YYYY_MM``, plus a DEFAULT partition
    for months without one: chekara.services.archive.partitions); every index is per partition.
    The primary key holds ``ts`` because a partitioned table's unique keys must hold its key.
    """

    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("device_id", "ts", name="uq_positions_device_ts"),
        Index("ix_positions_trip_ts", "trip_id", "ts"),
        Index("ix_positions_geom", "geom", postgresql_using="gist"),
        Index("ix_positions_h3_r9", "h3_r9"),
        #: Window queries (dwell, archive export and detach) read a time range through this.
        Index("ix_positions_ts", "ts"),
        {"postgresql_partition_by": "RANGE (ts)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    geom = mapped_column(Geometry("POINT", srid=SRID_WGS84, spatial_index=False), nullable=False)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    battery_pct: Mapped[float | None] = mapped_column(Float)
    #: H3 cell at resolution 9, as a signed 64-bit integer.
    h3_r9: Mapped[int] = mapped_column(BigInteger)
    corridor_distance_m: Mapped[float | None] = mapped_column(Float)
    stop_zone_id: Mapped[int | None] = mapped_column(Integer)
    checkpoint_id: Mapped[int | None] = mapped_column(Integer)
    #: Implied speed from the previous fix was impossible: kept, not used to move the convoy.
    anomaly: Mapped[bool] = mapped_column(Boolean, default=False)


class IngestPart(Base):
    """A part of a large group of fixes, offered by the server process that took it to the others
    (ingest/shared_parts.py). A row lives for the length of one group."""

    __tablename__ = "ingest_parts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    #: The offering process's name (its pid and a random suffix).
    origin: Mapped[str] = mapped_column(Text)
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The part's fixes as the JSON they came in, with their submissions' senders and indices.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    #: What the part came to, written by the process that ran it, in the same transaction.
    results: Mapped[bytes | None] = mapped_column(LargeBinary)

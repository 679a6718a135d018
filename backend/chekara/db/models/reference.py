"""Reference geography: checkpoints, corridors, their segments and stop zones."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import SRID_WGS84, Base, Timestamped

BORDER_KINDS = ("eaeu", "external", "inland")
TRANSPORT_MODES = ("road", "rail")
COORD_ACCURACIES = ("exact", "approximate")
STOP_ZONE_KINDS = ("customs_post", "rest_area", "fuel", "truck_park")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


class Checkpoint(Timestamped, Base):
    """A border or inland customs control point."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        CheckConstraint(_one_of("border_kind", BORDER_KINDS), name="border_kind"),
        CheckConstraint(_one_of("mode", TRANSPORT_MODES), name="mode"),
        CheckConstraint(_one_of("coord_accuracy", COORD_ACCURACIES), name="coord_accuracy"),
        CheckConstraint("lanes >= 0", name="lanes"),
        Index("ix_checkpoints_point", "point", postgresql_using="gist"),
        Index("ix_checkpoints_geofence", "geofence", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_ru: Mapped[str] = mapped_column(Text)
    name_ky: Mapped[str] = mapped_column(Text)
    #: ISO 3166-1 alpha-2 of the neighbour country; None for inland posts.
    country: Mapped[str | None] = mapped_column(String(2))
    border_kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8), default="road")
    lanes: Mapped[int] = mapped_column(Integer, default=2)
    has_weighbridge: Mapped[bool] = mapped_column(Boolean, default=False)
    neighbour_post: Mapped[str | None] = mapped_column(Text)
    point = mapped_column(Geometry("POINT", srid=SRID_WGS84, spatial_index=False), nullable=False)
    geofence = mapped_column(Geometry("POLYGON", srid=SRID_WGS84, spatial_index=False), nullable=False)
    geofence_radius_m: Mapped[float] = mapped_column(Float, default=1000.0)
    #: OpenStreetMap opening_hours syntax, e.g. "24/7" or "Mo-Fr 09:00-18:00" (Bishkek time): chekara.domain.opening_hours.
    opening_hours: Mapped[str] = mapped_column(Text, default="24/7", server_default="24/7")
    coord_source: Mapped[str] = mapped_column(Text, default="")
    coord_accuracy: Mapped[str] = mapped_column(String(16), default="approximate")


class Corridor(Timestamped, Base):
    """An approved route between two checkpoints, with a half-width in metres."""

    __tablename__ = "corridors"
    __table_args__ = (
        CheckConstraint("half_width_m > 0", name="half_width_m"),
        Index("ix_corridors_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    geom = mapped_column(Geometry("LINESTRING", srid=SRID_WGS84, spatial_index=False), nullable=False)
    half_width_m: Mapped[float] = mapped_column(Float, default=500.0)
    length_m: Mapped[float] = mapped_column(Float)
    origin_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    destination_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    source: Mapped[str] = mapped_column(Text, default="")

    origin: Mapped[Checkpoint] = relationship(foreign_keys=[origin_id], lazy="joined")
    destination: Mapped[Checkpoint] = relationship(foreign_keys=[destination_id], lazy="joined")
    segments: Mapped[list["CorridorSegment"]] = relationship(
        back_populates="corridor", cascade="all, delete-orphan", order_by="CorridorSegment.seq"
    )
    stop_zones: Mapped[list["StopZone"]] = relationship(
        back_populates="corridor", cascade="all, delete-orphan", order_by="StopZone.name"
    )


class CorridorSegment(Base):
    """A ~5 km piece of a corridor: small bounding boxes keep index lookups fast."""

    __tablename__ = "corridor_segments"
    __table_args__ = (
        UniqueConstraint("corridor_id", "seq", name="uq_corridor_segments_corridor_seq"),
        Index("ix_corridor_segments_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    #: Distance along the corridor where the segment starts, metres.
    start_m: Mapped[float] = mapped_column(Float)
    geom = mapped_column(Geometry("LINESTRING", srid=SRID_WGS84, spatial_index=False), nullable=False)

    corridor: Mapped[Corridor] = relationship(back_populates="segments")


class StopZone(Base):
    """A designated place on a corridor where a convoy may stop."""

    __tablename__ = "stop_zones"
    __table_args__ = (
        CheckConstraint(_one_of("kind", STOP_ZONE_KINDS), name="kind"),
        UniqueConstraint("corridor_id", "name", name="uq_stop_zones_corridor_name"),
        Index("ix_stop_zones_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    corridor_id: Mapped[int] = mapped_column(ForeignKey("corridors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    geom = mapped_column(Geometry("POLYGON", srid=SRID_WGS84, spatial_index=False), nullable=False)

    corridor: Mapped[Corridor] = relationship(back_populates="stop_zones")

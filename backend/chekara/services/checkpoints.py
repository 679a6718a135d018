"""Checkpoints: reading them, and writing them from reference data."""

from __future__ import annotations

from dataclasses import dataclass

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint
from chekara.domain.geometry import circle
from chekara.domain.roles import Actor
from chekara.errors import NotFound
from chekara.services import audit


def list_checkpoints(
    session: Session, border_kind: str | None = None, country: str | None = None, mode: str | None = None
) -> list[Checkpoint]:
    query = select(Checkpoint).order_by(Checkpoint.code)
    if border_kind:
        query = query.where(Checkpoint.border_kind == border_kind)
    if country:
        query = query.where(Checkpoint.country == country.upper())
    if mode:
        query = query.where(Checkpoint.mode == mode)
    return list(session.scalars(query))


def get_checkpoint(session: Session, code: str, field: str = "code") -> Checkpoint:
    checkpoint = session.scalar(select(Checkpoint).where(Checkpoint.code == code.upper()))
    if checkpoint is None:
        raise NotFound(f"no checkpoint with code {code!r}", field=field)
    return checkpoint


#: Columns copied as they are from a CheckpointRecord to a Checkpoint row.
_PLAIN_FIELDS = (
    "name_en", "name_ru", "name_ky", "country", "border_kind", "mode", "lanes",
    "has_weighbridge", "neighbour_post", "geofence_radius_m", "opening_hours", "coord_source", "coord_accuracy",
)


@dataclass(frozen=True)
class CheckpointRecord:
    """A checkpoint as reference data describes it (geodata/checkpoints.geojson)."""

    code: str
    name_en: str
    name_ru: str
    name_ky: str
    country: str | None
    border_kind: str
    mode: str
    lanes: int
    has_weighbridge: bool
    neighbour_post: str | None
    lon: float
    lat: float
    geofence_radius_m: float
    opening_hours: str
    coord_source: str
    coord_accuracy: str

    def differs_from(self, row: Checkpoint) -> bool:
        if any(getattr(self, f) != getattr(row, f) for f in _PLAIN_FIELDS):
            return True
        point = to_shape(row.point)
        return (round(point.x, 7), round(point.y, 7)) != (round(self.lon, 7), round(self.lat, 7))


def upsert_checkpoint(session: Session, record: CheckpointRecord, actor: Actor) -> str:
    """Create or update one checkpoint; 'created', 'updated' or 'unchanged'. The caller commits."""
    row = session.scalar(select(Checkpoint).where(Checkpoint.code == record.code))
    if row is not None and not record.differs_from(row):
        return "unchanged"
    outcome = "created" if row is None else "updated"
    if row is None:
        row = Checkpoint(code=record.code)
        session.add(row)
    point = Point(record.lon, record.lat)
    for name in _PLAIN_FIELDS:
        setattr(row, name, getattr(record, name))
    row.point = from_shape(point, srid=4326)
    row.geofence = from_shape(circle(point, record.geofence_radius_m), srid=4326)
    session.flush()
    audit.record(
        session, actor, "create" if outcome == "created" else "update", "checkpoint", record.code,
        {"lon": record.lon, "lat": record.lat, "border_kind": record.border_kind, "country": record.country},
    )
    return outcome

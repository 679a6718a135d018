"""Corridors: approved routes between checkpoints, with segments and stop zones.

save_corridor() is the one way a corridor is written, by a planner's upload
or by the seed: it validates the shape, recomputes the ~5 km segments, and
audits the change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, Polygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Corridor, CorridorSegment, StopZone
from chekara.domain.corridors import CorridorShapeError, check_half_width, check_line, check_stop_zone
from chekara.domain.geometry import length_m, split_line
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit
from chekara.services.checkpoints import get_checkpoint
from chekara.services.region import working_region


@dataclass(frozen=True)
class StopZoneDraft:
    name: str
    kind: str
    polygon: Polygon


@dataclass(frozen=True)
class CorridorDraft:
    """A corridor as a planner or the reference data describes it."""

    code: str
    name: str
    line: LineString
    half_width_m: float
    origin: str
    destination: str
    #: None keeps the corridor's present stop zones (on update); [] removes them.
    stop_zones: list[StopZoneDraft] | None = None
    source: str = ""


def list_corridors(session: Session) -> list[Corridor]:
    return list(session.scalars(select(Corridor).order_by(Corridor.code)))


def get_corridor(session: Session, code: str, field_name: str = "code") -> Corridor:
    corridor = session.scalar(select(Corridor).where(Corridor.code == code.upper()))
    if corridor is None:
        raise NotFound(f"no corridor with code {code!r}", field=field_name)
    return corridor


def _geometry_digest(line: LineString) -> str:
    return hashlib.sha256(line.wkb).hexdigest()


def _referenced_checkpoint(session: Session, code: str, field_name: str) -> Checkpoint:
    try:
        return get_checkpoint(session, code, field=field_name)
    except NotFound as exc:  # a bad reference inside a body is invalid input, not a missing resource
        raise InvalidInput(exc.message, field=field_name) from exc


def _validated(session: Session, draft: CorridorDraft) -> tuple[Checkpoint, Checkpoint]:
    try:
        check_half_width(draft.half_width_m)
        origin = _referenced_checkpoint(session, draft.origin, "origin")
        destination = _referenced_checkpoint(session, draft.destination, "destination")
        if origin.id == destination.id:
            raise InvalidInput("origin and destination must be different checkpoints", field="destination")
        check_line(draft.line, working_region(), to_shape(origin.point), to_shape(destination.point))
        names = set()
        for i, zone in enumerate(draft.stop_zones or []):
            if zone.name in names:
                raise CorridorShapeError(f"stop zone name {zone.name!r} is used twice", f"stop_zones.{i}.name")
            names.add(zone.name)
            check_stop_zone(zone.polygon, draft.line, f"stop_zones.{i}.geometry")
    except CorridorShapeError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    return origin, destination


def _same_as_stored(corridor: Corridor, draft: CorridorDraft, origin_id: int, destination_id: int) -> bool:
    if (
        corridor.name != draft.name
        or corridor.half_width_m != draft.half_width_m
        or corridor.origin_id != origin_id
        or corridor.destination_id != destination_id
        or corridor.source != draft.source
        or not to_shape(corridor.geom).equals_exact(draft.line, 1e-9)
    ):
        return False
    if draft.stop_zones is None:
        return True
    stored = {(z.name, z.kind): to_shape(z.geom) for z in corridor.stop_zones}
    wanted = {(z.name, z.kind): z.polygon for z in draft.stop_zones}
    return stored.keys() == wanted.keys() and all(stored[k].equals_exact(wanted[k], 1e-9) for k in wanted)


def save_corridor(session: Session, draft: CorridorDraft, actor: Actor, *, mode: str) -> tuple[Corridor, str]:
    """Write a corridor. mode: 'create' (must be new), 'replace' (must exist) or 'upsert'.

    Returns the corridor and 'created', 'updated' or 'unchanged'. The caller commits.
    """
    origin, destination = _validated(session, draft)
    corridor = session.scalar(select(Corridor).where(Corridor.code == draft.code))
    if mode == "create" and corridor is not None:
        raise Conflict(f"corridor {draft.code!r} already exists; use PUT to replace it", field="code")
    if mode == "replace" and corridor is None:
        raise NotFound(f"no corridor with code {draft.code!r}", field="code")
    if corridor is not None and _same_as_stored(corridor, draft, origin.id, destination.id):
        return corridor, "unchanged"

    outcome = "created" if corridor is None else "updated"
    before = None if corridor is None else _summary(corridor)
    if corridor is None:
        corridor = Corridor(code=draft.code)
        session.add(corridor)
    corridor.name = draft.name
    corridor.half_width_m = draft.half_width_m
    corridor.origin = origin
    corridor.destination = destination
    corridor.source = draft.source
    corridor.geom = from_shape(draft.line, srid=4326)
    corridor.length_m = length_m(draft.line)
    # Delete the old pieces first: the unit of work would insert before deleting.
    corridor.segments.clear()
    if draft.stop_zones is not None:
        corridor.stop_zones.clear()
    session.flush()
    corridor.segments = [
        CorridorSegment(seq=i, start_m=piece.start_m, geom=from_shape(piece.line, srid=4326))
        for i, piece in enumerate(split_line(draft.line))
    ]
    if draft.stop_zones is not None:
        corridor.stop_zones = [
            StopZone(name=z.name, kind=z.kind, geom=from_shape(z.polygon, srid=4326)) for z in draft.stop_zones
        ]
    session.flush()
    after = _summary(corridor) | {"geometry_sha256": _geometry_digest(draft.line)}
    audit.record(session, actor, "create" if outcome == "created" else "update", "corridor", draft.code,
                 {"before": before, "after": after})
    return corridor, outcome


def _summary(corridor: Corridor) -> dict:
    return {
        "name": corridor.name,
        "half_width_m": corridor.half_width_m,
        "length_m": round(corridor.length_m, 1),
        "origin": corridor.origin.code,
        "destination": corridor.destination.code,
        "vertices": len(to_shape(corridor.geom).coords),
        "stop_zones": sorted(z.name for z in corridor.stop_zones),
    }

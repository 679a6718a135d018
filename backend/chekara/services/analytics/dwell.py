"""Dwell per checkpoint and per stop zone: visit durations, their distribution, the longest.

Visits come from the zone each fix was tagged with on arrival
(positions.checkpoint_id: the checkpoint geofence; positions.stop_zone_id:
a designated stop zone of the trip's corridor); see
chekara.domain.analytics.dwell for what a visit is. Only fixes inside
[from, to) are read, so a visit crossing the window's edge is measured
within the window. GPS anomalies are left out: one bad fix would cut a
visit in two.

At checkpoints, crossings are visits too, so the table agrees with the map's
"vehicles inside" (open crossings): a crossing is a stay from its entry read to
its exit; one still inside at the window's end is a visit in progress. A
tracked trip whose declaration has a crossing at that checkpoint is that
crossing's vehicle: its GPS visits there are not counted a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Corridor, Crossing, Declaration, Device, StopZone, Trip
from chekara.domain.analytics.dwell import DwellSummary, Visit, ZoneFix, dwell_summary, zone_visits
from chekara.errors import InvalidInput

ZONE_KINDS = {"checkpoint": "checkpoint_id", "stop_zone": "stop_zone_id"}


@dataclass(frozen=True)
class Place:
    kind: str
    id: int
    #: Checkpoint code, or the stop zone's corridor code.
    code: str
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class PlaceDwell:
    place: Place
    summary: DwellSummary
    #: Visits in progress at the end of the window (vehicles inside, devices last seen inside); not in the distribution.
    open_visits: int


@dataclass(frozen=True)
class VisitRow:
    place: Place
    visit: Visit
    device_id: str
    declaration_number: str | None


def _column(kind: str) -> str:
    if kind not in ZONE_KINDS:
        raise InvalidInput("kind must be checkpoint or stop_zone", field="kind")
    return ZONE_KINDS[kind]


def places(session: Session, kind: str) -> dict[int, Place]:
    if _column(kind) == "checkpoint_id":
        return {
            cp.id: Place(kind, cp.id, cp.code, cp.name_en, to_shape(cp.point))
            for cp in session.scalars(select(Checkpoint))
        }
    return {
        zone.id: Place(kind, zone.id, code, zone.name, to_shape(zone.geom))
        for zone, code in session.execute(select(StopZone, Corridor.code).join(Corridor))
    }


def visits(session: Session, kind: str, from_: datetime, to: datetime) -> list[Visit]:
    column = _column(kind)
    if to <= from_:
        raise InvalidInput("to must be after from", field="to")
    # Fixes inside a zone, and the first fix after each run (it closes the visit).
    rows = session.execute(text(f"""
        SELECT device_id, trip_id, ts, zone FROM (
            SELECT device_id, trip_id, ts, {column} AS zone,
                   lag({column}) OVER (PARTITION BY device_id ORDER BY ts) AS previous_zone
            FROM positions WHERE ts >= :from_ AND ts < :to AND NOT anomaly
        ) f
        WHERE zone IS NOT NULL OR previous_zone IS NOT NULL
        ORDER BY device_id, ts
    """), {"from_": from_, "to": to}).all()
    return zone_visits([ZoneFix(*row) for row in rows])


@dataclass(frozen=True)
class CrossingStay:
    """A crossing as a visit of its checkpoint."""

    checkpoint_id: int
    declaration_number: str | None
    entered_at: datetime
    #: None: still inside at the window's end (a visit in progress).
    left_at: datetime | None

    @property
    def dwell_s(self) -> float:
        return (self.left_at - self.entered_at).total_seconds() if self.left_at else 0.0


def crossing_stays(session: Session, from_: datetime, to: datetime) -> list[CrossingStay]:
    """Crossings that ended in [from, to) or were still inside at `to` (what the map counts as inside)."""
    left = func.coalesce(Crossing.exited_at, Crossing.exit_read_at)
    rows = session.execute(
        select(Crossing.checkpoint_id, Declaration.number, Crossing.entered_at, left)
        .outerjoin(Declaration, Crossing.declaration_id == Declaration.id)
        .where(Crossing.entered_at < to, or_(left.is_(None), left >= from_))
    ).all()
    return [CrossingStay(cp, number, entered, gone if gone is not None and gone < to else None)
            for cp, number, entered, gone in rows]


def _not_covered_by_crossings(session: Session, found: list[Visit], stays: list[CrossingStay]) -> list[Visit]:
    """GPS visits, less those of trips whose declaration crossed the same checkpoint (already counted)."""
    covered = {(s.declaration_number, s.checkpoint_id) for s in stays if s.declaration_number}
    if not covered:
        return found
    trip_ids = {v.trip_id for v in found if v.trip_id is not None}
    numbers = dict(session.execute(select(Trip.id, Trip.declaration_number).where(Trip.id.in_(trip_ids))).all())
    return [v for v in found if (numbers.get(v.trip_id), v.zone_id) not in covered]


def zone_dwell(session: Session, kind: str, from_: datetime, to: datetime, code: str | None = None) -> list[PlaceDwell]:
    """Per place with a visit (closed or in progress): the distribution of closed visits' durations."""
    known = places(session, kind)
    stays = crossing_stays(session, from_, to) if kind == "checkpoint" else []
    closed: dict[int, list[float]] = {}
    open_count: dict[int, int] = {}
    for visit in _not_covered_by_crossings(session, visits(session, kind, from_, to), stays):
        if visit.closed:
            closed.setdefault(visit.zone_id, []).append(visit.dwell_s)
        else:
            open_count[visit.zone_id] = open_count.get(visit.zone_id, 0) + 1
    for stay in stays:
        if stay.left_at is not None:
            closed.setdefault(stay.checkpoint_id, []).append(stay.dwell_s)
        else:
            open_count[stay.checkpoint_id] = open_count.get(stay.checkpoint_id, 0) + 1
    out = []
    for place_id in closed.keys() | open_count.keys():
        place = known.get(place_id)
        if place is None or (code is not None and place.code != code.upper()):
            continue
        out.append(PlaceDwell(place, dwell_summary(closed.get(place_id, [])), open_count.get(place_id, 0)))
    return sorted(out, key=lambda d: (d.place.code, d.place.name))


def longest_dwells(session: Session, kind: str, from_: datetime, to: datetime, limit: int = 20) -> list[VisitRow]:
    """The longest closed visits, with their trip and device."""
    known = places(session, kind)
    closed = sorted((v for v in visits(session, kind, from_, to) if v.closed and v.zone_id in known),
                    key=lambda v: (-v.dwell_s, v.start))[:limit]
    devices = dict(session.execute(select(Device.id, Device.device_id).where(Device.id.in_({v.device_id for v in closed}))).all())
    trip_ids = {v.trip_id for v in closed if v.trip_id is not None}
    declarations = dict(session.execute(select(Trip.id, Trip.declaration_number).where(Trip.id.in_(trip_ids))).all())
    return [VisitRow(known[v.zone_id], v, devices[v.device_id], declarations.get(v.trip_id)) for v in closed]

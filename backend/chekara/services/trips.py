"""Trips: one escorted transit along a corridor, from planning to arrival or cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import Alert, Position, Trip, TripDevice
from chekara.domain.plates import PlateError, normalize_plate
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import alerts, audit, events, outbox
from chekara.services.exchange import bodies
from chekara.services.checkpoints import get_checkpoint
from chekara.services.corridors import get_corridor
from chekara.services.devices import get_device

ACTIVE_STATUSES = ("planned", "in_transit")
#: The speed assumed for the ETA until a trip has a track of its own, km/h.
DEFAULT_ETA_SPEED_KMH = 50.0


@dataclass(frozen=True)
class TripDeviceDraft:
    device_id: str
    role: str
    plate: str | None = None


@dataclass(frozen=True)
class TripDraft:
    declaration_number: str
    vehicle_plates: list[str]
    devices: list[TripDeviceDraft]
    origin: str
    destination: str
    corridor: str
    planned_departure: datetime
    deadline: datetime


def _normalised_plate(plate: str, field: str) -> str:
    try:
        return normalize_plate(plate)
    except PlateError as exc:
        raise InvalidInput(str(exc), field=field) from exc


def _bad_reference(exc: NotFound, field: str) -> InvalidInput:
    return InvalidInput(exc.message, field=field)


def create_trip(session: Session, draft: TripDraft, actor: Actor) -> Trip:
    plates = [_normalised_plate(p, f"vehicle_plates.{i}") for i, p in enumerate(draft.vehicle_plates)]
    try:
        origin = get_checkpoint(session, draft.origin, field="origin")
        destination = get_checkpoint(session, draft.destination, field="destination")
        corridor = get_corridor(session, draft.corridor, field_name="corridor")
    except NotFound as exc:
        raise _bad_reference(exc, exc.field or "body") from exc
    if {corridor.origin_id, corridor.destination_id} != {origin.id, destination.id}:
        raise InvalidInput(
            f"corridor {corridor.code} joins {corridor.origin.code} and {corridor.destination.code}, "
            f"not {origin.code} and {destination.code}",
            field="corridor",
        )
    if draft.deadline <= draft.planned_departure:
        raise InvalidInput("deadline must be after planned_departure", field="deadline")
    if not draft.devices:
        raise InvalidInput("at least one device must be attached", field="devices")
    trip = Trip(
        declaration_number=draft.declaration_number,
        vehicle_plates=plates,
        corridor=corridor,
        origin=origin,
        destination=destination,
        planned_departure=draft.planned_departure,
        deadline=draft.deadline,
        status="planned",
        detector_state={},
        created_by=actor.name,
        distance_m=0.0,
    )
    seen: set[str] = set()
    for i, d in enumerate(draft.devices):
        if d.device_id in seen:
            raise InvalidInput(f"device {d.device_id!r} is listed twice", field=f"devices.{i}.device_id")
        seen.add(d.device_id)
        try:
            device = get_device(session, d.device_id, field=f"devices.{i}.device_id")
        except NotFound as exc:
            raise _bad_reference(exc, exc.field or "devices") from exc
        busy = active_trip_of_device(session, device.id)
        if busy is not None:
            raise Conflict(f"device {d.device_id!r} is already on trip {busy.id}", field=f"devices.{i}.device_id")
        plate = _normalised_plate(d.plate, f"devices.{i}.plate") if d.plate else None
        trip.devices.append(TripDevice(device=device, role=d.role, plate=plate))
    session.add(trip)
    session.flush()
    audit.record(session, actor, "create", "trip", trip.id, {
        "declaration_number": trip.declaration_number, "plates": plates, "corridor": corridor.code,
        "devices": [{"device_id": d.device_id, "role": d.role} for d in draft.devices],
        "deadline": draft.deadline.isoformat(),
    })
    events.publish(session, "trip", trip_event(trip))
    return trip


def active_trip_of_device(session: Session, device_pk: int) -> Trip | None:
    return session.scalar(
        select(Trip).join(TripDevice).where(TripDevice.device_id == device_pk, Trip.status.in_(ACTIVE_STATUSES))
    )


def get_trip(session: Session, trip_id: int) -> Trip:
    trip = session.get(Trip, trip_id)
    if trip is None:
        raise NotFound(f"no trip with id {trip_id}", field="id")
    return trip


def list_trips(
    session: Session, status: str | None = None, checkpoint: str | None = None, corridor: str | None = None,
    limit: int = 200, offset: int = 0,
) -> list[Trip]:
    query = select(Trip).order_by(Trip.planned_departure.desc(), Trip.id.desc()).limit(limit).offset(offset)
    if status:
        query = query.where(Trip.status == status)
    if checkpoint:
        cp = get_checkpoint(session, checkpoint, field="checkpoint")
        query = query.where((Trip.origin_id == cp.id) | (Trip.destination_id == cp.id))
    if corridor:
        query = query.where(Trip.corridor_id == get_corridor(session, corridor, field_name="corridor").id)
    return list(session.scalars(query).unique())


def cancel_trip(session: Session, trip_id: int, reason: str, actor: Actor) -> Trip:
    trip = get_trip(session, trip_id)
    if trip.status not in ACTIVE_STATUSES:
        raise Conflict(f"trip {trip_id} is {trip.status}; only a planned or in-transit trip can be cancelled", field="status")
    previous = trip.status
    trip.status = "cancelled"
    trip.cancelled_at = datetime.now(UTC)
    trip.cancel_reason = reason
    close_trip_alerts(session, trip, trip.cancelled_at, "trip cancelled")
    session.flush()
    audit.record(session, actor, "cancel", "trip", trip.id, {"from": previous, "reason": reason})
    events.publish(session, "trip", trip_event(trip))
    outbox.emit(session, "trip.closed", bodies.trip(session, trip), at=trip.cancelled_at)
    return trip


def close_trip_alerts(session: Session, trip: Trip, at: datetime, reason: str) -> None:
    """A trip that ends (arrival, cancellation) ends the detector alerts still open on it."""
    for alert in session.scalars(select(Alert).where(Alert.trip_id == trip.id, Alert.status != "resolved")):
        alerts.end_alert(session, type=alert.type, subject=alert.subject, ended_at=at, evidence={"closed_by": reason})


def open_alert_counts(session: Session, trip_ids: list[int]) -> dict[int, int]:
    if not trip_ids:
        return {}
    rows = session.execute(
        select(Alert.trip_id, func.count()).where(Alert.trip_id.in_(trip_ids), Alert.status != "resolved").group_by(Alert.trip_id)
    )
    return {trip_id: n for trip_id, n in rows}


def eta(trip: Trip, now: datetime) -> datetime | None:
    """Estimated arrival: the corridor left to drive at the trip's average speed so far.

    Average speed = distance travelled / time since departure, floored at 20 km/h
    (a convoy stuck at a post would otherwise never arrive) and DEFAULT_ETA_SPEED_KMH
    before the trip has moved. None once the trip has ended.
    """
    if trip.status not in ACTIVE_STATUSES:
        return None
    remaining_m = max(trip.corridor.length_m - (trip.last_progress_m or 0.0), 0.0)
    speed_kmh = DEFAULT_ETA_SPEED_KMH
    if trip.departed_at and trip.last_fix_at and trip.distance_m > 1_000:
        hours = max((trip.last_fix_at - trip.departed_at).total_seconds() / 3600, 1 / 60)
        speed_kmh = max(trip.distance_m / 1000 / hours, 20.0)
    start = max(now, trip.planned_departure) if trip.status == "planned" else (trip.last_fix_at or now)
    return start + timedelta(hours=remaining_m / 1000 / speed_kmh)


def trip_event(trip: Trip) -> dict[str, Any]:
    return {
        "id": trip.id,
        "status": trip.status,
        "declaration_number": trip.declaration_number,
        "corridor": trip.corridor.code if trip.corridor else None,
        "departed_at": trip.departed_at.isoformat() if trip.departed_at else None,
        "arrived_at": trip.arrived_at.isoformat() if trip.arrived_at else None,
    }


def last_point(trip: Trip) -> tuple[float, float] | None:
    if trip.last_point is None:
        return None
    p = to_shape(trip.last_point)
    return p.x, p.y


def track(session: Session, trip_id: int) -> list[Position]:
    """The trip's fixes in time order: stored ones, and those of months detached to the archive (read from it)."""
    from chekara.config import get_settings
    from chekara.services.archive.reader import archived_track

    stored = list(session.scalars(select(Position).where(Position.trip_id == trip_id).order_by(Position.ts, Position.device_id)))
    archived = archived_track(session, get_settings().archive_path, trip_id)
    if not archived:
        return stored
    return sorted(archived + stored, key=lambda p: (p.ts, p.device_id))

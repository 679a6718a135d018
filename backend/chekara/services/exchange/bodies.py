"""What an outbound event says: the bodies of crossing, trip and alert events.

What a partner needs to receive the vehicle and its goods, and nothing
more. In: plates, checkpoints, the declaration's number, kind, countries,
route, deadline, declared gross and goods lines (HS code, description,
masses), our weighing, seal ids. Out, on purpose: consignor and consignee
(names of firms and people: the partner asks for them through the official
channel, quoting the declaration number), customs values and payments, the
risk channel and inspection results, people's names (officers, operators),
free-text notes and alert evidence, which may hold any of those.
Bodies follow the JSON Schemas in chekara/exchange_schemas/.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Alert, Checkpoint, Crossing, Declaration, PreArrivalNotice, Trip, Weighing
from chekara.domain.crossing_procedure import Step
from chekara.domain.exchange.envelope import iso_utc


def _iso(at: datetime | None) -> str | None:
    return iso_utc(at) if at is not None else None


def checkpoint_ref(checkpoint: Checkpoint | None) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    return {"code": checkpoint.code, "name": checkpoint.name_en, "neighbour_country": checkpoint.country}


def declaration_summary(declaration: Declaration | None) -> dict[str, Any] | None:
    if declaration is None:
        return None
    return {
        "number": declaration.number,
        "kind": declaration.kind,
        "dispatch_country": declaration.dispatch_country,
        "destination_country": declaration.destination_country,
        "entry_checkpoint": declaration.entry_checkpoint.code if declaration.entry_checkpoint else None,
        "exit_checkpoint": declaration.exit_checkpoint.code if declaration.exit_checkpoint else None,
        "delivery_deadline": _iso(declaration.delivery_deadline),
        "declared_gross_kg": declaration.declared_gross_kg,
        "goods": [
            {"line_no": line.line_no, "hs_code": line.hs_code, "description": line.description,
             "gross_kg": float(line.gross_kg), "net_kg": float(line.net_kg)}
            for line in declaration.goods_lines
        ],
    }


def seal_ids(session: Session, crossing: Crossing) -> list[str]:
    """The seals on the vehicle: as our officer recorded them at the documents check, else as the partner announced."""
    for step in crossing.steps:
        if step.step == Step.documents_checked.value and step.details.get("seal_ids"):
            return list(step.details["seal_ids"])
    announced = session.scalar(
        select(PreArrivalNotice.seal_ids).where(PreArrivalNotice.crossing_id == crossing.id).limit(1)
    )
    return list(announced or [])


def crossing(session: Session, crossing: Crossing) -> dict[str, Any]:
    """crossing.released and crossing.exited."""
    declaration = crossing.declaration
    weighing = session.scalar(
        select(Weighing).where(Weighing.crossing_id == crossing.id).order_by(Weighing.weighed_at.desc()).limit(1)
    )
    return {
        "crossing_id": crossing.id,
        "checkpoint": checkpoint_ref(crossing.checkpoint),
        "direction": crossing.direction,
        "vehicle_plate": crossing.plate,
        "trailer_plate": declaration.trailer_plate if declaration else None,
        "declaration": declaration_summary(declaration),
        "weighing": None if weighing is None else {
            "gross_kg": weighing.gross_kg, "axle_loads_kg": list(weighing.axle_loads_kg),
            "weighed_at": _iso(weighing.weighed_at),
        },
        "seal_ids": seal_ids(session, crossing),
        "entered_at": _iso(crossing.entered_at),
        "released_at": _iso(crossing.released_at),
        "exited_at": _iso(crossing.exited_at),
        "released": crossing.released_at is not None,
    }


def _declaration_numbered(session: Session, number: str | None) -> Declaration | None:
    if not number:
        return None
    return session.scalar(select(Declaration).where(Declaration.number == number))


def trip(session: Session, trip: Trip) -> dict[str, Any]:
    """trip.departed, trip.arrived and trip.closed."""
    return {
        "trip_id": trip.id,
        "status": trip.status,
        "declaration_number": trip.declaration_number,
        "vehicle_plates": list(trip.vehicle_plates),
        "origin": checkpoint_ref(trip.origin),
        "destination": checkpoint_ref(trip.destination),
        "corridor": trip.corridor.code,
        "planned_departure": _iso(trip.planned_departure),
        "deadline": _iso(trip.deadline),
        "departed_at": _iso(trip.departed_at),
        "arrived_at": _iso(trip.arrived_at),
        "cancelled_at": _iso(trip.cancelled_at),
        "declaration": declaration_summary(_declaration_numbered(session, trip.declaration_number)),
    }


def _alert_plates(session: Session, alert: Alert, crossing_id: int | None) -> list[str]:
    plates: list[str] = []
    if alert.trip_id is not None:
        # The plates alone: a Trip comes with its corridor's line, its checkpoints and its devices
        # (joined and selectin loads), ~1.5 ms of CPU an alert, thousands of alerts at once when a
        # region's trackers go silent together.
        plates += session.scalar(select(Trip.vehicle_plates).where(Trip.id == alert.trip_id)) or []
    if crossing_id is not None:
        found = session.get(Crossing, crossing_id)
        plates += [found.plate] if found else []
    for key in ("plate", "vehicle_plate", "trailer_plate"):
        value = alert.evidence.get(key)
        if isinstance(value, str) and value:
            plates.append(value)
    return list(dict.fromkeys(plates))


def _crossing_of(alert: Alert) -> int | None:
    kind, _, ref = alert.subject.partition(":")
    return int(ref) if kind == "crossing" and ref.isdigit() else None


def alert(session: Session, alert: Alert) -> dict[str, Any]:
    """alert.raised and alert.resolved: what and where, never the evidence or who handled it."""
    crossing_id = _crossing_of(alert)
    return {
        "alert_id": alert.id,
        "type": alert.type,
        "status": alert.status,
        "checkpoint": checkpoint_ref(alert.checkpoint),
        "trip_id": alert.trip_id,
        "crossing_id": crossing_id,
        "declaration_number": alert.declaration_number,
        "plates": _alert_plates(session, alert, crossing_id),
        "raised_at": _iso(alert.raised_at),
        "ended_at": _iso(alert.ended_at),
        "resolved_at": _iso(alert.resolved_at),
    }

"""Crossings: opened by an entry read, walked step by step, closed by an exit read.

How a plate read finds its vehicle:

- An entry read first looks for a vehicle already inside the checkpoint (a
  second camera, the trailer's plate): the read joins that crossing. Else it
  looks for a declaration naming this checkpoint, filed in the last
  DECLARATION_LOOKBACK_DAYS and not yet through here, whose vehicle or
  trailer plate the read stands for (exactly, or probably through OCR
  confusions); it opens a crossing, linked to that declaration or, with
  none, raising ``undeclared_vehicle``.
- An exit read closes the open crossing of its vehicle. A vehicle leaving
  before it was released raises ``exit_without_release``, as does a vehicle
  seen leaving that was never seen entering.

Officers record the other steps (record_step); the crossing procedure
(chekara.domain.crossing_procedure) decides what is due. Every change is
audited; the caller commits. A release and an exit are also events for the
partner customs (services.outbox), and an entry read may be the arrival a
partner announced (services.exchange.notices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from chekara.db.models import Alert, Checkpoint, Crossing, CrossingStep, Declaration, Finding, PlateRead
from chekara.domain.bishkek_time import day_bounds_utc
from chekara.domain.crossing_procedure import (
    InspectionError,
    InspectionResult,
    Step,
    StepOutOfOrder,
    check_inspection,
    check_step,
    due_steps,
    was_released,
)
from chekara.domain.plates import KnownVehicle, PlateMatch, compare_plates, match_plate, match_vehicle, normalize_plate
from chekara.domain.roles import Actor
from chekara.domain.travel_direction import travel_direction
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import alerts, audit, channels, events, outbox, transit_closure
from chekara.services.exchange import bodies, notices
from chekara.services.declarations import get_declaration

#: A declaration older than this is not matched to an entry read (it would have been used by now).
DECLARATION_LOOKBACK_DAYS = 60
#: An exit read up to this long after an officer closed the crossing by hand belongs to it.
LATE_EXIT_READ = timedelta(hours=2)


@dataclass
class Outcome:
    """What a write did to a crossing, for the answer to the client."""

    crossing: Crossing | None
    alerts: list[Alert] = field(default_factory=list)


def get_crossing(session: Session, crossing_id: int, *, lock: bool = False) -> Crossing:
    query = select(Crossing).where(Crossing.id == crossing_id)
    if lock:
        query = query.with_for_update(of=Crossing)
    crossing = session.scalar(query)
    if crossing is None:
        raise NotFound(f"no crossing with id {crossing_id}", field="id")
    return crossing


def done_steps(crossing: Crossing) -> list[Step]:
    return [Step(s.step) for s in sorted(crossing.steps, key=lambda s: s.id)]


def due_now(session: Session, crossing: Crossing) -> tuple[Step, ...]:
    return due_steps(done_steps(crossing), channels.channel_for(session, crossing.declaration))


def _vehicle_plates(declaration: Declaration) -> list[str]:
    return [p for p in (declaration.vehicle_plate, declaration.trailer_plate) if p]


def open_crossings(session: Session, checkpoint_id: int) -> list[Crossing]:
    return list(
        session.scalars(
            select(Crossing).where(Crossing.checkpoint_id == checkpoint_id, Crossing.status != Step.exited)
            .order_by(Crossing.id)
        )
    )


def _match_crossing(plate_text: str, crossings: list[Crossing]) -> tuple[Crossing, PlateMatch] | None:
    """The crossing whose vehicle the read stands for (domain.plates.match_vehicle): its plate, its
    declaration's tractor or trailer, or the misread it was opened under when that matched nothing."""
    vehicles = [
        KnownVehicle((c.plate, *(_vehicle_plates(c.declaration) if c.declaration else ())),
                     c.plate_as_read if c.plate_match_kind is None else None)
        for c in crossings
    ]
    found = match_vehicle(plate_text, vehicles)
    return (crossings[found[0]], found[1]) if found is not None else None


def find_open_crossing(
    session: Session, checkpoint_id: int, plate_text: str, *, lock: bool = False
) -> tuple[Crossing, PlateMatch] | None:
    """The open crossing a read stands for; with lock, its row is locked (and re-read) for the change to come."""
    found = _match_crossing(plate_text, open_crossings(session, checkpoint_id))
    if found is not None and lock:
        session.execute(select(Crossing.id).where(Crossing.id == found[0].id).with_for_update())
        session.refresh(found[0])
    return found


def find_declaration(
    session: Session, checkpoint_id: int, plate_text: str, at: datetime
) -> tuple[Declaration, PlateMatch] | None:
    """The declaration an entry read at a checkpoint belongs to, if exactly one vehicle plate fits.

    Candidates name the checkpoint as entry or exit, were filed in the last
    DECLARATION_LOOKBACK_DAYS, and have no crossing here that is open or was
    released. Among declarations of the same vehicle, the newest wins.
    """
    through_here = (
        select(Crossing.declaration_id)
        .where(
            Crossing.checkpoint_id == checkpoint_id,
            Crossing.declaration_id.is_not(None),
            or_(Crossing.status != Step.exited, Crossing.released_at.is_not(None)),
        )
    )
    expected_here = (
        select(Declaration)
        .where(
            or_(Declaration.entry_checkpoint_id == checkpoint_id, Declaration.exit_checkpoint_id == checkpoint_id),
            Declaration.declaration_date >= (at - timedelta(days=DECLARATION_LOOKBACK_DAYS)).date(),
            Declaration.transit_closed_at.is_(None),
            Declaration.id.not_in(through_here),
        )
        .order_by(Declaration.declaration_date.desc(), Declaration.id.desc())
    )
    # The plate as read, exactly: one indexed lookup. Only a miss pays for the OCR-aware comparison
    # with every vehicle expected here.
    canonical = normalize_plate(plate_text)
    exact = list(session.scalars(
        expected_here.where(or_(Declaration.vehicle_plate == canonical, Declaration.trailer_plate == canonical))
    ))
    for candidates in (exact, None):
        if candidates is None:
            candidates = list(session.scalars(expected_here))
        owners: dict[str, Declaration] = {}
        for declaration in candidates:
            for plate in _vehicle_plates(declaration):
                owners.setdefault(plate, declaration)  # newest first
        match = match_plate(plate_text, owners)
        if match is not None:
            return owners[match.plate], match
    return None


#: What a step means on the event stream: a page tells opened, released and exited apart from the rest.
_STREAM_EVENTS = {Step.arrived: "opened", Step.released: "released", Step.exited: "exited"}


def crossing_event(crossing: Crossing, step: Step, at: datetime) -> dict[str, Any]:
    """The `crossing` event on the stream: which crossing, where, and what just happened to it."""
    return {
        "id": crossing.id, "event": _STREAM_EVENTS.get(step, "step_recorded"), "step": step.value,
        "checkpoint": crossing.checkpoint.code, "plate": crossing.plate, "direction": crossing.direction,
        "status": crossing.status, "at": at.isoformat(),
    }


def add_step(
    session: Session, crossing: Crossing, step: Step, at: datetime, actor: Actor,
    details: dict[str, Any], notes: str = "",
) -> CrossingStep:
    """Record a step the procedure allows (check_due first), make it the status, audit and publish it."""
    row = CrossingStep(step=step.value, at=at, actor=actor.name, role=actor.role, details=details, notes=notes)
    crossing.steps.append(row)
    crossing.status = step.value
    session.flush()
    audit.record(
        session, actor, "step", "crossing", crossing.id,
        {"step": step.value, "at": at.isoformat(), "details": details, "notes": notes},
    )
    events.publish(session, "crossing", crossing_event(crossing, step, at))
    return row


def check_due(session: Session, crossing: Crossing, step: Step) -> None:
    """Raise a 409 naming the due step unless step may be recorded now."""
    try:
        check_step(done_steps(crossing), step, channels.channel_for(session, crossing.declaration))
    except StepOutOfOrder as exc:
        raise Conflict(f"crossing {crossing.id}: {exc.message}", field="step") from exc


def _match_details(match: PlateMatch | None) -> dict[str, Any]:
    if match is None:
        return {"match_kind": None}
    return {
        "match_kind": match.kind,
        "match_confidence": match.confidence,
        "corrections": [list(c) for c in match.corrections],
    }


def on_entry_read(session: Session, read: PlateRead, actor: Actor) -> Outcome:
    """Join the read to the vehicle's open crossing, or open one (raising undeclared_vehicle without a declaration)."""
    joined = find_open_crossing(session, read.checkpoint_id, read.plate_text)
    if joined is not None:
        crossing, match = joined
        read.crossing = crossing
        read.match_kind, read.match_confidence = match.kind, match.confidence
        session.flush()
        return Outcome(crossing)

    found = find_declaration(session, read.checkpoint_id, read.plate_text, read.read_at)
    declaration, match = found if found else (None, None)
    crossing = Crossing(
        checkpoint_id=read.checkpoint_id,
        declaration=declaration,
        plate=match.plate if match else read.plate,
        plate_as_read=read.plate,
        plate_match_kind=match.kind if match else None,
        plate_match_confidence=match.confidence if match else None,
        direction=_direction(read.checkpoint_id, declaration),
        status=Step.arrived.value,
        entered_at=read.read_at,
    )
    session.add(crossing)
    read.crossing = crossing
    if match is not None:
        read.match_kind, read.match_confidence = match.kind, match.confidence
    session.flush()
    audit.record(
        session, actor, "open", "crossing", crossing.id,
        {"checkpoint_id": read.checkpoint_id, "plate": crossing.plate, "plate_as_read": read.plate,
         "declaration": declaration.number if declaration else None, **_match_details(match)},
    )
    add_step(
        session, crossing, Step.arrived, read.read_at, actor,
        {"plate_read_id": read.id, "camera_id": read.camera_id, "lane": read.lane, "plate_text": read.plate_text,
         "camera_confidence": read.confidence, **_match_details(match)},
    )
    notices.match_arrival(session, crossing, read)  # a partner announced this vehicle?
    outcome = Outcome(crossing)
    if declaration is None:
        outcome.alerts.append(
            alerts.raise_alert(
                session, type="undeclared_vehicle", subject=f"crossing:{crossing.id}", raised_at=read.read_at,
                evidence={"plate": read.plate, "plate_text": read.plate_text, "camera_confidence": read.confidence,
                          "lane": read.lane, "crossing_id": crossing.id},
                checkpoint_id=read.checkpoint_id, device_id=read.camera_id,
            )
        )
    return outcome


def _direction(checkpoint_id: int, declaration: Declaration | None) -> str:
    if declaration is None:
        return "unknown"
    return travel_direction(checkpoint_id, declaration.entry_checkpoint_id, declaration.exit_checkpoint_id).value


@dataclass(frozen=True)
class ExitTarget:
    """What an exit read will close: an open crossing, one an officer closed already, or nothing."""

    crossing: Crossing | None
    match: PlateMatch | None
    already_exited: bool = False


def exit_target(session: Session, checkpoint_id: int, plate_text: str, read_at: datetime) -> ExitTarget:
    """Find (and check, before anything is written) the crossing an exit read closes."""
    found = find_open_crossing(session, checkpoint_id, plate_text, lock=True)
    if found is not None and found[0].status == Step.exited:  # closed by hand while we looked
        return ExitTarget(found[0], found[1], already_exited=True)
    if found is not None:
        crossing, match = found
        if read_at < crossing.entered_at:
            raise InvalidInput(
                f"the exit read at {read_at.isoformat()} is before the vehicle's entry at "
                f"{crossing.entered_at.isoformat()}",
                field="time",
            )
        return ExitTarget(crossing, match)
    recent = list(
        session.scalars(
            select(Crossing).where(
                Crossing.checkpoint_id == checkpoint_id,
                Crossing.status == Step.exited,
                Crossing.exit_read_at.is_(None),
                Crossing.exited_at >= read_at - LATE_EXIT_READ,
                Crossing.exited_at <= read_at + LATE_EXIT_READ,
            )
        )
    )
    closed = _match_crossing(plate_text, recent)
    if closed is not None:
        return ExitTarget(closed[0], closed[1], already_exited=True)
    return ExitTarget(None, None)


def on_exit_read(session: Session, read: PlateRead, target: ExitTarget, actor: Actor) -> Outcome:
    """Close the crossing (alerting when the vehicle was not released), or alert on an exit never seen entering."""
    if target.crossing is None:
        alert = alerts.raise_alert(
            session, type="exit_without_release", subject=f"plate_read:{read.id}", raised_at=read.read_at,
            evidence={"plate": read.plate, "plate_text": read.plate_text, "camera_confidence": read.confidence,
                      "reason": "seen leaving, never seen entering", "plate_read_id": read.id},
            checkpoint_id=read.checkpoint_id, device_id=read.camera_id,
        )
        return Outcome(None, [alert])
    crossing, match = target.crossing, target.match
    read.crossing = crossing
    read.match_kind, read.match_confidence = match.kind, match.confidence
    if target.already_exited:
        crossing.exit_read_at = read.read_at
        session.flush()
        return Outcome(crossing)

    done = done_steps(crossing)
    released = was_released(done)
    crossing.exited_at = read.read_at
    crossing.exit_read_at = read.read_at
    add_step(
        session, crossing, Step.exited, read.read_at, actor,
        {"plate_read_id": read.id, "camera_id": read.camera_id, "lane": read.lane, "plate_text": read.plate_text,
         "released": released, **_match_details(match)},
    )
    outbox.emit(session, "crossing.exited", bodies.crossing(session, crossing), at=read.read_at)
    outcome = Outcome(crossing)
    if not released:
        inside_min = round((read.read_at - crossing.entered_at).total_seconds() / 60, 1)
        outcome.alerts.append(
            alerts.raise_alert(
                session, type="exit_without_release", subject=f"crossing:{crossing.id}", raised_at=read.read_at,
                evidence={"plate": crossing.plate, "plate_text": read.plate_text, "last_step": done[-1].value,
                          "crossing_id": crossing.id, "inside_min": inside_min},
                checkpoint_id=crossing.checkpoint_id, device_id=read.camera_id,
                declaration_number=crossing.declaration.number if crossing.declaration else None,
            )
        )
    outcome.alerts.extend(transit_closure.on_exit(session, crossing))
    return outcome


@dataclass(frozen=True)
class StepInput:
    """What an officer sends with a step: notes, an inspection result, the declaration's number, seal ids."""

    notes: str = ""
    result: str | None = None
    declaration_number: str | None = None
    #: documents_checked only: the seals found on the vehicle (compared with a partner's pre-arrival notice).
    seal_ids: tuple[str, ...] = ()


def record_step(
    session: Session, crossing_id: int, step_name: str, actor: Actor, given: StepInput, now: datetime | None = None
) -> Outcome:
    """An officer records the next step of a crossing. The caller commits."""
    try:
        step = Step(step_name)
    except ValueError as exc:
        raise InvalidInput(
            f"unknown step {step_name!r}; the steps are {', '.join(s.value for s in Step)}", field="step"
        ) from exc
    crossing = get_crossing(session, crossing_id, lock=True)
    check_due(session, crossing, step)
    at = now or datetime.now(UTC)
    notes = given.notes.strip()
    if given.result is not None and step is not Step.inspected:
        raise InvalidInput("only the inspected step has a result", field="result")
    if given.declaration_number is not None and step is not Step.documents_checked:
        raise InvalidInput("a declaration is linked when documents are checked", field="declaration_number")
    if given.seal_ids and step is not Step.documents_checked:
        raise InvalidInput("seal ids are recorded when documents are checked", field="seal_ids")
    handlers = {
        Step.documents_checked: _documents_checked,
        Step.weighed: _weighed_by_hand,
        Step.inspected: _inspected,
        Step.released: _released,
        Step.exited: _exited_by_hand,
    }
    return handlers[step](session, crossing, at, actor, given, notes)


def _documents_checked(session, crossing: Crossing, at, actor, given: StepInput, notes) -> Outcome:
    """Check the documents; link the declaration if the entry read found none (or it is named)."""
    outcome = Outcome(crossing)
    declaration = crossing.declaration
    if given.declaration_number is not None:
        try:
            named = get_declaration(session, given.declaration_number, field="declaration_number")
        except NotFound as exc:  # a bad reference inside a body is invalid input
            raise InvalidInput(exc.message, field="declaration_number") from exc
        if declaration is not None and named.id != declaration.id:
            raise Conflict(
                f"crossing {crossing.id} carries declaration {declaration.number}, not {named.number}",
                field="declaration_number",
            )
        if declaration is None:
            _check_not_inside_elsewhere(session, crossing, named)
        declaration = named
    if declaration is None:
        raise InvalidInput(
            "the vehicle came with no declaration that its plate matches: give declaration_number",
            field="declaration_number",
        )
    linked_now = crossing.declaration is None
    if linked_now:
        crossing.declaration = declaration
        crossing.direction = _direction(crossing.checkpoint_id, declaration)
    plates_match = any(compare_plates(crossing.plate_as_read, p) for p in _vehicle_plates(declaration))
    seals = notices.checked_seal_ids(given.seal_ids)
    add_step(
        session, crossing, Step.documents_checked, at, actor,
        {"declaration": declaration.number, "linked_now": linked_now, "plates_match": plates_match,
         "direction": crossing.direction, **({"seal_ids": seals} if seals else {})},
        notes,
    )
    notices.check_seals(session, crossing, seals, at)  # against a partner's announced seals
    if linked_now:
        alerts.end_alert(
            session, type="undeclared_vehicle", subject=f"crossing:{crossing.id}", ended_at=at,
            evidence={"declaration_number": declaration.number},
        )
    if not plates_match:
        outcome.alerts.append(
            alerts.raise_alert(
                session, type="plate_mismatch", subject=f"crossing:{crossing.id}", raised_at=at,
                evidence={"plate_as_read": crossing.plate_as_read, "declared_vehicle_plate": declaration.vehicle_plate,
                          "declared_trailer_plate": declaration.trailer_plate, "crossing_id": crossing.id},
                checkpoint_id=crossing.checkpoint_id, declaration_number=declaration.number,
            )
        )
    return outcome


def _check_not_inside_elsewhere(session: Session, crossing: Crossing, declaration: Declaration) -> None:
    other = session.scalar(
        select(Crossing.id).where(
            Crossing.declaration_id == declaration.id,
            Crossing.checkpoint_id == crossing.checkpoint_id,
            Crossing.status != Step.exited,
            Crossing.id != crossing.id,
        )
    )
    if other is not None:
        raise Conflict(
            f"declaration {declaration.number} is already with vehicle crossing {other} at this checkpoint",
            field="declaration_number",
        )


def _weighed_by_hand(session, crossing: Crossing, at, actor, given, notes) -> Outcome:
    """Only where there is no weighbridge: the officer says how the weight was verified."""
    checkpoint: Checkpoint = crossing.checkpoint
    if checkpoint.has_weighbridge:
        raise Conflict(
            f"{checkpoint.code} has a weighbridge: the weighed step is recorded by its weighing "
            "(POST /api/v1/weighings)",
            field="step",
        )
    if not notes:
        raise InvalidInput("without a weighbridge, say in notes how the weight was verified", field="notes")
    add_step(session, crossing, Step.weighed, at, actor, {"measured": False}, notes)
    return Outcome(crossing)


def _inspected(session, crossing: Crossing, at, actor, given: StepInput, notes) -> Outcome:
    channel = channels.channel_for(session, crossing.declaration)
    try:
        result = check_inspection(channel, given.result, notes)
    except InspectionError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    add_step(
        session, crossing, Step.inspected, at, actor,
        {"channel": channel.value, "result": result.value if result else None}, notes,
    )
    if result is InspectionResult.found:
        session.add(
            Finding(
                kind="inspection_found",
                message=f"inspection found a violation: {notes or 'no notes'}",
                evidence={"channel": channel.value, "inspector": actor.name},
                declaration_id=crossing.declaration_id,
                crossing_id=crossing.id,
                found_at=at,
            )
        )
        session.flush()
    return Outcome(crossing)


def _released(session, crossing: Crossing, at, actor, given, notes) -> Outcome:
    crossing.released_at = at
    inspected = Step.inspected in done_steps(crossing)
    channel = channels.channel_for(session, crossing.declaration)
    add_step(session, crossing, Step.released, at, actor, {"channel": channel.value, "inspected": inspected}, notes)
    outbox.emit(session, "crossing.released", bodies.crossing(session, crossing), at=at)
    return Outcome(crossing)


def _exited_by_hand(session, crossing: Crossing, at, actor, given, notes) -> Outcome:
    """An officer saw the released vehicle leave (the camera missed it)."""
    crossing.exited_at = at
    add_step(session, crossing, Step.exited, at, actor, {"released": True, "by_hand": True}, notes)
    outbox.emit(session, "crossing.exited", bodies.crossing(session, crossing), at=at)
    return Outcome(crossing, transit_closure.on_exit(session, crossing))


@dataclass(frozen=True)
class CrossingFilter:
    checkpoint: str | None = None
    status: str | None = None
    #: Canonical plate: matches the vehicle's plate or the plate as first read.
    plate: str | None = None
    day: date | None = None
    limit: int = 200
    offset: int = 0


def list_crossings(session: Session, f: CrossingFilter) -> list[Crossing]:
    query = (
        select(Crossing)
        .options(selectinload(Crossing.declaration))
        .order_by(Crossing.entered_at.desc(), Crossing.id.desc())
        .limit(f.limit)
        .offset(f.offset)
    )
    if f.checkpoint:
        query = query.join(Checkpoint, Crossing.checkpoint_id == Checkpoint.id).where(
            Checkpoint.code == f.checkpoint.strip().upper()
        )
    if f.status:
        query = query.where(Crossing.status == f.status)
    if f.plate:
        query = query.where(or_(Crossing.plate == f.plate, Crossing.plate_as_read == f.plate))
    if f.day:
        start, end = day_bounds_utc(f.day)
        query = query.where(Crossing.entered_at >= start, Crossing.entered_at < end)
    return list(session.scalars(query))

"""Weighings: a weighbridge measures a vehicle inside a checkpoint; the findings go on record.

A weighing belongs to the open crossing of its vehicle at that checkpoint
(found by plate, OCR-aware) and records that crossing's ``weighed`` step, so
it is accepted only when that step is due (after the documents check): a
weighing out of order is refused with a 409 naming the step due. Its
findings (overweight_gross, overweight_axle, weight_discrepancy) are kept on
the crossing and on the declaration and returned in the answer.

The same measurement sent again (checkpoint, plate, time) is returned, not
stored twice. Everything is checked before anything is written; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import Crossing, Finding, Weighing
from chekara.domain.crossing_procedure import Step
from chekara.domain.plates import PlateError, normalize_plate
from chekara.domain.roles import Actor
from chekara.domain.weights import WeighingReading, WeightError, assess_weighing, check_reading
from chekara.errors import Conflict, InvalidInput
from chekara.services import audit, crossings, risk
from chekara.services.exchange import notices
from chekara.services.plate_reads import check_event_time, referenced_checkpoint
from chekara.services.rule_tables import axle_limits


@dataclass(frozen=True)
class WeighingDraft:
    checkpoint: str
    plate_text: str
    gross_kg: int
    axle_loads_kg: tuple[int, ...]
    weighed_at: datetime
    axle_classes: tuple[str, ...] = ()
    weighbridge_id: str | None = None


def record_weighing(
    session: Session, settings: Settings, draft: WeighingDraft, actor: Actor, now: datetime | None = None
) -> tuple[Weighing, bool]:
    """Store a weighing and its findings and record the crossing's weighed step; (weighing, created)."""
    now = now or datetime.now(UTC)
    checkpoint = referenced_checkpoint(session, draft.checkpoint)
    try:
        plate = normalize_plate(draft.plate_text)
    except PlateError as exc:
        raise InvalidInput(str(exc), field="plate") from exc
    limits = axle_limits(settings)
    reading = WeighingReading(draft.gross_kg, tuple(draft.axle_loads_kg), tuple(draft.axle_classes))
    try:
        check_reading(reading, limits)
    except WeightError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    check_event_time(draft.weighed_at, now)

    stored = session.scalar(
        select(Weighing).where(
            Weighing.checkpoint_id == checkpoint.id, Weighing.plate == plate, Weighing.weighed_at == draft.weighed_at
        )
    )
    if stored is not None:
        if (stored.gross_kg, list(stored.axle_loads_kg)) != (reading.gross_kg, list(reading.axle_loads_kg)):
            raise Conflict(
                f"another weighing of {plate} at {draft.weighed_at.isoformat()} is already stored", field="time"
            )
        return stored, False

    found = crossings.find_open_crossing(session, checkpoint.id, draft.plate_text, lock=True)
    if found is None:
        raise Conflict(
            f"no vehicle with plate {plate} is inside {checkpoint.code}: an entry plate read opens its crossing",
            field="plate",
        )
    crossing: Crossing = found[0]
    crossings.check_due(session, crossing, Step.weighed)

    declaration = crossing.declaration
    declared_gross_kg = declaration.declared_gross_kg if declaration else None
    findings = assess_weighing(
        reading, limits, declared_gross_kg,
        gross_limit_kg=settings.gross_limit_kg, threshold_pct=settings.weight_discrepancy_pct,
    )
    weighing = Weighing(
        checkpoint_id=checkpoint.id,
        crossing_id=crossing.id,
        weighbridge_id=(draft.weighbridge_id or "").strip() or None,
        plate_text=draft.plate_text.strip(),
        plate=plate,
        gross_kg=reading.gross_kg,
        axle_loads_kg=list(reading.axle_loads_kg),
        axle_classes=list(reading.classes()),
        weighed_at=draft.weighed_at,
        declared_gross_kg=declared_gross_kg,
        posted_by=actor.name,
    )
    session.add(weighing)
    session.flush()
    for finding in findings:
        session.add(
            Finding(
                kind=finding.kind, message=finding.message, evidence=finding.evidence,
                declaration_id=crossing.declaration_id, crossing_id=crossing.id, weighing_id=weighing.id,
                found_at=draft.weighed_at,
            )
        )
    session.flush()
    audit.record(
        session, actor, "create", "weighing", weighing.id,
        {"checkpoint": checkpoint.code, "plate": plate, "gross_kg": weighing.gross_kg,
         "axle_loads_kg": weighing.axle_loads_kg, "weighed_at": weighing.weighed_at.isoformat(),
         "crossing_id": crossing.id, "findings": [f.kind for f in findings]},
    )
    crossings.add_step(
        session, crossing, Step.weighed, draft.weighed_at, actor,
        {"measured": True, "weighing_id": weighing.id, "gross_kg": weighing.gross_kg,
         "declared_gross_kg": declared_gross_kg, "findings": [f.kind for f in findings]},
    )
    notices.check_weighing(session, settings, crossing, weighing)  # against a partner's announced gross
    session.refresh(weighing, ["findings"])
    if crossing.declaration is not None:
        risk.reassess(session, crossing.declaration, "weighing")
    return weighing, True

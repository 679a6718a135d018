"""Crossings: listed and read by staff with their timeline; walked step by step by officers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.api.deps import Allowed, AnyStaff, SessionDep
from chekara.db.models import Alert, Crossing, Finding, PlateRead, Weighing
from chekara.db.models.checkpoint_ops import CROSSING_STATUSES
from chekara.domain.plates import PlateError, normalize_plate
from chekara.domain.roles import Actor, Role
from chekara.errors import InvalidInput
from chekara.services import channels, crossings

router = APIRouter(prefix="/crossings", tags=["crossings"])

Officer = Annotated[Actor, Depends(Allowed(Role.officer))]


class StepPublic(BaseModel):
    step: str
    at: datetime = Field(description="when it happened (event time, UTC)")
    actor: str
    role: str
    details: dict[str, Any]
    notes: str


class FindingPublic(BaseModel):
    id: int
    kind: str
    message: str
    evidence: dict[str, Any]
    found_at: datetime
    crossing_id: int | None
    weighing_id: int | None
    goods_line_id: int | None

    @classmethod
    def of(cls, f: Finding) -> "FindingPublic":
        return cls.model_validate(f, from_attributes=True)


class PlateReadBrief(BaseModel):
    id: int
    camera_id: str
    lane: int
    direction: str
    plate_text: str
    plate: str
    confidence: float
    time: datetime
    match_kind: str | None
    match_confidence: float | None
    image_ref: str | None

    @classmethod
    def of(cls, r: PlateRead) -> "PlateReadBrief":
        return cls(
            id=r.id, camera_id=r.camera_id, lane=r.lane, direction=r.direction, plate_text=r.plate_text,
            plate=r.plate, confidence=r.confidence, time=r.read_at, match_kind=r.match_kind,
            match_confidence=r.match_confidence, image_ref=r.image_ref,
        )


class WeighingBrief(BaseModel):
    id: int
    gross_kg: int
    axle_loads_kg: list[int]
    axle_classes: list[str]
    declared_gross_kg: int | None
    time: datetime
    weighbridge_id: str | None

    @classmethod
    def of(cls, w: Weighing) -> "WeighingBrief":
        return cls(
            id=w.id, gross_kg=w.gross_kg, axle_loads_kg=w.axle_loads_kg, axle_classes=w.axle_classes,
            declared_gross_kg=w.declared_gross_kg, time=w.weighed_at, weighbridge_id=w.weighbridge_id,
        )


class AlertBrief(BaseModel):
    id: int
    type: str
    status: str
    raised_at: datetime
    evidence: dict[str, Any]

    @classmethod
    def of(cls, a: Alert) -> "AlertBrief":
        return cls(id=a.id, type=a.type, status=a.status, raised_at=a.raised_at, evidence=a.evidence)


class CrossingSummary(BaseModel):
    id: int
    checkpoint: str
    plate: str = Field(description="the vehicle's canonical plate (the declaration's when the read matched one)")
    plate_as_read: str = Field(description="the entry read, normalised")
    plate_match_kind: str | None = Field(description="exact, probable (OCR confusions corrected) or null")
    plate_match_confidence: float | None
    direction: str = Field(description="inbound, outbound or unknown (from the declaration)")
    status: str = Field(description="the last step recorded")
    channel: str
    due_steps: list[str]
    declaration_number: str | None
    entered_at: datetime
    released_at: datetime | None
    exited_at: datetime | None
    processing_min: float | None = Field(description="entry read to exit read, minutes")

    @classmethod
    def of(cls, session: Session, c: Crossing) -> "CrossingSummary":
        processing = None
        if c.exit_read_at is not None:
            processing = round((c.exit_read_at - c.entered_at).total_seconds() / 60, 1)
        return cls(
            id=c.id, checkpoint=c.checkpoint.code, plate=c.plate, plate_as_read=c.plate_as_read,
            plate_match_kind=c.plate_match_kind, plate_match_confidence=c.plate_match_confidence,
            direction=c.direction, status=c.status, channel=channels.channel_for(session, c.declaration).value,
            due_steps=[s.value for s in crossings.due_now(session, c)],
            declaration_number=c.declaration.number if c.declaration else None,
            entered_at=c.entered_at, released_at=c.released_at, exited_at=c.exited_at, processing_min=processing,
        )


class CrossingDetail(CrossingSummary):
    timeline: list[StepPublic] = Field(description="the procedure steps in the order they were recorded")
    plate_reads: list[PlateReadBrief]
    weighings: list[WeighingBrief]
    findings: list[FindingPublic]
    alerts: list[AlertBrief] = Field(description="alerts raised about this crossing")

    @classmethod
    def of(cls, session: Session, c: Crossing) -> "CrossingDetail":
        session.refresh(c, ["plate_reads", "weighings", "findings"])  # read-only relationships, as they are now
        raised = session.scalars(select(Alert).where(Alert.subject == f"crossing:{c.id}").order_by(Alert.id))
        return cls(
            **CrossingSummary.of(session, c).model_dump(),
            timeline=[StepPublic.model_validate(s, from_attributes=True) for s in sorted(c.steps, key=lambda s: s.id)],
            plate_reads=[PlateReadBrief.of(r) for r in c.plate_reads],
            weighings=[WeighingBrief.of(w) for w in c.weighings],
            findings=[FindingPublic.of(f) for f in c.findings],
            alerts=[AlertBrief.of(a) for a in raised],
        )


class StepIn(BaseModel):
    notes: str = Field("", max_length=4000, description="what was checked, found or decided")
    result: Literal["found", "not_found"] | None = Field(
        None, description="inspected only: was a violation found (required in the red channel)"
    )
    declaration_number: str | None = Field(
        None, max_length=40, description="documents_checked only: the declaration, when the plate read found none"
    )
    seal_ids: list[str] = Field(
        default_factory=list, max_length=20,
        description="documents_checked only: the seal ids found on the vehicle (checked against a partner's notice)",
    )


class StepRecorded(BaseModel):
    crossing: CrossingDetail
    alerts: list[AlertBrief] = Field(description="alerts this step raised")


@router.get("", response_model=list[CrossingSummary], summary="Crossings, newest first, filtered")
def list_crossings(
    session: SessionDep,
    _: AnyStaff,
    checkpoint: str | None = Query(None, max_length=20, description="checkpoint code"),
    status: Literal[CROSSING_STATUSES] | None = Query(None, description="the last step recorded"),  # type: ignore[valid-type]
    plate: str | None = Query(None, max_length=64, description="a plate in any spelling (normalised)"),
    day: date | None = Query(None, alias="date", description="entered on this day (Asia/Bishkek)"),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[CrossingSummary]:
    canonical = None
    if plate is not None:
        try:
            canonical = normalize_plate(plate)
        except PlateError as exc:
            raise InvalidInput(str(exc), field="plate") from exc
    found = crossings.list_crossings(
        session, crossings.CrossingFilter(checkpoint, status, canonical, day, limit, offset)
    )
    return [CrossingSummary.of(session, c) for c in found]


@router.get("/{crossing_id}", response_model=CrossingDetail, summary="One crossing with its timeline")
def get_crossing(crossing_id: int, session: SessionDep, _: AnyStaff) -> CrossingDetail:
    return CrossingDetail.of(session, crossings.get_crossing(session, crossing_id))


@router.post(
    "/{crossing_id}/steps/{step}", status_code=201, response_model=StepRecorded,
    summary="Record the next step of a crossing (officer); 409 names the step due",
)
def record_step(
    crossing_id: int, step: str, session: SessionDep, actor: Officer, body: StepIn | None = None
) -> StepRecorded:
    given = body or StepIn()
    outcome = crossings.record_step(
        session, crossing_id, step, actor,
        crossings.StepInput(notes=given.notes, result=given.result, declaration_number=given.declaration_number,
                            seal_ids=tuple(given.seal_ids)),
    )
    session.commit()
    return StepRecorded(
        crossing=CrossingDetail.of(session, outcome.crossing), alerts=[AlertBrief.of(a) for a in outcome.alerts]
    )

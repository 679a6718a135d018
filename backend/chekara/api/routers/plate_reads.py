"""ANPR plate reads: posted by cameras (device role) or officers; each opens, joins or closes a crossing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import AliasChoices, AwareDatetime, BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.api.routers.crossings import AlertBrief, CrossingSummary
from chekara.domain.roles import Actor, Role
from chekara.services import plate_reads

router = APIRouter(prefix="/plate-reads", tags=["plate reads"])

CameraOrOfficer = Annotated[Actor, Depends(Allowed(Role.device, Role.officer))]


class PlateReadIn(BaseModel):
    checkpoint: str = Field(min_length=1, max_length=20, description="checkpoint code, e.g. TORUGART")
    camera_id: str = Field(min_length=1, max_length=64, validation_alias=AliasChoices("camera_id", "camera"))
    lane: int = Field(ge=1, le=99, description="lane number at the checkpoint, from 1")
    direction: Literal["entry", "exit"] = Field(description="through the checkpoint's entry or exit gate")
    plate: str = Field(
        max_length=200, validation_alias=AliasChoices("plate", "plate_text"),
        description="the plate text exactly as the camera read it (any script or spacing)",
    )
    confidence: float = Field(ge=0, le=1, description="the camera's OCR confidence, 0..1")
    time: AwareDatetime = Field(
        validation_alias=AliasChoices("time", "read_at"), description="when the camera read it, with a time zone"
    )
    image_ref: str | None = Field(
        None, max_length=500, validation_alias=AliasChoices("image_ref", "image_reference"),
        description="where the camera keeps the image (URL or file reference)",
    )


class PlateReadPublic(BaseModel):
    id: int
    checkpoint: str
    camera_id: str
    lane: int
    direction: str
    plate_text: str = Field(description="as read")
    plate: str = Field(description="normalised (canonical) plate")
    plate_country: str | None
    plate_format: str
    confidence: float
    time: datetime
    image_ref: str | None
    match_kind: str | None = Field(description="how the read matched its vehicle: exact, probable or null")
    match_confidence: float | None
    outcome: Literal["created", "duplicate"]
    crossing: CrossingSummary | None
    alerts: list[AlertBrief] = Field(description="alerts this read raised")


@router.post(
    "", status_code=201, response_model=PlateReadPublic,
    responses={200: {"model": PlateReadPublic, "description": "The same read re-sent: the stored one"}},
    summary="Record a plate read (camera or officer); a re-sent read answers 200 with the stored one",
)
def post_plate_read(body: PlateReadIn, response: Response, session: SessionDep, actor: CameraOrOfficer) -> PlateReadPublic:
    outcome = plate_reads.record_read(
        session,
        plate_reads.PlateReadDraft(
            checkpoint=body.checkpoint, camera_id=body.camera_id, lane=body.lane, direction=body.direction,
            plate_text=body.plate, confidence=body.confidence, read_at=body.time, image_ref=body.image_ref,
        ),
        actor,
    )
    session.commit()
    read = outcome.read
    if not outcome.created:
        response.status_code = 200
    return PlateReadPublic(
        id=read.id, checkpoint=read.checkpoint.code, camera_id=read.camera_id, lane=read.lane,
        direction=read.direction, plate_text=read.plate_text, plate=read.plate, plate_country=read.plate_country,
        plate_format=read.plate_format, confidence=read.confidence, time=read.read_at, image_ref=read.image_ref,
        match_kind=read.match_kind, match_confidence=read.match_confidence,
        outcome="created" if outcome.created else "duplicate",
        crossing=CrossingSummary.of(session, outcome.crossing) if outcome.crossing else None,
        alerts=[AlertBrief.of(a) for a in outcome.alerts],
    )

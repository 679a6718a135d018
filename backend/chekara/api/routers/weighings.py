"""Weighings: posted by weighbridges (device role) or officers; findings come back in the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import AliasChoices, AwareDatetime, BaseModel, Field

from chekara.api.deps import Allowed, SessionDep, SettingsDep
from chekara.api.routers.crossings import CrossingSummary, FindingPublic
from chekara.domain.roles import Actor, Role
from chekara.services import weighings

router = APIRouter(prefix="/weighings", tags=["weighings"])

WeighbridgeOrOfficer = Annotated[Actor, Depends(Allowed(Role.device, Role.officer))]


class WeighingIn(BaseModel):
    checkpoint: str = Field(min_length=1, max_length=20, description="checkpoint code")
    plate: str = Field(max_length=200, validation_alias=AliasChoices("plate", "plate_text"), description="any spelling")
    gross_kg: int = Field(description="measured gross mass, kg")
    axle_loads_kg: list[int] = Field(max_length=50, description="load on each axle, front to back, kg")
    axle_classes: list[str] | None = Field(
        None, max_length=50, description="class of each axle (single, tandem, tridem); default single"
    )
    time: AwareDatetime = Field(
        validation_alias=AliasChoices("time", "weighed_at"), description="when it was weighed, with a time zone"
    )
    weighbridge_id: str | None = Field(None, max_length=64)


class WeighingPublic(BaseModel):
    id: int
    checkpoint: str
    plate_text: str
    plate: str
    gross_kg: int
    axle_loads_kg: list[int]
    axle_classes: list[str]
    declared_gross_kg: int | None
    time: datetime
    weighbridge_id: str | None
    outcome: Literal["created", "duplicate"]
    findings: list[FindingPublic] = Field(
        description="overweight_gross, overweight_axle, weight_discrepancy: each with its numbers"
    )
    crossing: CrossingSummary


@router.post(
    "", status_code=201, response_model=WeighingPublic,
    responses={200: {"model": WeighingPublic, "description": "The same weighing re-sent: the stored one"}},
    summary="Record a weighing (weighbridge or officer): it is the crossing's weighed step",
)
def post_weighing(
    body: WeighingIn, response: Response, session: SessionDep, settings: SettingsDep, actor: WeighbridgeOrOfficer
) -> WeighingPublic:
    weighing, created = weighings.record_weighing(
        session, settings,
        weighings.WeighingDraft(
            checkpoint=body.checkpoint, plate_text=body.plate, gross_kg=body.gross_kg,
            axle_loads_kg=tuple(body.axle_loads_kg), axle_classes=tuple(body.axle_classes or ()),
            weighed_at=body.time, weighbridge_id=body.weighbridge_id,
        ),
        actor,
    )
    session.commit()
    if not created:
        response.status_code = 200
    return WeighingPublic(
        id=weighing.id, checkpoint=weighing.checkpoint.code, plate_text=weighing.plate_text, plate=weighing.plate,
        gross_kg=weighing.gross_kg, axle_loads_kg=weighing.axle_loads_kg, axle_classes=weighing.axle_classes,
        declared_gross_kg=weighing.declared_gross_kg, time=weighing.weighed_at,
        weighbridge_id=weighing.weighbridge_id, outcome="created" if created else "duplicate",
        findings=[FindingPublic.of(f) for f in weighing.findings],
        crossing=CrossingSummary.of(session, weighing.crossing),
    )

"""Risk: a declaration's verdict with its reasons, the officers' queue, and how well each rule finds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.db.models import Declaration, RiskAssessment
from chekara.domain.roles import Actor, Role
from chekara.services import risk
from chekara.services.declarations import get_declaration

router = APIRouter(tags=["risk"])

RiskReader = Annotated[Actor, Depends(Allowed(Role.officer, Role.supervisor, Role.operator, Role.planner))]
Tuner = Annotated[Actor, Depends(Allowed(Role.planner, Role.supervisor))]


class HitPublic(BaseModel):
    rule: str
    weight: float
    reason: str


class VerdictPublic(BaseModel):
    score: float
    channel: Literal["green", "blue", "yellow", "red"]
    hits: list[HitPublic]
    ruleset_version: str
    assessed_at: datetime
    trigger: str = Field(description="the evidence that led to this verdict")


class RiskPublic(VerdictPublic):
    declaration_number: str
    history: list[VerdictPublic] = Field(description="every verdict this declaration had, oldest first")


def _verdict(a: RiskAssessment) -> dict:
    return dict(score=a.score, channel=a.channel, hits=a.hits, ruleset_version=a.ruleset_version,
                assessed_at=a.assessed_at, trigger=a.trigger)


@router.get("/declarations/{number}/risk", response_model=RiskPublic, summary="The risk verdict in force, with its hits")
def declaration_risk(number: str, session: SessionDep, _: RiskReader) -> RiskPublic:
    declaration = get_declaration(session, number.upper())
    current = risk.current_assessment(session, declaration.id)
    if current is None:  # declarations filed before the risk engine existed
        current = risk.reassess(session, declaration, "manual")
        session.commit()
    return RiskPublic(
        declaration_number=declaration.number, **_verdict(current),
        history=[VerdictPublic(**_verdict(a)) for a in risk.history(session, declaration.id)],
    )


class QueueItem(BaseModel):
    declaration_number: str
    kind: str
    vehicle_plate: str
    declared_gross_kg: int
    score: float
    channel: str
    hits: list[HitPublic]
    assessed_at: datetime


@router.get("/risk/queue", response_model=list[QueueItem], summary="Declarations by channel and score, riskiest first")
def risk_queue(
    session: SessionDep,
    _: RiskReader,
    channel: Literal["green", "blue", "yellow", "red"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[QueueItem]:
    rows: list[tuple[Declaration, RiskAssessment]] = risk.risk_queue(session, channel, limit, offset)
    return [
        QueueItem(declaration_number=d.number, kind=d.kind, vehicle_plate=d.vehicle_plate,
                  declared_gross_kg=d.declared_gross_kg, score=a.score, channel=a.channel, hits=a.hits,
                  assessed_at=a.assessed_at)
        for d, a in rows
    ]


class RuleEffectiveness(BaseModel):
    rule: str
    red_selections: int = Field(description="red verdicts the rule took part in")
    inspections: int = Field(description="of those, inspected with a recorded result")
    found: int = Field(description="inspections that found something")
    hit_rate: float | None = Field(description="found / inspections")


@router.get("/risk/effectiveness", response_model=list[RuleEffectiveness], summary="Per rule: red selections and hit rate")
def effectiveness(session: SessionDep, _: Tuner, from_: datetime | None = Query(None, alias="from")) -> list[RuleEffectiveness]:
    return [RuleEffectiveness(**row) for row in risk.effectiveness(session, from_)]

"""Alerts: list and read (staff); acknowledge and resolve with a note (operators, supervisors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, AnyStaff, SessionDep
from chekara.db.models import Alert
from chekara.domain.roles import Actor, Role
from chekara.services import alerts

router = APIRouter(prefix="/alerts", tags=["alerts"])

AlertHandler = Annotated[Actor, Depends(Allowed(Role.operator, Role.supervisor))]


class AlertNotePublic(BaseModel):
    at: datetime
    author: str
    role: str
    action: str
    text: str


class AlertPublic(BaseModel):
    id: int
    type: str
    severity: Literal["high", "medium", "low"] = Field(description="by type, as configured (CHEKARA_ALERT_SEVERITY)")
    corridor: str | None = Field(description="the corridor of the alert's convoy")
    status: str
    trip_id: int | None
    checkpoint: str | None
    device_id: str | None
    declaration_number: str | None
    raised_at: datetime = Field(description="when the situation began (event time, UTC)")
    ended_at: datetime | None = Field(description="when the situation ended, if it has")
    evidence: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    notes: list[AlertNotePublic]

    @classmethod
    def of(cls, a: Alert, corridor: str | None = None) -> "AlertPublic":
        return cls(
            id=a.id, type=a.type, severity=alerts.severity(a.type), corridor=corridor, status=a.status, trip_id=a.trip_id,
            checkpoint=a.checkpoint.code if a.checkpoint else None,
            device_id=a.device_id, declaration_number=a.declaration_number,
            raised_at=a.raised_at, ended_at=a.ended_at, evidence=a.evidence,
            acknowledged_at=a.acknowledged_at, acknowledged_by=a.acknowledged_by,
            resolved_at=a.resolved_at, resolved_by=a.resolved_by,
            notes=[AlertNotePublic.model_validate(n, from_attributes=True) for n in a.notes],
        )


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000, description="what was done or found")


@router.get("", response_model=list[AlertPublic], summary="Alerts, newest first, filtered")
def list_alerts(
    session: SessionDep,
    _: AnyStaff,
    status: Literal["open", "acknowledged", "resolved"] | None = None,
    type: str | None = Query(None, max_length=40, description="e.g. route_deviation"),
    trip_id: int | None = None,
    checkpoint: str | None = Query(None, max_length=20, description="checkpoint code"),
    declaration: str | None = Query(None, max_length=40, description="declaration number"),
    from_: datetime | None = Query(None, alias="from", description="raised at or after (ISO 8601)"),
    to: datetime | None = Query(None, description="raised before (ISO 8601)"),
    severity: Literal["high", "medium", "low"] | None = None,
    corridor: str | None = Query(None, max_length=40, description="corridor code: alerts on its convoys"),
    sort: Literal["newest", "severity"] = Query("newest", description="severity: most urgent first, then newest"),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AlertPublic]:
    found = alerts.list_alerts(
        session,
        alerts.AlertFilter(status, type, trip_id, checkpoint, declaration, from_, to, limit, offset, severity, corridor, sort),
    )
    return _public(session, found)


def _public(session, found: list[Alert]) -> list[AlertPublic]:
    corridors = alerts.corridor_codes(session, {a.trip_id for a in found if a.trip_id is not None})
    return [AlertPublic.of(a, corridors.get(a.trip_id)) for a in found]


@router.get("/{alert_id}", response_model=AlertPublic, summary="One alert with its evidence and notes")
def get_alert(alert_id: int, session: SessionDep, _: AnyStaff) -> AlertPublic:
    return _public(session, [alerts.get_alert(session, alert_id)])[0]


@router.post("/{alert_id}/ack", response_model=AlertPublic, summary="Acknowledge an open alert")
def acknowledge(alert_id: int, session: SessionDep, actor: AlertHandler, body: NoteIn | None = None) -> AlertPublic:
    alert = alerts.acknowledge(session, alert_id, actor, body.note if body else "")
    session.commit()
    return _public(session, [alert])[0]


@router.post("/{alert_id}/resolve", response_model=AlertPublic, summary="Resolve an alert with a note")
def resolve(alert_id: int, session: SessionDep, actor: AlertHandler, body: NoteIn | None = None) -> AlertPublic:
    alert = alerts.resolve(session, alert_id, actor, body.note if body else "")
    session.commit()
    return _public(session, [alert])[0]

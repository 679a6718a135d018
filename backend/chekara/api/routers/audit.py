"""Reading the audit trail (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from chekara.api.deps import Admin, SessionDep
from chekara.db.models import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity_type: str
    entity_id: str
    change: dict[str, Any]
    hash: str


@router.get("", response_model=list[AuditEntryPublic], summary="Audit entries, newest first")
def list_audit(
    session: SessionDep,
    _: Admin,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[AuditEntryPublic]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return [AuditEntryPublic.model_validate(e, from_attributes=True) for e in session.scalars(query)]

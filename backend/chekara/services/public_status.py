"""What anyone may ask without a token: checkpoint queues and a declaration's status.

No personal data: no names, phones, plates, goods or values. An unknown
declaration number and one that exists but was never registered read the
same: "not found".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Declaration
from chekara.domain.opening_hours import is_open
from chekara.errors import NotFound
from chekara.services.declarations import declaration_status
from chekara.services.queues import checkpoint_queue

#: The platform's statuses in the words the public page uses.
PUBLIC_DECLARATION_STATUS = {
    "declared": "registered",
    "in_transit": "in_transit",
    "at_checkpoint": "at_checkpoint",
    "released": "released",
    "closed": "closed",
}


def _minutes(value: float | None) -> int | None:
    return None if value is None else round(value)


def public_checkpoints(session: Session, now: datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(Checkpoint).where(Checkpoint.mode == "road").order_by(Checkpoint.code))
    answer = []
    for cp in rows:
        queue = checkpoint_queue(session, cp.code, now=now)
        answer.append({
            "code": cp.code,
            "name": {"ru": cp.name_ru, "ky": cp.name_ky, "en": cp.name_en},
            "country": cp.country,
            "border_kind": cp.border_kind,
            "opening_hours": cp.opening_hours,
            "open": is_open(cp.opening_hours, now),
            "vehicles_waiting": {d: f.inside for d, f in queue.by_direction.items() if d != "unknown"}
            | {"total": queue.overall.inside},
            "estimated_wait_min": {d: _minutes(f.estimated_wait_min) for d, f in queue.by_direction.items() if d != "unknown"}
            | {"overall": _minutes(queue.overall.estimated_wait_min)},
        })
    return answer


def public_declaration(session: Session, number: str) -> dict[str, str]:
    declaration = session.scalar(select(Declaration).where(Declaration.number == number))
    if declaration is None:
        raise NotFound("not found", field="number")
    return {"number": declaration.number, "status": PUBLIC_DECLARATION_STATUS.get(declaration_status(declaration), "registered")}

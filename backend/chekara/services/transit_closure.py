"""Transit closure: a transit must be seen leaving at its exit checkpoint before its deadline.

Two ways to notice that it was not:

- on_exit(): the vehicle leaves at the exit checkpoint, which closes the
  transit; if that is after the deadline and nobody was alerted yet,
  ``transit_not_closed`` is raised then, with how late it was;
- sweep_transit_deadlines(session, now): time passes with no exit. Meant
  for the periodic clock-driven sweep (services.sweeper): every open
  transit past its deadline raises ``transit_not_closed`` once.

A transit is alerted at most once: ``transit_alerted_at`` remembers it, so an
operator who resolves the alert is not handed it again at the next sweep.
The caller commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Alert, Crossing, Declaration
from chekara.services import alerts, audit
from chekara.services.alerts import DETECTOR

ALERT_TYPE = "transit_not_closed"


def _subject(declaration: Declaration) -> str:
    return f"declaration:{declaration.number}"


def _minutes(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds() / 60, 1)


def on_exit(session: Session, crossing: Crossing) -> list[Alert]:
    """A vehicle left a checkpoint: close its transit if this is the transit's exit checkpoint."""
    declaration = crossing.declaration
    if (
        declaration is None
        or declaration.kind != "transit"
        or declaration.exit_checkpoint_id != crossing.checkpoint_id
        or declaration.transit_closed_at is not None
        or crossing.exited_at is None
    ):
        return []
    declaration.transit_closed_at = crossing.exited_at
    session.flush()
    late_min = _minutes(crossing.exited_at, declaration.delivery_deadline)
    audit.record(
        session, DETECTOR, "close_transit", "declaration", declaration.number,
        {"crossing_id": crossing.id, "exited_at": crossing.exited_at.isoformat(),
         "deadline": declaration.delivery_deadline.isoformat(), "late_min": max(late_min, 0)},
    )
    if late_min <= 0 or declaration.transit_alerted_at is not None:
        return []
    return [_raise(session, declaration, crossing.exited_at, {"closed_late": True, "exited_at":
                                                               crossing.exited_at.isoformat(), "late_min": late_min})]


def sweep_transit_deadlines(session: Session, now: datetime | None = None) -> list[Alert]:
    """Raise transit_not_closed for every transit past its deadline and not seen leaving. The caller commits."""
    now = now or datetime.now(UTC)
    overdue = list(
        session.scalars(
            select(Declaration)
            .where(
                Declaration.kind == "transit",
                Declaration.transit_closed_at.is_(None),
                Declaration.transit_alerted_at.is_(None),
                Declaration.delivery_deadline < now,
            )
            .order_by(Declaration.delivery_deadline, Declaration.id)
            .with_for_update(skip_locked=True, of=Declaration)
        )
    )
    raised = []
    for declaration in overdue:
        seen_entering = any(c.checkpoint_id == declaration.entry_checkpoint_id for c in declaration.crossings)
        raised.append(
            _raise(session, declaration, now, {
                "closed_late": False,
                "checked_at": now.isoformat(),
                "overdue_min": _minutes(now, declaration.delivery_deadline),
                "seen_entering": seen_entering,
            })
        )
    return raised


def _raise(session: Session, declaration: Declaration, at: datetime, evidence: dict) -> Alert:
    declaration.transit_alerted_at = at
    session.flush()
    alert = alerts.raise_alert(
        session,
        type=ALERT_TYPE,
        subject=_subject(declaration),
        raised_at=declaration.delivery_deadline,
        evidence={
            "deadline": declaration.delivery_deadline.isoformat(),
            "entry_checkpoint": declaration.entry_checkpoint.code,
            "exit_checkpoint": declaration.exit_checkpoint.code,
            "vehicle_plate": declaration.vehicle_plate,
            **evidence,
        },
        checkpoint_id=declaration.exit_checkpoint_id,
        declaration_number=declaration.number,
    )
    audit.record(
        session, DETECTOR, ALERT_TYPE, "declaration", declaration.number,
        {"alert_id": alert.id, "deadline": declaration.delivery_deadline.isoformat(), **evidence},
    )
    return alert

"""Alerts: raised and ended by detectors, acknowledged and resolved by people.

An alert is identified while it is unresolved by (type, subject): raising the
same thing twice updates the open alert instead of creating a second one, so
detectors and re-sent batches are idempotent. Every change is audited and
published to the live stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, literal, select
from sqlalchemy.orm import Session, lazyload, object_session

from chekara.config import get_settings
from chekara.db.models import Alert, AlertNote, Checkpoint, Corridor, Trip
from chekara.domain.alert_severity import FALLBACK, RANK, severity_of
from chekara.domain.roles import Actor
from chekara.errors import Conflict, NotFound
from chekara.services import audit, events, outbox
from chekara.services.exchange import bodies

#: Alerts raised or ended by the platform itself are audited as this actor.
DETECTOR = Actor(name="detector", role="system")


def severity(alert_type: str) -> str:
    """high, medium or low, as configured (CHEKARA_ALERT_SEVERITY over chekara.domain.alert_severity)."""
    return severity_of(get_settings().alert_severities(), alert_type)


def _severity_column() -> ColumnElement[str]:
    """The configured severity of Alert.type, in SQL: filtered and sorted on without storing it."""
    table = get_settings().alert_severities()
    return case(*((Alert.type == t, literal(s)) for t, s in table.items()), else_=literal(FALLBACK))


def _severity_rank_column() -> ColumnElement[int]:
    table = get_settings().alert_severities()
    return case(*((Alert.type == t, RANK[s]) for t, s in table.items()), else_=RANK[FALLBACK])


def corridor_codes(session: Session, trip_ids: set[int]) -> dict[int, str]:
    """The corridor of each trip: an alert on a convoy belongs to its corridor."""
    if not trip_ids:
        return {}
    return dict(session.execute(select(Trip.id, Corridor.code).join(Corridor, Trip.corridor_id == Corridor.id)
                                .where(Trip.id.in_(trip_ids))).all())


def alert_summary(alert: Alert) -> dict[str, Any]:
    """What the live stream and the audit log say about an alert."""
    session = object_session(alert)
    corridor = corridor_codes(session, {alert.trip_id}).get(alert.trip_id) if session and alert.trip_id else None
    return {
        "id": alert.id,
        "type": alert.type,
        "severity": severity(alert.type),
        "corridor": corridor,
        "status": alert.status,
        "trip_id": alert.trip_id,
        "checkpoint": alert.checkpoint.code if alert.checkpoint else None,
        "device_id": alert.device_id,
        "declaration_number": alert.declaration_number,
        "raised_at": alert.raised_at.isoformat(),
        "ended_at": alert.ended_at.isoformat() if alert.ended_at else None,
    }


def _unresolved(session: Session, type_: str, subject: str) -> Alert | None:
    # The notes load when read, not with the alert: the detectors refresh and end alerts by the
    # hundred in one transaction and never read them (adding one does not load them either).
    return session.scalar(
        select(Alert).where(Alert.type == type_, Alert.subject == subject, Alert.status != "resolved")
        .options(lazyload(Alert.notes)).with_for_update(of=Alert)
    )


def raise_alert(
    session: Session,
    *,
    type: str,
    subject: str,
    raised_at: datetime,
    evidence: dict[str, Any],
    trip_id: int | None = None,
    checkpoint_id: int | None = None,
    device_id: str | None = None,
    declaration_number: str | None = None,
) -> Alert:
    """Open an alert, or refresh the evidence of the unresolved one with the same type and subject."""
    alert = _unresolved(session, type, subject)
    if alert is not None:
        alert.evidence = {**alert.evidence, **evidence}
        session.flush()
        return alert
    alert = Alert(
        type=type,
        status="open",
        subject=subject,
        raised_at=raised_at,
        evidence=evidence,
        trip_id=trip_id,
        checkpoint_id=checkpoint_id,
        device_id=device_id,
        declaration_number=declaration_number,
    )
    return _opened(session, alert)


def _opened(session: Session, alert: Alert) -> Alert:
    session.add(alert)
    session.flush()
    if alert.checkpoint_id is not None:  # a trip's alert has none: nothing to load
        session.refresh(alert, ["checkpoint"])
    audit.record(session, DETECTOR, "raise", "alert", alert.id,
                 {"type": alert.type, "subject": alert.subject, "evidence": alert.evidence})
    events.publish(session, "alert", alert_summary(alert))
    outbox.emit(session, "alert.raised", bodies.alert(session, alert), at=alert.raised_at)
    _new_risk_evidence(session, alert)
    return alert


def end_alert(session: Session, *, type: str, subject: str, ended_at: datetime, evidence: dict[str, Any]) -> Alert | None:
    """The situation is over (the convoy is back in its corridor): resolve the alert by the platform."""
    alert = _unresolved(session, type, subject)
    if alert is None:
        return None
    return _ended(session, alert, ended_at, evidence)


def _ended(session: Session, alert: Alert, ended_at: datetime, evidence: dict[str, Any]) -> Alert:
    alert.evidence = {**alert.evidence, **evidence}
    alert.ended_at = ended_at
    alert.status = "resolved"
    alert.resolved_at = datetime.now(UTC)
    alert.resolved_by = DETECTOR.name
    session.add(AlertNote(alert=alert, author=DETECTOR.name, role=DETECTOR.role, action="resolve", text="situation ended"))
    session.flush()
    audit.record(session, DETECTOR, "resolve", "alert", alert.id, {"type": alert.type, "ended_at": ended_at.isoformat(), "evidence": evidence})
    events.publish(session, "alert", alert_summary(alert))
    outbox.emit(session, "alert.resolved", bodies.alert(session, alert), at=ended_at)
    _new_risk_evidence(session, alert)
    return alert


# -- Revisions from the complete track (a tracker's late backlog examined: ingest/replay.py) ----------


def record_ended_alert(
    session: Session, *, type: str, subject: str, raised_at: datetime, ended_at: datetime, evidence: dict[str, Any],
    trip_id: int | None = None, device_id: str | None = None, declaration_number: str | None = None,
) -> Alert:
    """A situation found after it had ended: raised and resolved at its true times.

    Never merged with an unresolved alert of the same subject, which is a later situation; the row is
    written resolved, so the one-unresolved-per-subject index holds."""
    alert = Alert(
        type=type, status="resolved", subject=subject, raised_at=raised_at, ended_at=ended_at, evidence=evidence,
        trip_id=trip_id, device_id=device_id, declaration_number=declaration_number,
    )
    return _ended(session, _opened(session, alert), ended_at, {})


def revise_alert(
    session: Session, alert: Alert, *, raised_at: datetime | None, ended_at: datetime | None, evidence: dict[str, Any],
) -> Alert:
    """The complete track tells the situation's true times and evidence (None: unchanged).

    An unresolved alert whose situation has ended is resolved by the platform; a resolved one is never
    reopened. Nothing changes, and nothing is audited, when the track says what the alert says."""
    merged = {**alert.evidence, **evidence}
    new_start = raised_at is not None and raised_at != alert.raised_at
    new_end = ended_at is not None and ended_at != alert.ended_at
    if not (new_start or new_end or merged != alert.evidence):
        return alert
    alert.raised_at = raised_at or alert.raised_at
    alert.evidence = merged
    session.flush()
    audit.record(session, DETECTOR, "revise", "alert", alert.id, {
        "raised_at": alert.raised_at.isoformat(), "ended_at": ended_at.isoformat() if ended_at else None,
        "evidence": evidence})
    if ended_at is not None and alert.status != "resolved":
        return _ended(session, alert, ended_at, {})
    alert.ended_at = ended_at or alert.ended_at
    session.flush()
    events.publish(session, "alert", alert_summary(alert))
    return alert


def dismiss_unresolved(session: Session, *, type: str, subject: str, note: str) -> Alert | None:
    """dismiss_alert for the unresolved alert of this type and subject, if there is one."""
    alert = _unresolved(session, type, subject)
    return dismiss_alert(session, alert, note) if alert is not None else None


def dismiss_alert(session: Session, alert: Alert, note: str) -> Alert:
    """The complete track does not show the situation: the alert is resolved with the note (a resolved
    one gets the note), never deleted. evidence["not_supported"] keeps the note."""
    alert.evidence = {**alert.evidence, "not_supported": note}
    if alert.status == "resolved":
        return _with_note(session, alert, DETECTOR, "note", note)
    return resolve(session, alert.id, DETECTOR, note)


def _new_risk_evidence(session: Session, alert: Alert) -> None:
    """An alert on a declaration (or its convoy) is evidence: its risk is assessed again."""
    from chekara.services import risk  # risk reads alerts; imported here to keep the modules acyclic

    if alert.declaration_number and alert.type in risk.EVIDENCE_ALERTS:
        risk.reassess_number(session, alert.declaration_number, "alert")


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}", field="id")
    return alert


def acknowledge(session: Session, alert_id: int, actor: Actor, note: str = "") -> Alert:
    alert = get_alert(session, alert_id)
    if alert.status != "open":
        raise Conflict(f"alert {alert_id} is {alert.status}; only an open alert can be acknowledged", field="status")
    alert.status = "acknowledged"
    alert.acknowledged_at = datetime.now(UTC)
    alert.acknowledged_by = actor.name
    return _with_note(session, alert, actor, "acknowledge", note)


def resolve(session: Session, alert_id: int, actor: Actor, note: str = "") -> Alert:
    alert = get_alert(session, alert_id)
    if alert.status == "resolved":
        raise Conflict(f"alert {alert_id} is already resolved", field="status")
    alert.status = "resolved"
    alert.resolved_at = datetime.now(UTC)
    alert.resolved_by = actor.name
    _with_note(session, alert, actor, "resolve", note)
    outbox.emit(session, "alert.resolved", bodies.alert(session, alert), at=alert.resolved_at)
    return alert


def _with_note(session: Session, alert: Alert, actor: Actor, action: str, note: str) -> Alert:
    session.add(AlertNote(alert=alert, author=actor.name, role=actor.role, action=action, text=note))
    session.flush()
    audit.record(session, actor, action, "alert", alert.id, {"status": alert.status, "note": note})
    events.publish(session, "alert", alert_summary(alert))
    return alert


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    type: str | None = None
    trip_id: int | None = None
    checkpoint: str | None = None
    declaration_number: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200
    offset: int = 0
    severity: str | None = None
    #: Corridor code: alerts on the convoys of that corridor.
    corridor: str | None = None
    #: "newest" (raised, newest first) or "severity" (most urgent first, then newest).
    sort: str = "newest"


def list_alerts(session: Session, f: AlertFilter) -> list[Alert]:
    newest = (Alert.raised_at.desc(), Alert.id.desc())
    order = (_severity_rank_column(), *newest) if f.sort == "severity" else newest
    query = select(Alert).order_by(*order).limit(f.limit).offset(f.offset)
    if f.severity:
        query = query.where(_severity_column() == f.severity)
    if f.corridor:
        on_corridor = select(Trip.id).join(Corridor, Trip.corridor_id == Corridor.id).where(Corridor.code == f.corridor.upper())
        query = query.where(Alert.trip_id.in_(on_corridor))
    if f.status:
        query = query.where(Alert.status == f.status)
    if f.type:
        query = query.where(Alert.type == f.type)
    if f.trip_id is not None:
        query = query.where(Alert.trip_id == f.trip_id)
    if f.checkpoint:
        query = query.join(Checkpoint, Alert.checkpoint_id == Checkpoint.id).where(Checkpoint.code == f.checkpoint.upper())
    if f.declaration_number:
        query = query.where(Alert.declaration_number == f.declaration_number)
    if f.since:
        query = query.where(Alert.raised_at >= f.since)
    if f.until:
        query = query.where(Alert.raised_at < f.until)
    return list(session.scalars(query).unique())

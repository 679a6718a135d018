"""Citizens' inquiries: taken by an agent, answered within the topic's SLA, every change audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import Inquiry, InquiryNote, User
from chekara.domain.callcenter.lifecycle import CHANNELS, LANGUAGES, TransitionError, check_transition, sla_state
from chekara.domain.callcenter.phones import PhoneError, normalize_phone
from chekara.domain.plates import PlateError, normalize_plate
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit
from chekara.services.checkpoints import get_checkpoint
from chekara.services.knowledge import knowledge

#: Text limits, characters.
MAX_NAME = 200
MAX_TEXT = 4_000
MAX_NOTE = 2_000


@dataclass(frozen=True)
class InquiryDraft:
    channel: str
    caller_name: str
    caller_phone: str | None
    language: str
    topic: str
    text: str
    plate: str | None = None
    declaration_number: str | None = None
    checkpoint: str | None = None


@dataclass(frozen=True)
class InquiryChange:
    status: str | None = None
    assigned_to: str | None = None
    answer: str | None = None
    note: str | None = None


def _bounded(value: str, field: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput("must not be empty", field=field)
    if len(value) > limit:
        raise InvalidInput(f"is {len(value)} characters; at most {limit}", field=field)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise InvalidInput("contains control characters", field=field)
    return value


def create_inquiry(session: Session, draft: InquiryDraft, actor: Actor, now: datetime | None = None) -> Inquiry:
    now = now or datetime.now(UTC)
    kb = knowledge()
    if draft.channel not in CHANNELS:
        raise InvalidInput(f"one of {', '.join(CHANNELS)}", field="channel")
    if draft.language not in LANGUAGES:
        raise InvalidInput(f"one of {', '.join(LANGUAGES)}", field="language")
    topic = kb.topics.get(draft.topic)
    if topic is None:
        raise InvalidInput(f"unknown topic; one of {', '.join(sorted(kb.topics))}", field="topic")
    phone = None
    if draft.caller_phone:
        try:
            phone = normalize_phone(draft.caller_phone)
        except PhoneError as exc:
            raise InvalidInput(str(exc), field="caller_phone") from exc
    elif draft.channel == "phone":
        raise InvalidInput("a phone inquiry needs the caller's number", field="caller_phone")
    plate = None
    if draft.plate:
        try:
            plate = normalize_plate(draft.plate)
        except PlateError as exc:
            raise InvalidInput(str(exc), field="plate") from exc
    checkpoint = None
    if draft.checkpoint:
        try:
            checkpoint = get_checkpoint(session, draft.checkpoint, field="checkpoint")
        except NotFound as exc:
            raise InvalidInput(exc.message, field="checkpoint") from exc
    number = _bounded(draft.declaration_number, "declaration_number", 40) if draft.declaration_number else None
    inquiry = Inquiry(
        channel=draft.channel,
        caller_name=_bounded(draft.caller_name, "caller_name", MAX_NAME),
        caller_phone=phone,
        language=draft.language,
        topic=draft.topic,
        text=_bounded(draft.text, "text", MAX_TEXT),
        plate=plate,
        declaration_number=number,
        checkpoint=checkpoint,
        status="new",
        due_at=kb.calendar.add_working_hours(now, topic.sla_working_hours),
        created_by=actor.name,
        created_at=now,
    )
    session.add(inquiry)
    session.flush()
    audit.record(session, actor, "create", "inquiry", inquiry.id, {
        "channel": inquiry.channel, "topic": inquiry.topic, "language": inquiry.language,
        "due_at": inquiry.due_at.isoformat(),
    })
    return inquiry


def get_inquiry(session: Session, inquiry_id: int) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound(f"no inquiry {inquiry_id}", field="id")
    return inquiry


def change_inquiry(session: Session, inquiry_id: int, change: InquiryChange, actor: Actor, now: datetime | None = None) -> Inquiry:
    """Assign, answer, move the status forward, add a note; one audited change."""
    now = now or datetime.now(UTC)
    inquiry = get_inquiry(session, inquiry_id)
    if inquiry.status == "closed":
        raise Conflict("a closed inquiry cannot change", field="status")
    before = {"status": inquiry.status, "assigned_to": inquiry.assigned_to, "answered": inquiry.answer is not None}
    if change.assigned_to is not None:
        agent = session.scalar(select(User).where(User.name == change.assigned_to))
        if agent is None or agent.role not in ("callcenter", "admin", "supervisor"):
            raise InvalidInput(f"no call-center agent named {change.assigned_to!r}", field="assigned_to")
        inquiry.assigned_to = agent.name
    if change.answer is not None:
        inquiry.answer = _bounded(change.answer, "answer", MAX_TEXT)
    target = change.status
    if target is None and change.answer is not None and inquiry.status in ("new", "in_progress"):
        target = "answered"
    if target is not None:
        try:
            check_transition(inquiry.status, target, inquiry.answer is not None)
        except TransitionError as exc:
            raise Conflict(str(exc), field="status") from exc
        if target in ("answered", "closed") and inquiry.answered_at is None:
            inquiry.answered_at = now
        if target == "closed":
            inquiry.closed_at = now
        if target == "in_progress" and inquiry.assigned_to is None:
            inquiry.assigned_to = actor.name
        inquiry.status = target
    if change.note is not None:
        session.add(InquiryNote(inquiry=inquiry, author=actor.name, text=_bounded(change.note, "note", MAX_NOTE)))
    session.flush()
    after = {"status": inquiry.status, "assigned_to": inquiry.assigned_to, "answered": inquiry.answer is not None,
             "note": change.note}
    audit.record(session, actor, "update", "inquiry", inquiry.id, {"before": before, "after": after})
    return inquiry


@dataclass(frozen=True)
class InquiryFilter:
    status: str | None = None
    topic: str | None = None
    channel: str | None = None
    assigned_to: str | None = None
    overdue: bool | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


def list_inquiries(session: Session, f: InquiryFilter, now: datetime | None = None) -> list[Inquiry]:
    now = now or datetime.now(UTC)
    query = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc()).limit(f.limit).offset(f.offset)
    for column, value in ((Inquiry.status, f.status), (Inquiry.topic, f.topic), (Inquiry.channel, f.channel),
                          (Inquiry.assigned_to, f.assigned_to)):
        if value:
            query = query.where(column == value)
    if f.overdue is not None:
        late = (Inquiry.answered_at.is_(None)) & (Inquiry.status.in_(("new", "in_progress"))) & (Inquiry.due_at < now)
        query = query.where(late if f.overdue else ~late)
    if f.q:
        query = query.where(Inquiry.search.bool_op("@@")(func.websearch_to_tsquery("simple", f.q)))
    if f.since:
        query = query.where(Inquiry.created_at >= f.since)
    if f.until:
        query = query.where(Inquiry.created_at < f.until)
    return list(session.scalars(query).unique())


def overdue_count(session: Session, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    return session.scalar(
        select(func.count()).select_from(Inquiry).where(
            Inquiry.answered_at.is_(None), Inquiry.status.in_(("new", "in_progress")), Inquiry.due_at < now
        )
    ) or 0


def inquiry_report(session: Session, since: datetime, until: datetime, now: datetime | None = None) -> dict[str, Any]:
    """Counts by topic, channel, status and SLA state, overall and per day (Bishkek calendar days)."""
    from chekara.domain.callcenter.working_time import BISHKEK

    now = now or datetime.now(UTC)
    rows = session.scalars(select(Inquiry).where(Inquiry.created_at >= since, Inquiry.created_at < until)).all()
    totals: dict[str, Counter] = {"topic": Counter(), "channel": Counter(), "status": Counter(), "sla": Counter()}
    days: dict[date, Counter] = {}
    for inquiry in rows:
        sla = sla_state(inquiry.status, inquiry.due_at, inquiry.answered_at, now)
        for key, value in (("topic", inquiry.topic), ("channel", inquiry.channel), ("status", inquiry.status), ("sla", sla)):
            totals[key][value] += 1
        day = days.setdefault(inquiry.created_at.astimezone(BISHKEK).date(), Counter())
        day["total"] += 1
        day[f"sla_{sla}"] += 1
    return {
        "from": since, "to": until, "total": len(rows),
        "by_topic": dict(totals["topic"]), "by_channel": dict(totals["channel"]),
        "by_status": dict(totals["status"]), "by_sla": dict(totals["sla"]),
        "per_day": [{"day": d.isoformat(), **dict(c)} for d, c in sorted(days.items())],
    }

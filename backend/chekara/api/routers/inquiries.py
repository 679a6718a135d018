"""The call center's inquiries, its answers at hand, and the inquiry report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.db.models import Inquiry
from chekara.domain.callcenter.answers import search
from chekara.domain.callcenter.lifecycle import sla_state
from chekara.domain.roles import Actor, Role
from chekara.services import inquiries
from chekara.services.inquiries import InquiryChange, InquiryDraft
from chekara.services.knowledge import knowledge

router = APIRouter(tags=["call center"])

Agent = Annotated[Actor, Depends(Allowed(Role.callcenter))]
Reader = Annotated[Actor, Depends(Allowed(Role.callcenter, Role.supervisor, Role.operator))]
ReportReader = Annotated[Actor, Depends(Allowed(Role.callcenter, Role.supervisor, Role.planner))]


class InquiryIn(BaseModel):
    channel: Literal["phone", "web", "walk_in"]
    caller_name: str = Field(max_length=200)
    caller_phone: str | None = Field(None, max_length=32, description="any usual spelling; stored as E.164")
    language: Literal["ru", "ky", "en"]
    topic: str = Field(max_length=32, description="one of GET /api/v1/inquiry-topics")
    text: str = Field(max_length=4000)
    plate: str | None = Field(None, max_length=20)
    declaration_number: str | None = Field(None, max_length=40)
    checkpoint: str | None = Field(None, max_length=20)


class InquiryPatch(BaseModel):
    status: Literal["new", "in_progress", "answered", "closed"] | None = None
    assigned_to: str | None = Field(None, max_length=64, description="the agent's user name")
    answer: str | None = Field(None, max_length=4000)
    note: str | None = Field(None, max_length=2000, description="appended; notes are never changed")


class NotePublic(BaseModel):
    at: datetime
    author: str
    text: str


class InquiryPublic(BaseModel):
    id: int
    created_at: datetime
    channel: str
    caller_name: str
    caller_phone: str | None
    language: str
    topic: str
    text: str
    plate: str | None
    declaration_number: str | None
    checkpoint: str | None
    status: str
    assigned_to: str | None
    answer: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    due_at: datetime
    sla: str = Field(description="open, overdue, met or missed")
    overdue: bool
    notes: list[NotePublic]

    @classmethod
    def of(cls, i: Inquiry, now: datetime) -> "InquiryPublic":
        sla = sla_state(i.status, i.due_at, i.answered_at, now)
        return cls(
            id=i.id, created_at=i.created_at, channel=i.channel, caller_name=i.caller_name, caller_phone=i.caller_phone,
            language=i.language, topic=i.topic, text=i.text, plate=i.plate, declaration_number=i.declaration_number,
            checkpoint=i.checkpoint.code if i.checkpoint else None, status=i.status, assigned_to=i.assigned_to,
            answer=i.answer, answered_at=i.answered_at, closed_at=i.closed_at, due_at=i.due_at, sla=sla,
            overdue=sla == "overdue", notes=[NotePublic(at=n.at, author=n.author, text=n.text) for n in i.notes],
        )


class InquiryPage(BaseModel):
    items: list[InquiryPublic]
    overdue_total: int = Field(description="unanswered inquiries past their due time, over all filters")


@router.post("/inquiries", response_model=InquiryPublic, status_code=201, summary="Record a citizen's inquiry")
def create_inquiry(body: InquiryIn, session: SessionDep, actor: Agent) -> InquiryPublic:
    inquiry = inquiries.create_inquiry(session, InquiryDraft(**body.model_dump()), actor)
    session.commit()
    return InquiryPublic.of(inquiry, datetime.now(UTC))


@router.get("/inquiries", response_model=InquiryPage, summary="Inquiries, filtered; q searches the text")
def list_inquiries(
    session: SessionDep,
    _: Reader,
    status: Literal["new", "in_progress", "answered", "closed"] | None = None,
    topic: str | None = Query(None, max_length=32),
    channel: Literal["phone", "web", "walk_in"] | None = None,
    assigned_to: str | None = Query(None, max_length=64),
    overdue: bool | None = None,
    q: str | None = Query(None, max_length=200, description="full-text search over name, text, answer, plate, number"),
    from_: datetime | None = Query(None, alias="from"),
    to: datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> InquiryPage:
    now = datetime.now(UTC)
    found = inquiries.list_inquiries(
        session, inquiries.InquiryFilter(status, topic, channel, assigned_to, overdue, q, from_, to, limit, offset), now
    )
    return InquiryPage(items=[InquiryPublic.of(i, now) for i in found], overdue_total=inquiries.overdue_count(session, now))


@router.get("/inquiries/{inquiry_id}", response_model=InquiryPublic, summary="One inquiry with its notes")
def get_inquiry(inquiry_id: int, session: SessionDep, _: Reader) -> InquiryPublic:
    return InquiryPublic.of(inquiries.get_inquiry(session, inquiry_id), datetime.now(UTC))


@router.patch("/inquiries/{inquiry_id}", response_model=InquiryPublic, summary="Assign, answer, move the status, add a note")
def change_inquiry(inquiry_id: int, body: InquiryPatch, session: SessionDep, actor: Agent) -> InquiryPublic:
    inquiry = inquiries.change_inquiry(session, inquiry_id, InquiryChange(**body.model_dump()), actor)
    session.commit()
    return InquiryPublic.of(inquiry, datetime.now(UTC))


class TopicPublic(BaseModel):
    key: str
    sla_working_hours: float
    names: dict[str, str]


@router.get("/inquiry-topics", response_model=list[TopicPublic], summary="The fixed list of topics and their SLA")
def topics(_: Reader) -> list[TopicPublic]:
    return [TopicPublic(key=t.key, sla_working_hours=t.sla_working_hours, names=t.names) for t in knowledge().topics.values()]


class AnswerPublic(BaseModel):
    topic: str
    language: str
    title: str
    body: str


@router.get("/answers", response_model=list[AnswerPublic], summary="Search the answers at hand")
def answers(
    _: Reader,
    q: str = Query("", max_length=200),
    language: Literal["ru", "ky", "en"] | None = None,
    topic: str | None = Query(None, max_length=32),
    limit: int = Query(5, ge=1, le=50),
) -> list[AnswerPublic]:
    return [AnswerPublic(**a.__dict__) for a in search(list(knowledge().answers), q, language, topic, limit)]


@router.get("/reports/inquiries", summary="Inquiries by topic, channel, status, SLA kept / missed, per day")
def inquiry_report(
    session: SessionDep,
    _: ReportReader,
    from_: datetime | None = Query(None, alias="from", description="default: 30 days ago"),
    to: datetime | None = Query(None, description="default: now"),
) -> dict[str, Any]:
    until = to or datetime.now(UTC)
    since = from_ or until - timedelta(days=30)
    return inquiries.inquiry_report(session, since, until)

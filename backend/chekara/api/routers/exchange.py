"""Exchange, the partners' side: pull our events, announce vehicles, read the schemas (docs/EXCHANGE.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from chekara.api.deps import Allowed, SessionDep, SettingsDep
from chekara.db.models import PreArrivalNotice
from chekara.db.models.exchange import NOTICE_STATUSES
from chekara.domain.exchange import EVENT_TYPES
from chekara.domain.roles import STAFF, Actor, Role
from chekara.services import outbox
from chekara.services.exchange import notices, partners, schemas

router = APIRouter(prefix="/exchange", tags=["exchange"])

PartnerCaller = Annotated[Actor, Depends(Allowed(Role.partner))]
PartnerOrStaff = Annotated[Actor, Depends(Allowed(Role.partner, STAFF))]
#: The largest page of the pull API.
MAX_PAGE = 1000


class EventsPage(BaseModel):
    events: list[dict[str, Any]] = Field(description="envelopes, oldest first: id, sequence, type, schema_version, occurred_at, data")
    next_cursor: int = Field(description="pass as after= for the next page (the last sequence returned, or after)")
    has_more: bool = Field(description="a full page came back: ask again at once")


@router.get("/events", response_model=EventsPage, summary="Our events after a cursor (partners that pull)")
def pull_events(
    session: SessionDep,
    actor: PartnerCaller,
    after: int = Query(0, ge=0, description="the sequence of the last event already processed (0: from the start)"),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    type: list[Literal[EVENT_TYPES]] | None = Query(None, description="only these types (repeat the parameter)"),  # type: ignore[valid-type]
) -> EventsPage:
    if actor.role == Role.partner:
        partners.partner_of(session, actor)  # a registered, active partner
    found = outbox.events_after(session, after, limit, list(type) if type else None)
    return EventsPage(
        events=[outbox.envelope(e).as_dict() for e in found],
        next_cursor=found[-1].seq if found else after,
        has_more=len(found) == limit,
    )


class GoodsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hs_code: str = Field(pattern=r"^[0-9 ]{4,14}$")
    description: str = Field(max_length=500)
    gross_kg: float | None = Field(None, gt=0)


class NoticeIn(BaseModel):
    """A pre-arrival notice (schema: GET /api/v1/exchange/schemas/pre_arrival_notice.json)."""

    model_config = ConfigDict(extra="forbid")
    notice_id: str = Field(min_length=1, max_length=64, description="the partner's own id: sending it again is idempotent")
    checkpoint: str = Field(min_length=1, max_length=20, description="our checkpoint code, e.g. AK-JOL")
    vehicle_plate: str = Field(min_length=1, max_length=40, description="any spelling")
    trailer_plate: str | None = Field(None, max_length=40)
    declaration_number: str = Field(min_length=1, max_length=40)
    departed_at: AwareDatetime | None = Field(None, description="when the vehicle left the partner's post")
    expected_at: AwareDatetime = Field(description="when it should reach our checkpoint")
    gross_kg: int | None = Field(None, gt=0, le=150_000, description="the partner's weighbridge gross, kg")
    seal_ids: list[str] = Field(default_factory=list, max_length=20)
    goods: list[GoodsIn] = Field(default_factory=list, max_length=200)


class NoticePublic(BaseModel):
    id: int
    notice_id: str
    partner: str
    checkpoint: str
    vehicle_plate: str
    trailer_plate: str | None
    declaration_number: str
    departed_at: datetime | None
    expected_at: datetime
    gross_kg: int | None
    seal_ids: list[str]
    status: str = Field(description="announced, arrived (matched to an entry read) or not_arrived (alert raised)")
    crossing_id: int | None
    match_kind: str | None
    arrived_at: datetime | None
    alerted_at: datetime | None
    outcome: Literal["created", "duplicate", "stored"] = "stored"

    @classmethod
    def of(cls, n: PreArrivalNotice, outcome: str = "stored") -> "NoticePublic":
        return cls(
            id=n.id, notice_id=n.notice_ref, partner=n.partner.code, checkpoint=n.checkpoint.code,
            vehicle_plate=n.vehicle_plate, trailer_plate=n.trailer_plate, declaration_number=n.declaration_number,
            departed_at=n.departed_at, expected_at=n.expected_at, gross_kg=n.gross_kg, seal_ids=list(n.seal_ids),
            status=n.status, crossing_id=n.crossing_id, match_kind=n.match_kind, arrived_at=n.arrived_at,
            alerted_at=n.alerted_at, outcome=outcome,
        )


@router.post("/inbound", status_code=201, response_model=NoticePublic,
             responses={200: {"model": NoticePublic, "description": "The same notice re-sent: the stored one"}},
             summary="A partner announces a vehicle coming to one of our checkpoints")
def post_notice(
    body: NoticeIn, response: Response, session: SessionDep, settings: SettingsDep, actor: PartnerCaller
) -> NoticePublic:
    partner = partners.partner_of(session, actor)
    notice, created = notices.receive(session, settings, partner, notices.NoticeDraft(
        notice_id=body.notice_id, checkpoint=body.checkpoint, vehicle_plate=body.vehicle_plate,
        trailer_plate=body.trailer_plate, declaration_number=body.declaration_number, departed_at=body.departed_at,
        expected_at=body.expected_at, gross_kg=body.gross_kg, seal_ids=tuple(body.seal_ids),
        goods=tuple(notices.GoodsItem(g.hs_code, g.description, g.gross_kg) for g in body.goods),
    ), actor)
    session.commit()
    if not created:
        response.status_code = 200
    return NoticePublic.of(notice, "created" if created else "duplicate")


@router.get("/inbound", response_model=list[NoticePublic],
            summary="Pre-arrival notices, latest expected first (a partner sees its own)")
def list_notices(
    session: SessionDep,
    actor: PartnerOrStaff,
    status: Literal[NOTICE_STATUSES] | None = Query(None),  # type: ignore[valid-type]
    checkpoint: str | None = Query(None, max_length=20),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[NoticePublic]:
    partner = partners.partner_of(session, actor) if actor.role == Role.partner else None
    return [NoticePublic.of(n) for n in notices.list_notices(session, partner, status, checkpoint, limit, offset)]


@router.get("/schemas", summary="The names and addresses of the exchange's JSON Schemas")
def list_schemas(_: PartnerOrStaff) -> list[dict[str, str]]:
    return [{"name": name, "url": f"/api/v1/exchange/schemas/{name}.json"} for name in schemas.SCHEMA_NAMES]


@router.get("/schemas/{name}.json", summary="One JSON Schema (an event type, or pre_arrival_notice)",
            response_class=Response, responses={200: {"content": {"application/schema+json": {}}}})
def get_schema(name: str, _: PartnerOrStaff) -> Response:
    return Response(schemas.schema_text(name), media_type="application/schema+json")

"""Exchange, the admin's side: register partners, their webhooks, and the dead-letter list (docs/EXCHANGE.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from chekara.api.deps import Admin, SessionDep, SettingsDep
from chekara.db.models import Delivery, Partner, Webhook
from chekara.services import outbox
from chekara.services.exchange import dead_letters, partners
from chekara.services.exchange.status import webhook_status

router = APIRouter(prefix="/exchange", tags=["exchange admin"])


class WebhookPublic(BaseModel):
    id: int
    url: str
    event_types: list[str] = Field(description="empty: every type")
    active: bool
    secret_prefix: str = Field(description="the first characters of the secret, to tell secrets apart")
    cursor_seq: int
    delivered: int
    pending: int
    dead: int
    behind: int = Field(description="events written after the webhook's cursor, not yet considered")
    head_event_id: str | None = Field(description="the event at the head of the queue (blocking the rest while it fails)")
    head_attempts: int
    head_next_attempt_at: datetime | None
    head_last_error: str | None

    @classmethod
    def of(cls, session: Session, w: Webhook) -> "WebhookPublic":
        status = webhook_status(session, w)
        return cls(id=w.id, url=w.url, event_types=list(w.event_types), active=w.active, secret_prefix=w.secret[:4],
                   cursor_seq=w.cursor_seq, **status.__dict__)


class PartnerPublic(BaseModel):
    code: str
    name: str
    country: str
    active: bool
    created_at: datetime
    webhook: WebhookPublic | None

    @classmethod
    def of(cls, session: Session, p: Partner) -> "PartnerPublic":
        return cls(code=p.code, name=p.name, country=p.country, active=p.active, created_at=p.created_at,
                   webhook=WebhookPublic.of(session, p.webhook) if p.webhook else None)


class PartnerIn(BaseModel):
    code: str = Field(min_length=2, max_length=20, description="short name, e.g. KZ-KGD; also its user's name")
    name: str = Field(min_length=1, max_length=200, description="e.g. State Revenue Committee of Kazakhstan")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class PartnerRegistered(PartnerPublic):
    token: str = Field(description="the partner's first API token (role partner): shown this once")


@router.post("/partners", status_code=201, response_model=PartnerRegistered, summary="Register a partner (admin)")
def register_partner(body: PartnerIn, session: SessionDep, settings: SettingsDep, actor: Admin) -> PartnerRegistered:
    partner, issued = partners.register_partner(session, settings, body.code, body.name, body.country, actor)
    session.commit()
    return PartnerRegistered(**PartnerPublic.of(session, partner).model_dump(), token=issued.token)


@router.get("/partners", response_model=list[PartnerPublic], summary="Partners and how their deliveries go (admin)")
def list_partners(session: SessionDep, _: Admin) -> list[PartnerPublic]:
    return [PartnerPublic.of(session, p) for p in partners.list_partners(session)]


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="http(s) URL the events are POSTed to")
    event_types: list[str] = Field(default_factory=list, description="the types wanted; empty: every type")
    secret: str | None = Field(
        None, min_length=16, max_length=200,
        description="the HMAC key; omitted: a new webhook gets a random one, a changed webhook keeps its own",
    )


class WebhookSaved(WebhookPublic):
    secret: str | None = Field(description="the secret when it is new or changed: shown this once")


@router.put("/partners/{code}/webhook", response_model=WebhookSaved,
            summary="Create or change a partner's webhook (admin); a new one starts at the newest event")
def put_webhook(code: str, body: WebhookIn, session: SessionDep, actor: Admin) -> WebhookSaved:
    partner = partners.get_partner(session, code)
    webhook, shown = partners.put_webhook(session, partner, body.url, body.event_types, body.secret, actor)
    session.commit()
    return WebhookSaved(**WebhookPublic.of(session, webhook).model_dump(), secret=shown)


@router.delete("/partners/{code}/webhook", response_model=WebhookPublic,
               summary="Stop pushing events to a partner (admin); its place in the outbox is kept")
def delete_webhook(code: str, session: SessionDep, actor: Admin) -> WebhookPublic:
    webhook = partners.deactivate_webhook(session, partners.get_partner(session, code), actor)
    session.commit()
    return WebhookPublic.of(session, webhook)


class DeadLetter(BaseModel):
    delivery_id: int
    partner: str
    url: str
    attempts: int
    replays: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    dead_at: datetime | None
    status: str
    event: dict[str, Any] = Field(description="the envelope as the partner would receive it")

    @classmethod
    def of(cls, d: Delivery) -> "DeadLetter":
        return cls(
            delivery_id=d.id, partner=d.webhook.partner.code, url=d.webhook.url, attempts=d.attempts,
            replays=d.replays, last_status_code=d.last_status_code, last_error=d.last_error,
            last_attempt_at=d.last_attempt_at, dead_at=d.dead_at, status=d.status,
            event=outbox.envelope(d.event).as_dict(),
        )


@router.get("/dead-letters", response_model=list[DeadLetter], summary="Events a partner refused too often (admin)")
def list_dead_letters(
    session: SessionDep,
    _: Admin,
    partner: str | None = Query(None, max_length=20, description="one partner's code"),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[DeadLetter]:
    return [DeadLetter.of(d) for d in dead_letters.list_dead(session, partner, limit, offset)]


@router.post("/dead-letters/{delivery_id}/replay", response_model=DeadLetter,
             summary="Send a dead-lettered event again (admin): it goes before the partner's queue")
def replay_dead_letter(delivery_id: int, session: SessionDep, actor: Admin) -> DeadLetter:
    delivery = dead_letters.replay(session, delivery_id, actor)
    session.commit()
    return DeadLetter.of(delivery)

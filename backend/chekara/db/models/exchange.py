"""Exchange with the neighbouring customs: partners, the outbox, webhooks and their deliveries, pre-arrival notices.

The outbox is written in the same transaction as the change an event
describes (services.outbox), so no event is lost and none is invented.
Deliveries are made lazily, one webhook at a time, in outbox order
(services.exchange.delivery); a delivery row is the history of one event to
one webhook. docs/EXCHANGE.md explains the whole exchange.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import Base, Timestamped
from chekara.db.models.reference import Checkpoint
from chekara.db.models.security import User

DELIVERY_STATUSES = ("pending", "delivered", "dead")
NOTICE_STATUSES = ("announced", "arrived", "not_arrived")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Partner(Timestamped, Base):
    """A neighbouring customs system, registered by an admin; it acts through tokens of its own user (role partner)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short name, e.g. KZ-KGD; also the name of its user.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    #: ISO 3166-1 alpha-2 of the partner's country.
    country: Mapped[str] = mapped_column(String(2))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(lazy="joined")
    webhook: Mapped["Webhook | None"] = relationship(back_populates="partner", uselist=False)


class OutboxEvent(Base):
    """One outbound event, written with the change it describes; never changed afterwards."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_type_seq", "type", "seq"),)

    #: Assigned under a transaction lock held until commit, so it increases in commit order: the pull cursor.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(SmallInteger)
    #: What the event is about, e.g. "crossing:12": the key a broker would partition by.
    subject: Mapped[str] = mapped_column(String(64))
    #: When it happened (event time); recorded_at is when it was written.
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Webhook(Timestamped, Base):
    """Where a partner wants our events pushed: one per partner, so its events go out in one order."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(Text)
    #: The event types wanted; empty: every type.
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    #: The shared HMAC key. Kept as given: signing needs it, a hash would not do.
    secret: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The last outbox seq considered for this webhook (a delivery was made for it, or its type is not wanted).
    cursor_seq: Mapped[int] = mapped_column(BigInteger, default=0)

    partner: Mapped[Partner] = relationship(back_populates="webhook", lazy="joined")


class Delivery(Base):
    """One event on its way to one webhook: pending (tried or not yet), delivered, or dead (dead-lettered)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_seq", name="uq_deliveries_webhook_event"),
        CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        Index("ix_deliveries_webhook_status_seq", "webhook_id", "status", "event_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_seq: Mapped[int] = mapped_column(ForeignKey("outbox_events.seq"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: Attempts since it became pending (a replay starts again from 0).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: How often an admin sent it back from the dead-letter list.
    replays: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    webhook: Mapped[Webhook] = relationship(lazy="joined")
    event: Mapped[OutboxEvent] = relationship(lazy="joined")


class PreArrivalNotice(Timestamped, Base):
    """A partner's announcement of a vehicle coming to one of our checkpoints, and what became of it."""

    __tablename__ = "pre_arrival_notices"
    __table_args__ = (
        UniqueConstraint("partner_id", "notice_ref", name="uq_pre_arrival_notices_partner_ref"),
        CheckConstraint(_one_of("status", NOTICE_STATUSES), name="status"),
        CheckConstraint("gross_kg IS NULL OR gross_kg > 0", name="gross_kg"),
        Index("ix_pre_arrival_notices_checkpoint_status", "checkpoint_id", "status", "expected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    #: The partner's own id of the notice: re-sending it is idempotent.
    notice_ref: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    #: Canonical plates (chekara.domain.plates.normalize_plate) and the text as announced.
    vehicle_plate: Mapped[str] = mapped_column(String(20))
    vehicle_plate_text: Mapped[str] = mapped_column(Text)
    trailer_plate: Mapped[str | None] = mapped_column(String(20))
    trailer_plate_text: Mapped[str | None] = mapped_column(Text)
    declaration_number: Mapped[str] = mapped_column(String(40))
    #: When the vehicle left the partner's post, and when it should reach ours.
    departed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The partner's weighbridge gross, kg.
    gross_kg: Mapped[int | None] = mapped_column(Integer)
    #: Normalised seal ids (chekara.domain.exchange.normalize_seal_id).
    seal_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    #: [{hs_code, description, gross_kg}] as announced.
    goods: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    status: Mapped[str] = mapped_column(String(12), default="announced")
    crossing_id: Mapped[int | None] = mapped_column(ForeignKey("crossings.id"), index=True)
    match_kind: Mapped[str | None] = mapped_column(String(10))
    #: The entry read that matched it (event time).
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When announced_not_arrived was raised for it.
    alerted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the notice as received, to tell a re-sent copy from a changed one.
    submission_sha256: Mapped[str] = mapped_column(String(64))

    partner: Mapped[Partner] = relationship(lazy="joined")
    checkpoint: Mapped[Checkpoint] = relationship(lazy="joined")

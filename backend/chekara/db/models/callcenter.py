"""The call center: citizens' inquiries and the notes agents add to them (append-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Computed, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import Base
from chekara.db.models.reference import Checkpoint

#: Words of an inquiry for full-text search; 'simple' because callers mix Russian, Kyrgyz and Latin.
SEARCH_DOCUMENT = (
    "to_tsvector('simple', coalesce(caller_name, '') || ' ' || coalesce(text, '') || ' ' || "
    "coalesce(answer, '') || ' ' || coalesce(plate, '') || ' ' || coalesce(declaration_number, ''))"
)


class Inquiry(Base):
    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'in_progress', 'answered', 'closed')", name="status"),
        CheckConstraint("channel IN ('phone', 'web', 'walk_in')", name="channel"),
        CheckConstraint("language IN ('ru', 'ky', 'en')", name="language"),
        Index("ix_inquiries_search", "search", postgresql_using="gin"),
        Index("ix_inquiries_status_due", "status", "due_at"),
        Index("ix_inquiries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
    channel: Mapped[str] = mapped_column(String(16))
    caller_name: Mapped[str] = mapped_column(Text)
    #: E.164, e.g. +996555123456.
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    #: Canonical plate (chekara.domain.plates.normalize_plate).
    plate: Mapped[str | None] = mapped_column(String(20))
    declaration_number: Mapped[str | None] = mapped_column(String(40))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the answer is due: the topic's SLA in working hours from creation.
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(Text)
    search = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))

    checkpoint: Mapped[Checkpoint | None] = relationship(lazy="joined")
    notes: Mapped[list["InquiryNote"]] = relationship(back_populates="inquiry", order_by="InquiryNote.id", lazy="selectin")


class InquiryNote(Base):
    __tablename__ = "inquiry_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    author: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)

    inquiry: Mapped[Inquiry] = relationship(back_populates="notes")

"""Alerts an operator must look at, with evidence, a lifecycle and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import Base
from chekara.db.models.reference import Checkpoint

ALERT_STATUSES = ("open", "acknowledged", "resolved")


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status"),
        Index("ix_alerts_status_type", "status", "type"),
        Index("ix_alerts_trip", "trip_id"),
        Index("ix_alerts_raised_at", "raised_at"),
        # One unresolved alert per subject: a detector re-raising the same thing updates it.
        Index(
            "uq_alerts_unresolved_subject", "type", "subject",
            unique=True, postgresql_where=text("status <> 'resolved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: route_deviation, unauthorized_stop, signal_lost, overdue, gps_anomaly, convoy_separation,
    #: low_battery, exit_without_release, undeclared_vehicle, plate_mismatch, transit_not_closed, …
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: What the alert is about, unique among unresolved alerts of a type, e.g. "trip:12:dev:IMEI1".
    subject: Mapped[str] = mapped_column(Text)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    declaration_number: Mapped[str | None] = mapped_column(String(40), index=True)
    #: When the situation began (event time, e.g. the first fix outside the corridor).
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the situation ended (event time), if it has.
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    checkpoint: Mapped[Checkpoint | None] = relationship(lazy="joined")
    notes: Mapped[list["AlertNote"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertNote.id", lazy="selectin"
    )


class AlertNote(Base):
    """A step in an alert's life, by a person: acknowledged, resolved, or a plain note."""

    __tablename__ = "alert_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    author: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship(back_populates="notes")

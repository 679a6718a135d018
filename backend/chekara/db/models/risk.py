"""Risk assessments of declarations: every change of verdict kept, never overwritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chekara.db.models.base import Base


class RiskAssessment(Base):
    """One verdict on a declaration; the newest is in force. Append-only (a trigger refuses changes)."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        CheckConstraint("channel IN ('green', 'blue', 'yellow', 'red')", name="channel"),
        Index("ix_risk_assessments_declaration_at", "declaration_id", "assessed_at"),
        Index("ix_risk_assessments_channel", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(8))
    previous_channel: Mapped[str | None] = mapped_column(String(8))
    #: [{"rule", "weight", "reason"}]
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    ruleset_version: Mapped[str] = mapped_column(Text)
    #: What new evidence caused it: declaration, weighing, plate_read, alert, inspection, manual.
    trigger: Mapped[str] = mapped_column(String(20))

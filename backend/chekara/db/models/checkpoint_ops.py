"""Checkpoint operations: declarations and their goods, plate reads, weighings, crossings, findings.

A crossing is one vehicle's passage through one checkpoint; its steps are
kept one row each (who, when, what), so the procedure can be replayed and
nothing is edited in place. Money is Numeric (som to the tyiyn), masses are
kg: whole kg for weighbridge readings, to the gram for declared goods.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import Base, Timestamped
from chekara.db.models.reference import Checkpoint

DECLARATION_KINDS = ("transit", "import", "export")
CROSSING_STATUSES = ("arrived", "documents_checked", "weighed", "inspected", "released", "exited")
TRAVEL_DIRECTIONS = ("inbound", "outbound", "unknown")
READ_DIRECTIONS = ("entry", "exit")
MATCH_KINDS = ("exact", "probable")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _money() -> Numeric:
    return Numeric(18, 2)


class Declaration(Timestamped, Base):
    """A transit, import or export declaration, with its goods and what is due on them."""

    __tablename__ = "declarations"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DECLARATION_KINDS), name="kind"),
        CheckConstraint("declared_gross_kg > 0", name="declared_gross_kg"),
        CheckConstraint(
            "kind <> 'transit' OR (delivery_deadline IS NOT NULL AND entry_checkpoint_id IS NOT NULL "
            "AND exit_checkpoint_id IS NOT NULL)",
            name="transit_route",
        ),
        Index("ix_declarations_vehicle_plate", "vehicle_plate"),
        Index("ix_declarations_trailer_plate", "trailer_plate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Upper case letters, digits and dashes, e.g. 41700000-150126-0001234.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The day the declaration was filed: its goods are converted at the rates in force that day.
    declaration_date: Mapped[date] = mapped_column(Date)
    #: Canonical plates (chekara.domain.plates.normalize_plate) and the text as declared.
    vehicle_plate: Mapped[str] = mapped_column(String(20))
    vehicle_plate_text: Mapped[str] = mapped_column(Text)
    trailer_plate: Mapped[str | None] = mapped_column(String(20))
    trailer_plate_text: Mapped[str | None] = mapped_column(Text)
    #: The vehicle as it should weigh on the weighbridge: tractor, trailer and load, kg.
    declared_gross_kg: Mapped[int] = mapped_column(Integer)
    consignor: Mapped[str] = mapped_column(Text)
    consignee: Mapped[str] = mapped_column(Text)
    #: ISO 3166-1 alpha-2 of the country the goods are sent from and the one they go to.
    dispatch_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    entry_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    exit_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    #: Transit only: the vehicle must be seen leaving at the exit checkpoint by then.
    delivery_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Sum of the goods lines' customs value, KGS.
    value_kgs: Mapped[Decimal] = mapped_column(_money())
    #: Import only: duty and VAT due, KGS (lines without a tariff rate count 0; see lines_without_rate).
    payments_due_kgs: Mapped[Decimal] = mapped_column(_money())
    #: Transit only: the guarantee, the duty and VAT an import of the goods would owe, KGS.
    guarantee_kgs: Mapped[Decimal | None] = mapped_column(_money())
    #: Goods lines whose HS code has no tariff rate (a "no rate" finding each).
    lines_without_rate: Mapped[int] = mapped_column(Integer, default=0)
    #: Transit: when the vehicle was seen leaving at the exit checkpoint.
    transit_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Transit: when transit_not_closed was raised (raised once, even after an operator resolves it).
    transit_alerted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the submitted declaration, to tell a re-sent copy from a different one.
    submission_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(Text, default="")

    entry_checkpoint: Mapped[Checkpoint | None] = relationship(foreign_keys=[entry_checkpoint_id], lazy="joined")
    exit_checkpoint: Mapped[Checkpoint | None] = relationship(foreign_keys=[exit_checkpoint_id], lazy="joined")
    goods_lines: Mapped[list["GoodsLine"]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="GoodsLine.line_no", lazy="selectin"
    )
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="declaration", order_by="Finding.id", viewonly=True
    )
    crossings: Mapped[list["Crossing"]] = relationship(
        back_populates="declaration", order_by="Crossing.id", viewonly=True
    )


class GoodsLine(Base):
    """One line of goods: HS code, masses, value in its currency and in KGS, duty and VAT."""

    __tablename__ = "goods_lines"
    __table_args__ = (
        UniqueConstraint("declaration_id", "line_no", name="uq_goods_lines_declaration_line"),
        CheckConstraint("gross_kg > 0 AND net_kg > 0 AND net_kg <= gross_kg", name="masses"),
        CheckConstraint("value >= 0", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    #: 6 to 10 digits.
    hs_code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    gross_kg: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    net_kg: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    value: Mapped[Decimal] = mapped_column(_money())
    currency: Mapped[str] = mapped_column(String(3))
    #: The rate in force on the declaration date (1 for KGS).
    kgs_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    value_kgs: Mapped[Decimal] = mapped_column(_money())
    #: None when the tariff has no rate for the code (never a guess).
    duty_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    duty_kgs: Mapped[Decimal | None] = mapped_column(_money())
    vat_kgs: Mapped[Decimal | None] = mapped_column(_money())
    tariff_prefix: Mapped[str | None] = mapped_column(String(10))

    declaration: Mapped[Declaration] = relationship(back_populates="goods_lines")


class Crossing(Timestamped, Base):
    """One vehicle's passage through one checkpoint, walked step by step.

    ``status`` is the last step recorded. ``plate`` is the vehicle's
    canonical plate: the declaration's when the read matched one (exactly or
    probably), the read's otherwise.
    """

    __tablename__ = "crossings"
    __table_args__ = (
        CheckConstraint(_one_of("status", CROSSING_STATUSES), name="status"),
        CheckConstraint(_one_of("direction", TRAVEL_DIRECTIONS), name="direction"),
        CheckConstraint(f"plate_match_kind IS NULL OR {_one_of('plate_match_kind', MATCH_KINDS)}", name="match_kind"),
        # One vehicle is inside a checkpoint once: a second entry read joins the open crossing.
        Index(
            "uq_crossings_open_vehicle", "checkpoint_id", "plate",
            unique=True, postgresql_where=text("status <> 'exited'"),
        ),
        Index("ix_crossings_checkpoint_exited_at", "checkpoint_id", "exited_at"),
        Index("ix_crossings_entered_at", "entered_at"),
        Index("ix_crossings_released_at", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), index=True)
    plate: Mapped[str] = mapped_column(String(20))
    #: The canonical form of the entry read, which may differ from plate by OCR confusions.
    plate_as_read: Mapped[str] = mapped_column(String(20))
    plate_match_kind: Mapped[str | None] = mapped_column(String(10))
    plate_match_confidence: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(10), default="unknown")
    status: Mapped[str] = mapped_column(String(20), default="arrived")
    #: Event times: the entry read, the release step, the exit (read or step).
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The exit came from a camera read (processing times use only these).
    exit_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    checkpoint: Mapped[Checkpoint] = relationship(lazy="joined")
    declaration: Mapped[Declaration | None] = relationship(back_populates="crossings")
    steps: Mapped[list["CrossingStep"]] = relationship(
        back_populates="crossing", cascade="all, delete-orphan", order_by="CrossingStep.id", lazy="selectin"
    )
    plate_reads: Mapped[list["PlateRead"]] = relationship(
        back_populates="crossing", order_by="PlateRead.read_at", viewonly=True
    )
    weighings: Mapped[list["Weighing"]] = relationship(
        back_populates="crossing", order_by="Weighing.weighed_at", viewonly=True
    )
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="crossing", order_by="Finding.id", viewonly=True
    )


class CrossingStep(Base):
    """One step of a crossing: which, when (event time), who, and what was done or found."""

    __tablename__ = "crossing_steps"
    __table_args__ = (
        UniqueConstraint("crossing_id", "step", name="uq_crossing_steps_crossing_step"),
        CheckConstraint(_one_of("step", CROSSING_STATUSES), name="step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crossing_id: Mapped[int] = mapped_column(ForeignKey("crossings.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    crossing: Mapped[Crossing] = relationship(back_populates="steps")


class PlateRead(Base):
    """One ANPR camera reading at a checkpoint lane, as read and normalised."""

    __tablename__ = "plate_reads"
    __table_args__ = (
        # The same camera reporting the same plate at the same instant is one read.
        UniqueConstraint("camera_id", "read_at", "plate", name="uq_plate_reads_camera_time_plate"),
        CheckConstraint(_one_of("direction", READ_DIRECTIONS), name="direction"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        CheckConstraint(f"match_kind IS NULL OR {_one_of('match_kind', MATCH_KINDS)}", name="match_kind"),
        Index("ix_plate_reads_checkpoint_read_at", "checkpoint_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    crossing_id: Mapped[int | None] = mapped_column(ForeignKey("crossings.id"), index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    lane: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(5))
    #: The text as the camera sent it (surrounding whitespace removed).
    plate_text: Mapped[str] = mapped_column(Text)
    plate: Mapped[str] = mapped_column(String(20))
    plate_country: Mapped[str | None] = mapped_column(String(2))
    plate_format: Mapped[str] = mapped_column(String(20))
    #: The camera's own OCR confidence, 0..1.
    confidence: Mapped[float] = mapped_column(Float)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    image_ref: Mapped[str | None] = mapped_column(Text)
    #: How the read matched the vehicle of its crossing or declaration; None when it matched nothing.
    match_kind: Mapped[str | None] = mapped_column(String(10))
    match_confidence: Mapped[float | None] = mapped_column(Float)
    posted_by: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    checkpoint: Mapped[Checkpoint] = relationship(lazy="joined")
    crossing: Mapped[Crossing | None] = relationship(back_populates="plate_reads")


class Weighing(Base):
    """One weighbridge measurement of a vehicle inside a checkpoint."""

    __tablename__ = "weighings"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "plate", "weighed_at", name="uq_weighings_checkpoint_plate_time"),
        CheckConstraint("gross_kg > 0", name="gross_kg"),
        # The desk's list: one checkpoint's weighings, newest first.
        Index("ix_weighings_checkpoint_weighed_at", "checkpoint_id", "weighed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    crossing_id: Mapped[int] = mapped_column(ForeignKey("crossings.id"), index=True)
    weighbridge_id: Mapped[str | None] = mapped_column(String(64))
    plate_text: Mapped[str] = mapped_column(Text)
    plate: Mapped[str] = mapped_column(String(20))
    gross_kg: Mapped[int] = mapped_column(Integer)
    axle_loads_kg: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    axle_classes: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    weighed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The declaration's gross at the time of weighing, kg (None without a declaration).
    declared_gross_kg: Mapped[int | None] = mapped_column(Integer)
    posted_by: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    checkpoint: Mapped[Checkpoint] = relationship(lazy="joined")
    crossing: Mapped[Crossing] = relationship(back_populates="weighings")
    findings: Mapped[list["Finding"]] = relationship(order_by="Finding.id", viewonly=True)


class Finding(Base):
    """Something found wrong, with its numbers: kept on the crossing and on the declaration.

    Kinds: overweight_gross, overweight_axle, weight_discrepancy (a weighing),
    no_rate (a goods line without a tariff rate), inspection_found (an inspection).
    """

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_kind", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), index=True)
    crossing_id: Mapped[int | None] = mapped_column(ForeignKey("crossings.id"), index=True)
    weighing_id: Mapped[int | None] = mapped_column(ForeignKey("weighings.id"), index=True)
    goods_line_id: Mapped[int | None] = mapped_column(ForeignKey("goods_lines.id", ondelete="CASCADE"))
    #: Event time: when the weighing, inspection or declaration happened.
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    declaration: Mapped[Declaration | None] = relationship(back_populates="findings")
    crossing: Mapped[Crossing | None] = relationship(back_populates="findings")

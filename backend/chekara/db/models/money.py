"""Exchange rates: how many som (KGS) one unit of a currency is worth."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from chekara.db.models.base import Base


class ExchangeRate(Base):
    """The rate in force from `effective_date` until the next one of that currency."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "effective_date", name="uq_exchange_rates_currency_date"),
        CheckConstraint("kgs_per_unit > 0", name="kgs_per_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 4217 code, e.g. USD.
    currency: Mapped[str] = mapped_column(String(3))
    kgs_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    effective_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

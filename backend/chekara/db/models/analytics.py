"""Analytics rollups: per H3 res-9 cell and hour, kept by chekara.services.analytics.rollups.

Nothing here is a source of truth: every row can be recomputed from
``positions`` (``chekara analytics rebuild``). Means are stored as a sum and
a count so they combine over hours and cells; the speed sum is NUMERIC and
dwell is whole milliseconds, so sums are exact and an incremental update
gives the same numbers as a rebuild, whatever the order of addition.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from chekara.db.models.base import Base


class H3Cell(Base):
    """A res-9 cell seen in the rollups: its parents at res 5–8 and its centre.

    Parents are computed once per cell in Python (h3.api.basic_int) and
    stored, so a coarse heatmap is a GROUP BY on a column, and the centre
    lets a bbox filter run in SQL.
    """

    __tablename__ = "h3_cells"
    __table_args__ = (Index("ix_h3_cells_lat_lon", "lat", "lon"),)

    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    r8: Mapped[int] = mapped_column(BigInteger)
    r7: Mapped[int] = mapped_column(BigInteger)
    r6: Mapped[int] = mapped_column(BigInteger)
    r5: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class CellHour(Base):
    """The fixes of one res-9 cell in one UTC hour: count, speed sum and count, dwell."""

    __tablename__ = "h3_cell_hours"

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fixes: Mapped[int] = mapped_column(Integer)
    #: Fixes that reported a speed (the divisor of the mean speed).
    speed_fixes: Mapped[int] = mapped_column(Integer)
    speed_kmh_sum: Mapped[Decimal] = mapped_column(Numeric)
    #: Time credited to the cell by its fixes (chekara.domain.analytics.dwell), milliseconds.
    dwell_ms: Mapped[int] = mapped_column(BigInteger)


class CellHourTrip(Base):
    """That a trip had a fix in a cell during an hour: distinct trips are not additive, sets are."""

    __tablename__ = "h3_cell_hour_trips"

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    trip_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class AnalyticsWatermark(Base):
    """How far a rollup has read positions: every fix with id <= position_id is counted, once."""

    __tablename__ = "analytics_watermarks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

"""Analytics rollups: per H3 res-9 cell and hour, and per cell (res 5..9) and day, kept by
chekara.services.analytics.rollups; and the ledger of archived months.

Nothing here is a source of truth: every row can be recomputed from
``positions`` (``chekara analytics rebuild``). Means are stored as a sum and
a count so they combine over hours and cells; the speed sum is NUMERIC and
dwell is whole milliseconds, so sums are exact and an incremental update
gives the same numbers as a rebuild, whatever the order of addition.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger, CheckConstraint, Date, DateTime, Float, Index, Integer, Numeric, SmallInteger, String, Text, func,
)
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


class CellDay(Base):
    """The fixes of one cell (at resolution ``res``, 5..9) in one UTC day: the hourly rollup summed, per resolution.

    Stored per resolution (not joined to parents at query time) so a month-long map reads
    tens of thousands of rows, not millions.
    """

    __tablename__ = "h3_cell_days"

    res: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fixes: Mapped[int] = mapped_column(Integer)
    speed_fixes: Mapped[int] = mapped_column(Integer)
    speed_kmh_sum: Mapped[Decimal] = mapped_column(Numeric)
    dwell_ms: Mapped[int] = mapped_column(BigInteger)


class CellDayTrip(Base):
    """That a trip had a fix in a cell (at ``res``) on a UTC day, and the trip's previous day in that cell."""

    __tablename__ = "h3_cell_day_trips"

    res: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    trip_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: The trip's latest earlier day in this cell; None for its first.
    prev_day: Mapped[date | None] = mapped_column(Date)


class CellDayTripCount(Base):
    """How many trips were in a cell on a day whose previous day there was ``prev_day``.

    Distinct trips over days [A, B) = the sum over days in [A, B) of the counts whose
    prev_day < A: each trip is counted on its first day inside the window, once. That makes
    distinct trips additive (chekara.domain.analytics.rollup_levels). A first visit has
    prev_day = NO_PREVIOUS_DAY.
    """

    __tablename__ = "h3_cell_day_trip_counts"

    res: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_day: Mapped[date] = mapped_column(Date, primary_key=True)
    trips: Mapped[int] = mapped_column(Integer)


class ArchiveMonth(Base):
    """A calendar month of positions written to the GeoParquet archive (and perhaps detached from the database)."""

    __tablename__ = "archive_months"
    __table_args__ = (CheckConstraint("status IN ('exported', 'detached')", name="status"),)

    #: The month's first day.
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    #: Fixes of the month at export, and the sum of their ids (rows added or removed since change it).
    fixes: Mapped[int] = mapped_column(BigInteger)
    id_sum: Mapped[Decimal] = mapped_column(Numeric)
    #: SHA-256 of the rows read from the database at export (chekara.services.archive.geoparquet.content_digest).
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: The month's folder, relative to the archive folder.
    folder: Mapped[str] = mapped_column(Text)
    exported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

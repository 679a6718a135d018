"""The ORM models; importing this package registers every table on Base.metadata."""

from chekara.db.models.alerts import Alert, AlertNote
from chekara.db.models.analytics import (
    AnalyticsWatermark, ArchiveMonth, CellDay, CellDayTrip, CellDayTripCount, CellHour, CellHourTrip, H3Cell,
)
from chekara.db.models.audit import AuditEntry
from chekara.db.models.base import Base
from chekara.db.models.callcenter import Inquiry, InquiryNote
from chekara.db.models.exchange import Delivery, OutboxEvent, Partner, PreArrivalNotice, Webhook
from chekara.db.models.checkpoint_ops import (
    Crossing,
    CrossingStep,
    Declaration,
    Finding,
    GoodsLine,
    PlateRead,
    Weighing,
)
from chekara.db.models.money import ExchangeRate
from chekara.db.models.reference import Checkpoint, Corridor, CorridorSegment, StopZone
from chekara.db.models.risk import RiskAssessment
from chekara.db.models.security import ApiToken, StreamTicket, User
from chekara.db.models.tracking import Device, IngestPart, Position, Trip, TripDevice

__all__ = [
    "AnalyticsWatermark",
    "ArchiveMonth",
    "CellDay",
    "CellDayTrip",
    "CellDayTripCount",
    "CellHour",
    "CellHourTrip",
    "H3Cell",
    "IngestPart",
    "Alert",
    "AlertNote",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Checkpoint",
    "Corridor",
    "CorridorSegment",
    "Device",
    "ExchangeRate",
    "Inquiry",
    "InquiryNote",
    "Position",
    "RiskAssessment",
    "StopZone",
    "StreamTicket",
    "Trip",
    "TripDevice",
    "User",
    # checkpoint operations
    "Crossing",
    "CrossingStep",
    "Declaration",
    "Finding",
    "GoodsLine",
    "PlateRead",
    "Weighing",
    # exchange with partner customs
    "Delivery",
    "OutboxEvent",
    "Partner",
    "PreArrivalNotice",
    "Webhook",
]

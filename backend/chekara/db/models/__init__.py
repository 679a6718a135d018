"""The ORM models; importing this package registers every table on Base.metadata."""

from chekara.db.models.audit import AuditEntry
from chekara.db.models.base import Base
from chekara.db.models.money import ExchangeRate
from chekara.db.models.reference import Checkpoint, Corridor, CorridorSegment, StopZone
from chekara.db.models.security import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Checkpoint",
    "Corridor",
    "CorridorSegment",
    "ExchangeRate",
    "StopZone",
    "User",
]

"""What flows through the pipeline: the batch, and the context every step receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from chekara.db.models import Trip
from chekara.domain.detection import DetectionThresholds
from chekara.domain.roles import Actor
from chekara.ingest.fixes import IncomingFix, Rejection


@dataclass(frozen=True)
class IngestContext:
    session: Session
    #: Who sent the batch; a device-role caller may post only for the devices it owns.
    actor: Actor
    #: Wall-clock time of arrival (injectable for tests and imports).
    now: datetime
    thresholds: DetectionThresholds
    #: Fixes further in the future than this are refused (DESIGN.md: 5 min).
    max_future: timedelta = timedelta(minutes=5)
    #: Fixes older than this are refused (store-and-forward trackers send old ones).
    max_age: timedelta = timedelta(days=7)
    #: Turns one raw item into a fix or a rejection.
    decode: Callable[[int, Any], IncomingFix | Rejection] | None = None


@dataclass
class Batch:
    raw: list[Any]
    fixes: list[IncomingFix] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    #: The active trips the batch's devices are on, by id.
    trips: dict[int, Trip] = field(default_factory=dict)
    #: Trips whose status changed in this batch (published after commit-bound NOTIFY).
    changed_trips: set[int] = field(default_factory=set)
    alerts_raised: int = 0

    def reject(self, fix: IncomingFix, field_name: str, reason: str) -> None:
        self.rejected.append(Rejection(fix.index, field_name, reason))


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[Rejection]
    alerts_raised: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: r.index)],
        }

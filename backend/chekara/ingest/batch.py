"""What flows through the pipeline: the batch, the submissions it gathers, and the context every step receives.

A batch gathers one or more submissions (HTTP requests answered together when
their shared transaction commits: group commit). Each submission keeps its
own sender and decoder; every fix and rejection remembers the submission it
came from, so each request is answered with its own counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from chekara.domain.detection import DetectionThresholds
from chekara.domain.roles import Actor
from chekara.ingest.fixes import IncomingFix, Rejection
from chekara.ingest.trip_rows import TripRow

Decoder = Callable[[int, Any], "IncomingFix | Rejection"]


@dataclass(frozen=True)
class Submission:
    """One sender's raw fixes: a request's body, or a chunk of an import."""

    raw: list[Any]
    #: Who sent them; a device-role caller may post only for the devices it owns.
    actor: Actor
    #: Turns one raw item into a fix or a rejection (None: Chekara's JSON fix).
    decode: Decoder | None = None


@dataclass(frozen=True)
class IngestContext:
    session: Session
    #: Who sent the batch (for a single submission; see Submission).
    actor: Actor
    #: Wall-clock time of arrival (injectable for tests and imports).
    now: datetime
    thresholds: DetectionThresholds
    #: Fixes further in the future than this are refused (CHEKARA_MAX_FUTURE_S).
    max_future: timedelta = timedelta(seconds=60)
    #: Fixes older than this are refused (store-and-forward trackers send old ones).
    max_age: timedelta = timedelta(days=7)
    #: Turns one raw item into a fix or a rejection (for a single submission).
    decode: Decoder | None = None


@dataclass
class Batch:
    submissions: list[Submission]
    fixes: list[IncomingFix] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: Duplicates per submission.
    duplicates: list[int] = field(default_factory=list)
    #: The active trips the batch's devices are on, by trip id.
    trips: dict[int, TripRow] = field(default_factory=dict)
    alerts_raised: int = 0

    def __post_init__(self) -> None:
        if not self.duplicates:
            self.duplicates = [0] * len(self.submissions)

    def reject(self, fix: IncomingFix, field_name: str, reason: str) -> None:
        self.rejected.append(Rejection(fix.index, field_name, reason, fix.submission))

    def count_duplicate(self, fix: IncomingFix) -> None:
        self.duplicates[fix.submission] += 1

    def actor_of(self, fix: IncomingFix) -> Actor:
        return self.submissions[fix.submission].actor

    def results(self) -> list["IngestResult"]:
        """One result per submission, in submission order."""
        accepted = [0] * len(self.submissions)
        for fix in self.fixes:
            accepted[fix.submission] += 1
        rejected: list[list[Rejection]] = [[] for _ in self.submissions]
        for rejection in self.rejected:
            rejected[rejection.submission].append(rejection)
        return [
            IngestResult(accepted[i], self.duplicates[i], rejected[i], self.alerts_raised)
            for i in range(len(self.submissions))
        ]


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[Rejection]
    #: Alerts raised by the whole batch (shared by the submissions of a group).
    alerts_raised: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: r.index)],
        }

"""Checkpoint statistics from crossings: throughput per hour or day, processing-time distribution, by direction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Crossing
from chekara.domain.analytics.checkpoint_throughput import (
    BUCKETS,
    DIRECTIONS,
    CrossingTimes,
    ProcessingDistribution,
    ThroughputRow,
    processing_distribution,
    throughput,
)
from chekara.errors import InvalidInput
from chekara.services.checkpoints import get_checkpoint

#: Longest window a throughput table may cover, per bucket (keeps answers to a few thousand rows).
MAX_PERIODS = {"hour": 24 * 93, "day": 3 * 366}


@dataclass(frozen=True)
class CheckpointThroughput:
    checkpoint: Checkpoint
    bucket: str
    rows: list[ThroughputRow]


@dataclass(frozen=True)
class CheckpointProcessing:
    checkpoint: Checkpoint
    #: "all" and each direction.
    by_direction: dict[str, ProcessingDistribution]


def _window(from_: datetime, to: datetime) -> None:
    if to <= from_:
        raise InvalidInput("to must be after from", field="to")


def _checkpoints(session: Session, code: str | None) -> list[Checkpoint]:
    if code:
        return [get_checkpoint(session, code, field="checkpoint")]
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.code)))


def _crossings(session: Session, checkpoint_id: int, from_: datetime, to: datetime) -> list[CrossingTimes]:
    rows = session.execute(
        select(Crossing.direction, Crossing.entered_at, Crossing.exited_at, Crossing.exit_read_at).where(
            Crossing.checkpoint_id == checkpoint_id,
            or_(
                (Crossing.entered_at >= from_) & (Crossing.entered_at < to),
                (Crossing.exited_at >= from_) & (Crossing.exited_at < to),
            ),
        )
    ).all()
    return [CrossingTimes(*row) for row in rows]


def checkpoint_throughput(
    session: Session, from_: datetime, to: datetime, bucket: str = "hour", code: str | None = None
) -> list[CheckpointThroughput]:
    """Entries and exits per period and direction, for one checkpoint or all."""
    _window(from_, to)
    if bucket not in BUCKETS:
        raise InvalidInput("bucket must be hour or day", field="bucket")
    span = (to - from_).total_seconds() / (3600 if bucket == "hour" else 86_400)
    if span > MAX_PERIODS[bucket]:
        raise InvalidInput(f"at most {MAX_PERIODS[bucket]} {bucket}s per request", field="to")
    return [
        CheckpointThroughput(cp, bucket, throughput(_crossings(session, cp.id, from_, to), bucket, from_, to))
        for cp in _checkpoints(session, code)
    ]


def checkpoint_processing(
    session: Session, from_: datetime, to: datetime, code: str | None = None
) -> list[CheckpointProcessing]:
    """Processing times (entry read to exit read) of the crossings whose exit read falls in [from, to)."""
    _window(from_, to)
    out = []
    for cp in _checkpoints(session, code):
        minutes: dict[str, list[float]] = {d: [] for d in DIRECTIONS}
        for c in _crossings(session, cp.id, from_, to):
            if c.exit_read_at is not None and from_ <= c.exit_read_at < to:
                minutes[c.direction].append(c.processing_min)
        every = [m for ms in minutes.values() for m in ms]
        out.append(CheckpointProcessing(cp, {"all": processing_distribution(every)}
                                        | {d: processing_distribution(ms) for d, ms in minutes.items()}))
    return out

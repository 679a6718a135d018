"""The queue at a checkpoint: who is inside now, how long processing takes, the wait for a newcomer.

- Inside: every open crossing (entered, not yet exited), by travel direction
  (chekara.domain.travel_direction: inbound, outbound, unknown).
- Processing time: entry read to exit read, for the crossings whose exit read
  falls in the last ``window_hours``; crossings closed by hand have no exit
  read and are left out (their exit time is when someone typed it).
- Estimated wait: chekara.domain.queue_figures (the median processing time,
  once more for every full set of lanes ahead). A checkpoint's lanes
  (Checkpoint.lanes) serve both directions: the overall estimate counts
  them all, each direction's estimate half of them (at least one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Crossing
from chekara.domain.crossing_procedure import Step
from chekara.domain.queue_figures import QueueFigures, queue_figures
from chekara.domain.travel_direction import TravelDirection
from chekara.services.checkpoints import get_checkpoint

DEFAULT_WINDOW_HOURS = 6


@dataclass(frozen=True)
class CheckpointQueue:
    checkpoint: Checkpoint
    at: datetime
    window_hours: float
    overall: QueueFigures
    by_direction: dict[str, QueueFigures]
    oldest_inside_since: datetime | None


def checkpoint_queue(
    session: Session, code: str, now: datetime | None = None, window_hours: float = DEFAULT_WINDOW_HOURS
) -> CheckpointQueue:
    now = now or datetime.now(UTC)
    checkpoint = get_checkpoint(session, code)
    inside = Counter(
        dict(
            session.execute(
                select(Crossing.direction, func.count())
                .where(Crossing.checkpoint_id == checkpoint.id, Crossing.status != Step.exited,
                       Crossing.entered_at <= now)
                .group_by(Crossing.direction)
            ).all()
        )
    )
    oldest = session.scalar(
        select(func.min(Crossing.entered_at)).where(
            Crossing.checkpoint_id == checkpoint.id, Crossing.status != Step.exited, Crossing.entered_at <= now
        )
    )
    processed = session.execute(
        select(Crossing.direction, Crossing.entered_at, Crossing.exit_read_at).where(
            Crossing.checkpoint_id == checkpoint.id,
            Crossing.exit_read_at > now - timedelta(hours=window_hours),
            Crossing.exit_read_at <= now,
        )
    ).all()
    minutes: dict[str, list[float]] = {d.value: [] for d in TravelDirection}
    for direction, entered_at, exit_read_at in processed:
        minutes[direction].append((exit_read_at - entered_at).total_seconds() / 60)
    lanes = max(checkpoint.lanes, 1)
    by_direction = {d: queue_figures(inside[d], minutes[d], window_hours, max(lanes // 2, 1)) for d in minutes}
    overall = queue_figures(sum(inside.values()), [m for ms in minutes.values() for m in ms], window_hours, lanes)
    return CheckpointQueue(checkpoint, now, window_hours, overall, by_direction, oldest)


def all_queues(
    session: Session, now: datetime | None = None, window_hours: float = DEFAULT_WINDOW_HOURS
) -> list[CheckpointQueue]:
    """Every checkpoint's queue at one instant, in code order: one answer for the situation map."""
    now = now or datetime.now(UTC)
    codes = session.scalars(select(Checkpoint.code).order_by(Checkpoint.code)).all()
    return [checkpoint_queue(session, code, now, window_hours) for code in codes]

"""The queue at a checkpoint: vehicles inside by direction, processing times, the wait for a newcomer."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from chekara.api.deps import AnyStaff, SessionDep
from chekara.domain.queue_figures import QueueFigures
from chekara.services import queues

router = APIRouter(prefix="/checkpoints", tags=["queues"])

ESTIMATE_METHOD = (
    "median processing time (entry read to exit read) over the window, once more for every full set of "
    "lanes ahead: median * (1 + inside // lanes); lanes serve both directions, so a direction counts half "
    "of them; null without a vehicle processed in the window"
)


class QueueFiguresPublic(BaseModel):
    inside: int = Field(description="vehicles entered and not yet exited")
    processed: int = Field(description="vehicles whose exit read falls in the window")
    median_processing_min: float | None
    p90_processing_min: float | None
    exits_per_hour: float
    lanes: int = Field(description="lanes counted for the estimate")
    estimated_wait_min: float | None = Field(description="for a vehicle arriving now")
    estimate_basis: str = Field(description="free lane, lanes busy or no data")

    @classmethod
    def of(cls, f: QueueFigures) -> "QueueFiguresPublic":
        return cls(
            inside=f.inside, processed=f.processed, median_processing_min=f.median_min, p90_processing_min=f.p90_min,
            exits_per_hour=f.exits_per_hour, lanes=f.lanes, estimated_wait_min=f.estimated_wait_min,
            estimate_basis=f.estimate_basis,
        )


class QueuePublic(QueueFiguresPublic):
    checkpoint: str
    at: datetime
    window_hours: float
    oldest_inside_since: datetime | None
    by_direction: dict[str, QueueFiguresPublic] = Field(description="inbound, outbound, unknown")
    estimate_method: str = ESTIMATE_METHOD


    @classmethod
    def of(cls, queue: queues.CheckpointQueue) -> "QueuePublic":
        return cls(
            **QueueFiguresPublic.of(queue.overall).model_dump(),
            checkpoint=queue.checkpoint.code, at=queue.at, window_hours=queue.window_hours,
            oldest_inside_since=queue.oldest_inside_since,
            by_direction={d: QueueFiguresPublic.of(f) for d, f in queue.by_direction.items()},
        )


HoursQuery = Query(queues.DEFAULT_WINDOW_HOURS, gt=0, le=24 * 31, description="window of processing times, hours")
AtQuery = Query(None, description="the moment to look at (default: now)")


@router.get("/{code}/queue", response_model=QueuePublic, summary="Vehicles inside, processing times, estimated wait")
def get_queue(
    code: str, session: SessionDep, _: AnyStaff, hours: float = HoursQuery, at: AwareDatetime | None = AtQuery,
) -> QueuePublic:
    return QueuePublic.of(queues.checkpoint_queue(session, code, now=at, window_hours=hours))


#: Every checkpoint's queue in one answer, for the situation map. Not under /checkpoints:
#: /checkpoints/{code} would take "queues" for a code.
all_router = APIRouter(prefix="/queues", tags=["queues"])


@all_router.get("", response_model=list[QueuePublic], summary="Every checkpoint's queue at one instant, by code")
def get_all_queues(
    session: SessionDep, _: AnyStaff, hours: float = HoursQuery, at: AwareDatetime | None = AtQuery,
) -> list[QueuePublic]:
    return [QueuePublic.of(q) for q in queues.all_queues(session, now=at, window_hours=hours)]

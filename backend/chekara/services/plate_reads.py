"""ANPR plate reads: stored raw and normalised, then handed to the crossing they belong to.

A camera may send the same read twice (a retry after a timeout): the same
camera, time and plate is one read, stored once; the second post gets the
stored read back. Everything that can be refused is checked before the read
is written. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, PlateRead
from chekara.domain.plates import PlateError, parse_plate
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit, crossings, risk
from chekara.services.checkpoints import get_checkpoint
from chekara.services.crossings import Outcome

DIRECTIONS = ("entry", "exit")
#: A camera clock may run a little ahead; a read further in the future is refused.
MAX_CLOCK_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class PlateReadDraft:
    checkpoint: str
    camera_id: str
    lane: int
    direction: str
    plate_text: str
    confidence: float
    read_at: datetime
    image_ref: str | None = None


@dataclass
class ReadOutcome(Outcome):
    read: PlateRead | None = None
    created: bool = True


def referenced_checkpoint(session: Session, code: str) -> Checkpoint:
    try:
        return get_checkpoint(session, code, field="checkpoint")
    except NotFound as exc:  # a bad reference inside a body is invalid input
        raise InvalidInput(exc.message, field="checkpoint") from exc


def check_event_time(at: datetime, now: datetime, field: str = "time") -> None:
    if at.tzinfo is None:
        raise InvalidInput("the time needs a time zone (e.g. 2026-05-01T10:00:00+06:00)", field=field)
    if at > now + MAX_CLOCK_AHEAD:
        raise InvalidInput(f"{at.isoformat()} is in the future (now {now.isoformat()})", field=field)


def record_read(session: Session, draft: PlateReadDraft, actor: Actor, now: datetime | None = None) -> ReadOutcome:
    """Store a read and open, join or close its crossing; re-sent reads are returned, not stored again."""
    now = now or datetime.now(UTC)
    checkpoint = referenced_checkpoint(session, draft.checkpoint)
    try:
        parsed = parse_plate(draft.plate_text)
    except PlateError as exc:
        raise InvalidInput(str(exc), field="plate") from exc
    camera_id = draft.camera_id.strip()
    if not camera_id:
        raise InvalidInput("camera_id must not be blank", field="camera_id")
    if draft.direction not in DIRECTIONS:
        raise InvalidInput("direction is 'entry' or 'exit'", field="direction")
    if not 1 <= draft.lane <= max(checkpoint.lanes, 1):
        raise InvalidInput(f"{checkpoint.code} has lanes 1 to {checkpoint.lanes}, not {draft.lane}", field="lane")
    if not 0 <= draft.confidence <= 1:
        raise InvalidInput("confidence is between 0 and 1", field="confidence")
    check_event_time(draft.read_at, now)

    stored = session.scalar(
        select(PlateRead).where(
            PlateRead.camera_id == camera_id, PlateRead.read_at == draft.read_at, PlateRead.plate == parsed.canonical
        )
    )
    if stored is not None:
        if (stored.checkpoint_id, stored.direction, stored.lane) != (checkpoint.id, draft.direction, draft.lane):
            raise Conflict(
                f"camera {camera_id} already reported {parsed.canonical} at {draft.read_at.isoformat()} "
                "at another checkpoint, lane or direction",
                field="camera_id",
            )
        return ReadOutcome(stored.crossing, read=stored, created=False)

    target = None
    if draft.direction == "exit":
        target = crossings.exit_target(session, checkpoint.id, draft.plate_text, draft.read_at)

    read = PlateRead(
        checkpoint_id=checkpoint.id,
        camera_id=camera_id,
        lane=draft.lane,
        direction=draft.direction,
        plate_text=draft.plate_text.strip(),
        plate=parsed.canonical,
        plate_country=parsed.country,
        plate_format=parsed.format,
        confidence=draft.confidence,
        read_at=draft.read_at,
        image_ref=draft.image_ref,
        posted_by=actor.name,
    )
    session.add(read)
    session.flush()
    if target is None:
        outcome = crossings.on_entry_read(session, read, actor)
    else:
        outcome = crossings.on_exit_read(session, read, target, actor)
    audit.record(
        session, actor, "create", "plate_read", read.id,
        {"checkpoint": checkpoint.code, "camera_id": camera_id, "lane": read.lane, "direction": read.direction,
         "plate_text": read.plate_text, "plate": read.plate, "read_at": read.read_at.isoformat(),
         "confidence": read.confidence, "crossing_id": read.crossing_id, "match_kind": read.match_kind,
         "alerts": [a.type for a in outcome.alerts]},
    )
    if outcome.crossing is not None and outcome.crossing.declaration is not None:
        risk.reassess(session, outcome.crossing.declaration, "plate_read")
    return ReadOutcome(outcome.crossing, outcome.alerts, read=read, created=True)

"""What one checkpoint recorded: its plate reads and weighings, newest first, paged, filtered by time and plate.

The plate filter takes a plate in any spelling and matches the canonical
(normalised) plate; a fragment ("01KG") matches every plate that contains it,
as an officer searching a half-remembered plate would expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from chekara.db.models import PlateRead, Weighing
from chekara.domain.plates import PlateError, normalize_plate
from chekara.errors import InvalidInput
from chekara.services.checkpoints import get_checkpoint


@dataclass(frozen=True)
class RecordFilter:
    checkpoint: str
    since: datetime | None = None
    until: datetime | None = None
    #: A plate or a fragment of one, in any spelling.
    plate: str | None = None
    limit: int = 50
    offset: int = 0


def _plate_fragment(text: str) -> str:
    try:
        return normalize_plate(text)
    except PlateError as exc:
        raise InvalidInput(str(exc), field="plate") from exc


def _filtered(session: Session, query: Select, model, time_column, f: RecordFilter) -> Select:
    checkpoint = get_checkpoint(session, f.checkpoint)
    query = query.where(model.checkpoint_id == checkpoint.id)
    if f.since is not None:
        query = query.where(time_column >= f.since)
    if f.until is not None:
        query = query.where(time_column < f.until)
    if f.plate:
        query = query.where(model.plate.contains(_plate_fragment(f.plate), autoescape=True))
    return query.order_by(time_column.desc(), model.id.desc()).limit(f.limit).offset(f.offset)


def plate_reads(session: Session, f: RecordFilter) -> list[PlateRead]:
    return list(session.scalars(_filtered(session, select(PlateRead), PlateRead, PlateRead.read_at, f)))


def weighings(session: Session, f: RecordFilter) -> list[Weighing]:
    query = select(Weighing).options(selectinload(Weighing.findings), selectinload(Weighing.crossing))
    return list(session.scalars(_filtered(session, query, Weighing, Weighing.weighed_at, f)))

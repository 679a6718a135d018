"""What one checkpoint recorded, for its desk: plate reads and weighings, newest first, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.routers.crossings import FindingPublic, PlateReadBrief, WeighingBrief
from chekara.db.models import PlateRead, Weighing
from chekara.services import checkpoint_records
from chekara.services.checkpoint_records import RecordFilter

router = APIRouter(prefix="/checkpoints", tags=["checkpoint records"])



def record_filter(
    code: str,
    since: AwareDatetime | None = Query(None, alias="from", description="at or after this instant"),
    until: AwareDatetime | None = Query(None, alias="to", description="before this instant"),
    plate: str | None = Query(None, max_length=64, description="a plate or a fragment of one, in any spelling (normalised)"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> RecordFilter:
    """The one set of filters both lists take (the path's checkpoint code included)."""
    return RecordFilter(code, since, until, plate, limit, offset)


Filter = Annotated[RecordFilter, Depends(record_filter)]


class PlateReadRow(PlateReadBrief):
    checkpoint: str
    crossing_id: int | None

    @classmethod
    def of_read(cls, r: PlateRead) -> "PlateReadRow":
        return cls(**PlateReadBrief.of(r).model_dump(), checkpoint=r.checkpoint.code, crossing_id=r.crossing_id)


class WeighingRow(WeighingBrief):
    checkpoint: str
    crossing_id: int
    plate: str
    plate_text: str
    findings: list[FindingPublic]

    @classmethod
    def of_weighing(cls, w: Weighing) -> "WeighingRow":
        return cls(
            **WeighingBrief.of(w).model_dump(), checkpoint=w.checkpoint.code, crossing_id=w.crossing_id,
            plate=w.plate, plate_text=w.plate_text, findings=[FindingPublic.of(f) for f in w.findings],
        )


@router.get("/{code}/plate-reads", response_model=list[PlateReadRow], summary="A checkpoint's plate reads, newest first")
def list_plate_reads(session: SessionDep, _: AnyStaff, records: Filter) -> list[PlateReadRow]:
    return [PlateReadRow.of_read(r) for r in checkpoint_records.plate_reads(session, records)]


@router.get("/{code}/weighings", response_model=list[WeighingRow], summary="A checkpoint's weighings with findings, newest first")
def list_weighings(session: SessionDep, _: AnyStaff, records: Filter) -> list[WeighingRow]:
    return [WeighingRow.of_weighing(w) for w in checkpoint_records.weighings(session, records)]

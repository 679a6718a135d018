"""What one checkpoint recorded, for its desk: plate reads and weighings, newest first, paged."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.routers.crossings import FindingPublic, PlateReadBrief, WeighingBrief
from chekara.db.models import PlateRead, Weighing
from chekara.services import checkpoint_records
from chekara.services.checkpoint_records import RecordFilter

router = APIRouter(prefix="/checkpoints", tags=["checkpoint records"])

SinceQuery = Query(None, alias="from", description="at or after this instant")
UntilQuery = Query(None, alias="to", description="before this instant")
PlateQuery = Query(None, max_length=64, description="a plate or a fragment of one, in any spelling (normalised)")
LimitQuery = Query(50, ge=1, le=1000)
OffsetQuery = Query(0, ge=0)


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
def list_plate_reads(
    code: str, session: SessionDep, _: AnyStaff,
    since: AwareDatetime | None = SinceQuery, until: AwareDatetime | None = UntilQuery,
    plate: str | None = PlateQuery, limit: int = LimitQuery, offset: int = OffsetQuery,
) -> list[PlateReadRow]:
    found = checkpoint_records.plate_reads(session, RecordFilter(code, since, until, plate, limit, offset))
    return [PlateReadRow.of_read(r) for r in found]


@router.get("/{code}/weighings", response_model=list[WeighingRow], summary="A checkpoint's weighings with findings, newest first")
def list_weighings(
    code: str, session: SessionDep, _: AnyStaff,
    since: AwareDatetime | None = SinceQuery, until: AwareDatetime | None = UntilQuery,
    plate: str | None = PlateQuery, limit: int = LimitQuery, offset: int = OffsetQuery,
) -> list[WeighingRow]:
    found = checkpoint_records.weighings(session, RecordFilter(code, since, until, plate, limit, offset))
    return [WeighingRow.of_weighing(w) for w in found]

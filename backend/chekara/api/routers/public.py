"""Public look-ups without a token: checkpoint queues and a declaration's status. Rate-limited per client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from chekara.api.deps import SessionDep
from chekara.api.rate_limit import public_access
from chekara.services.public_status import public_checkpoints, public_declaration

router = APIRouter(prefix="/public", tags=["public"], dependencies=[Depends(public_access)])


@router.get("/checkpoints", summary="Each road checkpoint: open or closed, vehicles waiting, estimated wait")
def checkpoints(session: SessionDep) -> list[dict[str, Any]]:
    return public_checkpoints(session, datetime.now(UTC))


@router.get("/declarations/{number}", summary="A declaration's status only")
def declaration(
    session: SessionDep,
    number: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")],
) -> dict[str, str]:
    return public_declaration(session, number.upper())

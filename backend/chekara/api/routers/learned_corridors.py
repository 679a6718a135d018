"""POST /corridors/learn: the corridor completed trips really used (planner).

Served before routers/corridors.py so the literal path is not read as a
corridor code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from chekara.api import analytics_tables as tables
from chekara.api.deps import Planner, SessionDep
from chekara.api.geojson import corridor_feature
from chekara.services.analytics import learned_corridors
from chekara.services.analytics.heatmap import as_utc

router = APIRouter(tags=["corridors"])


class AcceptIn(BaseModel):
    code: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$",
                             description="default: the compared (drawn) corridor, which is replaced")
    name: str | None = Field(None, min_length=1, max_length=200)
    half_width_m: float | None = Field(None, description="default: the replaced corridor's, else 500")


class LearnIn(BaseModel):
    origin: str = Field(min_length=1, max_length=20, description="checkpoint code")
    destination: str = Field(min_length=1, max_length=20, description="checkpoint code")
    min_share: float = Field(0.5, gt=0, le=1, description="share of the trips that must use a cell")
    since: datetime | None = Field(None, description="trips departed at or after")
    until: datetime | None = Field(None, description="trips departed before")
    max_trips: int = Field(learned_corridors.DEFAULT_MAX_TRIPS, ge=1, le=2000, description="the most recent ones")
    corridor: str | None = Field(None, max_length=20, description="drawn corridor to compare; default: the trips' own")
    accept: AcceptIn | None = Field(None, description="save the learned line as a corridor")


@router.post(
    "/corridors/learn", responses=tables.FILE_RESPONSES,
    summary="Learn the corridor from completed trips between two checkpoints; optionally accept it (planner)",
)
def learn_corridor(
    body: LearnIn, session: SessionDep, actor: Planner,
    format: Literal["json", "geojson", "csv", "gpkg"] = Query("json"),
) -> Response:
    result = learned_corridors.learn(
        session, body.origin, body.destination, body.min_share,
        as_utc(body.since) if body.since else None, as_utc(body.until) if body.until else None,
        body.max_trips, body.corridor,
    )
    accepted = None
    if body.accept is not None:
        acceptance = learned_corridors.Acceptance(body.accept.code, body.accept.name, body.accept.half_width_m)
        corridor, outcome = learned_corridors.accept(session, result, acceptance, actor)
        session.commit()
        accepted = {"outcome": outcome, "corridor": corridor_feature(corridor)}
    if format == "json":
        return JSONResponse(tables.learning_json(result) | {"accepted": accepted})
    return tables.export_response(tables.learning_table(result), format, f"learned_{result.origin}_{result.destination}")

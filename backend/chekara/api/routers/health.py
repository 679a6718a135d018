"""Liveness with a real look at the database."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from chekara.api.deps import SessionDep
from chekara.api.errors import RETRY_AFTER_S
from chekara.db.migrate import current_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Health, including the database and PostGIS")
def healthz(session: SessionDep) -> JSONResponse:
    try:
        postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
        revision = current_revision(session.connection())
    except SQLAlchemyError as exc:
        return JSONResponse(
            {"status": "error", "database": f"unavailable: {type(exc).__name__}"},
            status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return JSONResponse({"status": "ok", "database": "ok", "postgis": postgis, "schema_revision": revision})

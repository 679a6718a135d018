"""GPS fixes in: Chekara's JSON batches, and the OsmAnd protocol of phone tracker apps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, SessionDep, SettingsDep
from chekara.config import Settings
from chekara.domain.roles import Actor, Role
from chekara.errors import InvalidInput
from chekara.ingest.batch import IngestContext
from chekara.ingest.decode import decode_osmand_query, osmand_json_to_query
from chekara.ingest.pipeline import MAX_BATCH, ingest

router = APIRouter(tags=["positions"])
osmand_router = APIRouter(tags=["positions"])

Reporter = Annotated[Actor, Depends(Allowed(Role.device))]
#: Traccar Client and other OsmAnd apps send no token: the registered device id is the credential.
OSMAND_ACTOR = Actor(name="osmand", role="device-osmand")


class FixIn(BaseModel):
    """One fix (documentation only: the pipeline validates each element itself)."""

    device_id: str
    ts: str | float = Field(description="ISO 8601, or Unix seconds / milliseconds")
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading_deg: float | None = None
    accuracy_m: float | None = None
    battery_pct: float | None = None


class Rejected(BaseModel):
    index: int
    field: str
    reason: str


class IngestAnswer(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]


def context(session, settings: Settings, actor: Actor, decode=None) -> IngestContext:
    return IngestContext(
        session=session, actor=actor, now=datetime.now(UTC), thresholds=settings.detection_thresholds(),
        max_age=timedelta(days=settings.max_fix_age_days), decode=decode,
    )


@router.post(
    "/positions", response_model=IngestAnswer,
    summary=f"A batch of up to {MAX_BATCH} fixes; bad ones are named, good ones stored",
)
def post_positions(
    session: SessionDep,
    settings: SettingsDep,
    actor: Reporter,
    fixes: Annotated[list[Any], Body(description="[{device_id, ts, lat, lon, speed_kmh?, heading_deg?, accuracy_m?, battery_pct?}]", max_length=MAX_BATCH)],
) -> IngestAnswer:
    if len(fixes) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} fixes", field="body")
    result = ingest(fixes, context(session, settings, actor))
    session.commit()
    return IngestAnswer(**result.as_dict())


def _osmand_decoder(index: int, params: dict[str, str]):
    return decode_osmand_query(params)


async def _osmand_params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        if raw and "json" in content_type:
            try:
                body = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"not JSON: {exc}", field="body") from exc
            if not isinstance(body, dict):
                raise InvalidInput("must be a JSON object", field="body")
            params = {**params, **osmand_json_to_query(body)}
        elif raw and "form" in content_type:
            form = await request.form()
            params = {**params, **{k: v for k, v in form.items() if isinstance(v, str)}}
    return params


@osmand_router.get("/osmand", operation_id="osmand_get", summary="OsmAnd protocol (Traccar Client): one fix")
@osmand_router.post("/osmand", operation_id="osmand_post", summary="OsmAnd protocol (Traccar Client): one fix")
async def osmand(request: Request, session: SessionDep, settings: SettingsDep):
    """`id`, `lat`, `lon`, `timestamp` (Unix s / ms / ISO), `speed` (knots), `bearing`, `altitude`, `accuracy`, `batt`;
    or the JSON body of Traccar Client 8 (`device_id`, `location.coords.latitude` …). Answers 200 OK."""
    params = await _osmand_params(request)

    def ingest_one():
        outcome = ingest([params], context(session, settings, OSMAND_ACTOR, _osmand_decoder))
        session.commit()
        return outcome

    result = await run_in_threadpool(ingest_one)
    if result.rejected:
        bad = result.rejected[0]
        return JSONResponse({"error": {"code": "invalid", "message": f"{bad.field}: {bad.reason}", "field": bad.field}}, status_code=400)
    return PlainTextResponse("OK")

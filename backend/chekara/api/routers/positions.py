"""GPS fixes in: Chekara's JSON batches, and the OsmAnd protocol of phone tracker apps."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.api.ingest_queue import ingest_queue
from chekara.domain.roles import Actor, Role
from chekara.api.rate_limit import TooManyRequests, client_address, limiter
from chekara.config import get_settings
from chekara.errors import ChekaraError, InvalidInput, Unauthorized
from chekara.ingest.batch import Submission
from chekara.ingest.decode import decode_osmand_query, osmand_json_to_query
from chekara.ingest.pipeline import MAX_BATCH
from chekara.ingest.validate import OSMAND_ROLE, UNKNOWN_OSMAND_ID

router = APIRouter(tags=["positions"])
osmand_router = APIRouter(tags=["positions"])

Reporter = Annotated[Actor, Depends(Allowed(Role.device))]
#: Traccar Client and other OsmAnd apps send no token: the identifier Chekara issued is the credential.
OSMAND_ACTOR = Actor(name="osmand", role=OSMAND_ROLE)


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


@router.post(
    "/positions", response_model=IngestAnswer,
    summary=f"A batch of up to {MAX_BATCH} fixes; bad ones are named, good ones stored",
)
async def post_positions(
    request: Request,
    session: SessionDep,
    actor: Reporter,
    fixes: Annotated[list[Any], Body(description="[{device_id, ts, lat, lon, speed_kmh?, heading_deg?, accuracy_m?, battery_pct?}]", max_length=MAX_BATCH)],
) -> IngestAnswer:
    """Answered once the fixes are committed (group commit with other requests: ingest/group_commit.py)."""
    if len(fixes) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} fixes", field="body")
    session.commit()  # the token lookup is done: give its connection back before waiting for the group
    result = await ingest_queue(request).ingest(Submission(fixes, actor))
    return IngestAnswer(**result.as_dict())


def _osmand_decoder(index: int, params: dict[str, str]):
    return decode_osmand_query(params)


#: An OsmAnd query is ~200 bytes; one far longer is not a tracker's (parsing it is the sender's attack).
MAX_OSMAND_QUERY_BYTES = 4_096


class QueryTooLong(ChekaraError):
    status_code = 414
    code = "too_long"


def check_query_length(query_string: bytes) -> None:
    if len(query_string) > MAX_OSMAND_QUERY_BYTES:
        raise QueryTooLong(f"the query string holds at most {MAX_OSMAND_QUERY_BYTES} bytes", field="query")


async def _osmand_params(request: Request) -> dict[str, str]:
    check_query_length(request.scope["query_string"])
    params = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        if raw and "json" in content_type:
            try:
                body = orjson.loads(raw)
            except ValueError as exc:  # orjson's error covers bad UTF-8, deep nesting and huge integers
                raise ChekaraError(f"not JSON: {exc}", field="body") from exc  # 400, as /api/v1/positions answers
            if not isinstance(body, dict):
                raise ChekaraError("must be a JSON object", field="body")
            params = {**params, **osmand_json_to_query(body)}
        elif raw and "form" in content_type:
            form = await request.form()
            params = {**params, **{k: v for k, v in form.items() if isinstance(v, str)}}
    return params


def _limit(request: Request, params: dict[str, str]) -> None:
    """Per client address and per device identifier: a flood is refused before it costs a transaction."""
    settings = get_settings()
    if not limiter.hit(f"osmand-client:{client_address(request)}", settings.osmand_rate_limit_per_client_per_min):
        raise TooManyRequests("too many OsmAnd requests from this address")
    device = params.get("id") or params.get("deviceid") or ""
    if not limiter.hit(f"osmand-device:{device[:80]}", settings.osmand_rate_limit_per_device_per_min):
        raise TooManyRequests("too many fixes for this device identifier")


async def receive_osmand(request: Request) -> Response:
    """One OsmAnd fix in, answered once committed: 200 OK, or the error naming the field.

    An identifier Chekara did not issue (unknown, wrong, or a token-holding device's id) is a 401,
    the same for every such case, and nothing is stored."""
    return await answer_osmand(request, await _osmand_params(request))


async def answer_osmand(request: Request, params: dict[str, str]) -> Response:
    """The fix in `params` through the rate limits and the group commit; its answer."""
    _limit(request, params)
    result = await ingest_queue(request).ingest(Submission([params], OSMAND_ACTOR, _osmand_decoder))
    if result.rejected:
        bad = result.rejected[0]
        if bad.field == "id" and bad.reason == UNKNOWN_OSMAND_ID:
            raise Unauthorized(f"id {UNKNOWN_OSMAND_ID}", field="id")
        return JSONResponse({"error": {"code": "invalid", "message": f"{bad.field}: {bad.reason}", "field": bad.field}}, status_code=400)
    return OSMAND_OK


#: The answer to almost every request a tracker makes, made once.
OSMAND_OK = PlainTextResponse("OK")


def _query(name: str, description: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": {"type": kind}}


#: Documented only: the decoder reads them itself (ingest/decode.py), naming the one at fault.
OSMAND_PARAMETERS = {"parameters": [
    _query("id", "the device identifier Chekara issued (`osm_…`)"),
    _query("lat", "latitude, degrees", "number"), _query("lon", "longitude, degrees", "number"),
    _query("timestamp", "Unix seconds or milliseconds, or ISO 8601"),
    _query("speed", "knots", "number"), _query("bearing", "degrees", "number"),
    _query("altitude", "metres", "number"), _query("accuracy", "metres", "number"),
    _query("batt", "battery, percent", "number"),
]}


@osmand_router.get("/osmand", operation_id="osmand_get", summary="OsmAnd protocol (Traccar Client): one fix",
                   openapi_extra=OSMAND_PARAMETERS)
@osmand_router.post("/osmand", operation_id="osmand_post", summary="OsmAnd protocol (Traccar Client): one fix",
                    openapi_extra=OSMAND_PARAMETERS)
async def osmand(request: Request) -> Response:
    """`id`, `lat`, `lon`, `timestamp` (Unix s / ms / ISO), `speed` (knots), `bearing`, `altitude`, `accuracy`, `batt`;
    or the JSON body of Traccar Client 8 (`device_id`, `location.coords.latitude` …). Answers 200 OK once committed.

    A request without a body (the usual GET) is answered before the app's middleware by the
    device door (api/device_door.py), with the same function; this route takes the ones with a body."""
    return await receive_osmand(request)

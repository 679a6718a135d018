"""Corridors: read as GeoJSON; planners upload a GeoJSON LineString or a GPX track."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.datastructures import UploadFile

from chekara.api.deps import AnyStaff, Planner, SessionDep
from chekara.api.geojson import GeoJSONResponse, corridor_feature, feature_collection, stop_zone_feature
from chekara.domain.corridors import CorridorShapeError, line_from_geojson, line_from_gpx, stop_zone_polygon
from chekara.errors import InvalidInput
from chekara.services import corridors
from chekara.services.corridors import CorridorDraft, StopZoneDraft

router = APIRouter(tags=["corridors"])

#: Largest corridor upload accepted (a long GPX track is a few MB).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: The request around it may be a little larger: a multipart form adds its fields and boundaries.
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$"


class StopZoneIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["customs_post", "rest_area", "fuel", "truck_park"]
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon, or Point with radius_m")
    radius_m: float | None = Field(None, description="radius of a Point stop zone, metres")


class CorridorIn(BaseModel):
    code: str | None = Field(None, pattern=CODE_PATTERN, description="required on POST; on PUT taken from the path")
    name: str = Field(min_length=1, max_length=200)
    half_width_m: float = Field(500.0, description="metres either side of the line, 50..5000")
    origin: str = Field(min_length=1, max_length=20, description="checkpoint code")
    destination: str = Field(min_length=1, max_length=20, description="checkpoint code")
    geometry: dict[str, Any] = Field(description="GeoJSON LineString (or a Feature holding one), lon/lat")
    stop_zones: list[StopZoneIn] | None = Field(None, description="omit on PUT to keep the present ones")
    source: str = Field("", max_length=500)

    @field_validator("name", "origin", "destination")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CorridorIn.model_json_schema(ref_template="#/components/schemas/{model}")},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["name", "origin", "destination", "file"],
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "half_width_m": {"type": "number", "default": 500},
                        "origin": {"type": "string"},
                        "destination": {"type": "string"},
                        "source": {"type": "string"},
                        "file": {"type": "string", "format": "binary", "description": "a .gpx track or a .geojson LineString"},
                    },
                }
            },
        },
    }
}


def _invalid_from_pydantic(exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "body"
    return InvalidInput(f"{field}: {first['msg']}", field=field)


async def _read_upload(request: Request) -> tuple[CorridorIn, Any]:
    """The corridor fields and its line, from a JSON body or a multipart form with a file."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("a .gpx or .geojson file is required", field="file")
        raw = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise InvalidInput(f"the file is larger than {MAX_UPLOAD_BYTES // 1_048_576} MB", field="file")
        text = raw.decode("utf-8", errors="replace")
        fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
        try:
            if text.lstrip().startswith("<"):
                line = line_from_gpx(text)
            else:
                line = line_from_geojson(json.loads(text), field="file")
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"the file is neither GPX nor GeoJSON: {exc}", field="file") from exc
        fields["geometry"] = {"type": "LineString", "coordinates": [list(c) for c in line.coords]}
        try:
            return CorridorIn.model_validate(fields), line
        except ValidationError as exc:
            raise _invalid_from_pydantic(exc) from exc
    if content_type.startswith("application/json") or content_type.startswith("application/geo+json"):
        body = await request.body()
        if len(body) > MAX_UPLOAD_BYTES:
            raise InvalidInput(f"the body is larger than {MAX_UPLOAD_BYTES // 1_048_576} MB", field="body")
        try:
            corridor_in = CorridorIn.model_validate_json(body)
        except ValidationError as exc:
            raise _invalid_from_pydantic(exc) from exc
        return corridor_in, line_from_geojson(corridor_in.geometry)
    raise InvalidInput("send application/json or multipart/form-data with a file", field="content-type")


async def _draft(request: Request, path_code: str | None) -> CorridorDraft:
    try:
        corridor_in, line = await _read_upload(request)
        stop_zones = None
        if corridor_in.stop_zones is not None:
            stop_zones = [
                StopZoneDraft(z.name, z.kind, stop_zone_polygon(z.geometry, z.radius_m, f"stop_zones.{i}.geometry"))
                for i, z in enumerate(corridor_in.stop_zones)
            ]
    except CorridorShapeError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    code = corridor_in.code
    if path_code is not None:
        if code is not None and code.upper() != path_code.upper():
            raise InvalidInput(f"code {code!r} differs from the path's {path_code!r}", field="code")
        code = path_code
    if code is None:
        raise InvalidInput("code is required", field="code")
    return CorridorDraft(
        code=code.upper(),
        name=corridor_in.name,
        line=line,
        half_width_m=corridor_in.half_width_m,
        origin=corridor_in.origin.upper(),
        destination=corridor_in.destination.upper(),
        stop_zones=stop_zones,
        source=corridor_in.source,
    )


@router.get("/corridors", response_class=GeoJSONResponse, summary="All corridors as a GeoJSON FeatureCollection")
def list_corridors(session: SessionDep, _: AnyStaff) -> GeoJSONResponse:
    return GeoJSONResponse(feature_collection([corridor_feature(c) for c in corridors.list_corridors(session)]))


@router.get("/corridors/{code}", response_class=GeoJSONResponse, summary="One corridor with its stop zones")
def get_corridor(code: str, session: SessionDep, _: AnyStaff) -> GeoJSONResponse:
    return GeoJSONResponse(corridor_feature(corridors.get_corridor(session, code), detail=True))


@router.post(
    "/corridors", status_code=201, response_class=GeoJSONResponse, openapi_extra=_UPLOAD_DOC,
    summary="Create a corridor from a GeoJSON LineString or a GPX track (planner)",
)
async def create_corridor(request: Request, session: SessionDep, actor: Planner) -> GeoJSONResponse:
    draft = await _draft(request, None)
    corridor, _ = corridors.save_corridor(session, draft, actor, mode="create")
    session.commit()
    return GeoJSONResponse(corridor_feature(corridor, detail=True), status_code=201)


@router.put(
    "/corridors/{code}", response_class=GeoJSONResponse, openapi_extra=_UPLOAD_DOC,
    summary="Replace a corridor's line, width, ends or stop zones (planner)",
)
async def replace_corridor(code: str, request: Request, session: SessionDep, actor: Planner) -> GeoJSONResponse:
    draft = await _draft(request, code)
    corridor, _ = corridors.save_corridor(session, draft, actor, mode="replace")
    session.commit()
    return GeoJSONResponse(corridor_feature(corridor, detail=True))


@router.get("/stop-zones", response_class=GeoJSONResponse, summary="Designated stop zones as GeoJSON polygons")
def list_stop_zones(session: SessionDep, _: AnyStaff, corridor: str | None = None) -> GeoJSONResponse:
    zones = [z for c in corridors.list_corridors(session) if corridor is None or c.code == corridor.upper() for z in c.stop_zones]
    return GeoJSONResponse(feature_collection([stop_zone_feature(z) for z in zones]))

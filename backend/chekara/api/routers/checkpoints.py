"""Checkpoints as GeoJSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.geojson import GeoJSONResponse, checkpoint_feature, feature_collection
from chekara.services import checkpoints

router = APIRouter(prefix="/checkpoints", tags=["checkpoints"])


@router.get("", response_class=GeoJSONResponse, summary="All checkpoints as a GeoJSON FeatureCollection")
def list_checkpoints(
    session: SessionDep,
    _: AnyStaff,
    border_kind: Literal["eaeu", "external", "inland"] | None = None,
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="neighbour country, ISO 3166-1 alpha-2"),
    mode: Literal["road", "rail"] | None = None,
    geometry: Literal["point", "geofence"] = Query("point", description="which shape each feature carries"),
) -> GeoJSONResponse:
    rows = checkpoints.list_checkpoints(session, border_kind, country, mode)
    return GeoJSONResponse(feature_collection([checkpoint_feature(cp, geometry) for cp in rows]))


@router.get("/{code}", response_class=GeoJSONResponse, summary="One checkpoint, with its geofence")
def get_checkpoint(code: str, session: SessionDep, _: AnyStaff) -> GeoJSONResponse:
    cp = checkpoints.get_checkpoint(session, code)
    body = checkpoint_feature(cp)
    body["properties"]["geofence"] = checkpoint_feature(cp, "geofence")["geometry"]
    return GeoJSONResponse(body)

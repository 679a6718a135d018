"""GeoJSON (RFC 7946, lon/lat order) views of the stored geography."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping

from chekara.db.models import Checkpoint, Corridor, StopZone

GEOJSON_MEDIA_TYPE = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON_MEDIA_TYPE


def geometry(stored) -> dict[str, Any]:
    return mapping(to_shape(stored))


def feature(geom: dict[str, Any] | None, properties: dict[str, Any], feature_id: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "Feature", "geometry": geom, "properties": properties}
    if feature_id is not None:
        out["id"] = feature_id
    return out


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def checkpoint_properties(cp: Checkpoint) -> dict[str, Any]:
    return {
        "code": cp.code,
        "name_en": cp.name_en,
        "name_ru": cp.name_ru,
        "name_ky": cp.name_ky,
        "country": cp.country,
        "border_kind": cp.border_kind,
        "mode": cp.mode,
        "lanes": cp.lanes,
        "has_weighbridge": cp.has_weighbridge,
        "neighbour_post": cp.neighbour_post,
        "geofence_radius_m": cp.geofence_radius_m,
        "opening_hours": cp.opening_hours,
        "coord_source": cp.coord_source,
        "coord_accuracy": cp.coord_accuracy,
    }


def checkpoint_feature(cp: Checkpoint, shape_of: str = "point") -> dict[str, Any]:
    geom = geometry(cp.geofence if shape_of == "geofence" else cp.point)
    return feature(geom, checkpoint_properties(cp), cp.code)


def stop_zone_feature(zone: StopZone) -> dict[str, Any]:
    return feature(geometry(zone.geom), {"name": zone.name, "kind": zone.kind, "corridor": zone.corridor.code}, zone.id)


def corridor_feature(c: Corridor, detail: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "code": c.code,
        "name": c.name,
        "half_width_m": c.half_width_m,
        "length_m": round(c.length_m, 1),
        "origin": c.origin.code,
        "destination": c.destination.code,
        "source": c.source,
        "stop_zone_count": len(c.stop_zones),
        "segment_count": len(c.segments),
    }
    if detail:
        properties["stop_zones"] = [
            {"name": z.name, "kind": z.kind, "geometry": geometry(z.geom)} for z in c.stop_zones
        ]
    return feature(geometry(c.geom), properties, c.code)

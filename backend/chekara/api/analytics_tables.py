"""Analytics results as tables (GeoDataFrames) for the exports, and as JSON for the API."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from fastapi.responses import Response
from geoalchemy2.shape import to_shape
from shapely.geometry import Point

from chekara.api.geojson import GeoJSONResponse
from chekara.domain.analytics.checkpoint_throughput import histogram_labels
from chekara.domain.analytics.h3_cells import cell_hex, hexagon
from chekara.services.analytics.checkpoint_stats import CheckpointProcessing, CheckpointThroughput
from chekara.services.analytics.dwell import PlaceDwell, VisitRow
from chekara.services.analytics.exports import MEDIA_TYPES, frame, to_csv, to_geojson, to_gpkg
from chekara.services.analytics.heatmap import Heatmap
from chekara.services.analytics.learned_corridors import CorridorLearning
from chekara.services.analytics.stops import PlaceRef, Stop


def heatmap_table(result: Heatmap) -> gpd.GeoDataFrame:
    return frame(
        ({"cell": cell_hex(c.cell), "value": c.value} for c in result.cells),
        (hexagon(c.cell) for c in result.cells),
    )


def heatmap_members(result: Heatmap) -> dict[str, Any]:
    return {
        "metric": result.metric, "res": result.res, "from": result.from_, "to": result.to,
        "bbox": list(result.bbox) if result.bbox else None, "corridor": result.corridor,
        "rollups_position_id": result.rollups_position_id, "rollups_updated_at": result.rollups_updated_at,
        "level": result.level,
    }


def _place(ref: PlaceRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"id": ref.id, "code": ref.code, "name": ref.name}


def stop_json(stop: Stop) -> dict[str, Any]:
    return {
        "device_id": stop.device_id, "trip_id": stop.trip_id, "start": stop.start.isoformat(),
        "end": stop.end.isoformat(), "duration_s": stop.duration_s, "fixes": stop.fixes,
        "lon": round(stop.lon, 7), "lat": round(stop.lat, 7),
        "checkpoint": _place(stop.checkpoint), "stop_zone": _place(stop.stop_zone),
    }


def stops_table(stops: list[Stop]) -> gpd.GeoDataFrame:
    return frame(
        ({
            "device_id": s.device_id, "trip_id": s.trip_id, "start": s.start, "end": s.end,
            "duration_s": s.duration_s, "fixes": s.fixes,
            "checkpoint": s.checkpoint.code if s.checkpoint else None,
            "stop_zone": s.stop_zone.name if s.stop_zone else None,
        } for s in stops),
        (Point(s.lon, s.lat) for s in stops),
    )


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def dwell_record(d: PlaceDwell) -> dict[str, Any]:
    s = d.summary
    return {
        "kind": d.place.kind, "id": d.place.id, "code": d.place.code, "name": d.place.name,
        "visits": s.visits, "open_visits": d.open_visits, "median_s": _round(s.median_s), "p90_s": _round(s.p90_s),
        "mean_s": _round(s.mean_s), "max_s": _round(s.max_s),
    }


def dwell_table(rows: list[PlaceDwell]) -> gpd.GeoDataFrame:
    return frame((dwell_record(d) for d in rows), (d.place.geometry for d in rows))


def visit_record(v: VisitRow) -> dict[str, Any]:
    return {
        "kind": v.place.kind, "place_id": v.place.id, "code": v.place.code, "name": v.place.name,
        "trip_id": v.visit.trip_id, "declaration_number": v.declaration_number, "device_id": v.device_id,
        "start": v.visit.start.isoformat(), "end": v.visit.end.isoformat(), "dwell_s": v.visit.dwell_s,
        "fixes": v.visit.fixes,
    }


def visits_table(rows: list[VisitRow]) -> gpd.GeoDataFrame:
    return frame((visit_record(v) for v in rows), (v.place.geometry for v in rows))


def throughput_records(results: list[CheckpointThroughput]) -> list[dict[str, Any]]:
    return [
        {"checkpoint": r.checkpoint.code, "bucket": r.bucket, "period_start": row.period_start.isoformat(),
         "day": row.day.isoformat(), "direction": row.direction, "entries": row.entries, "exits": row.exits}
        for r in results for row in r.rows
    ]


def throughput_table(results: list[CheckpointThroughput]) -> gpd.GeoDataFrame:
    points = [to_shape(r.checkpoint.point) for r in results for _ in r.rows]
    return frame(throughput_records(results), points)


def processing_records(results: list[CheckpointProcessing]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        for direction, d in r.by_direction.items():
            out.append({
                "checkpoint": r.checkpoint.code, "direction": direction, "processed": d.processed,
                "median_min": _round(d.median_min), "p90_min": _round(d.p90_min), "mean_min": _round(d.mean_min),
                "max_min": _round(d.max_min),
                **{f"min_{label}": d.histogram[label] for label in histogram_labels()},
            })
    return out


def processing_table(results: list[CheckpointProcessing]) -> gpd.GeoDataFrame:
    points = [to_shape(r.checkpoint.point) for r in results for _ in r.by_direction]
    return frame(processing_records(results), points)


def learning_json(result: CorridorLearning) -> dict[str, Any]:
    c = result.comparison
    return {
        "origin": result.origin, "destination": result.destination, "min_share": result.min_share,
        "trips": len(result.trip_ids), "trip_ids": result.trip_ids, "fixes": result.fixes,
        "cell_count": len(result.learned.ordered_cells),
        "cells": [{"cell": cell_hex(cell), "trips": result.learned.trips_per_cell[cell],
                   "share": round(result.learned.trips_per_cell[cell] / result.learned.trips, 4)}
                  for cell in result.learned.ordered_cells],
        "geometry": {"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in result.line.coords]},
        "length_m": round(result.length_m, 1),
        "comparison": None if c is None else {
            "corridor": c.corridor_code, "half_width_m": c.half_width_m,
            "drawn_outside_share": _round(c.drawn_outside_share, 4),
            "learned_outside_share": _round(c.learned_outside_share, 4),
            "hausdorff_m": round(c.hausdorff_m, 1), "drawn_length_m": round(c.drawn_length_m, 1),
        },
    }


def learning_table(result: CorridorLearning) -> gpd.GeoDataFrame:
    """The learned line first, then one hexagon per observed cell."""
    learned = result.learned
    records = [{"kind": "learned_line", "cell": None, "trips": learned.trips, "share": None,
                "length_m": round(result.length_m, 1)}]
    records += [{"kind": "cell", "cell": cell_hex(c), "trips": learned.trips_per_cell[c],
                 "share": round(learned.trips_per_cell[c] / learned.trips, 4), "length_m": None}
                for c in learned.ordered_cells]
    return frame(records, [result.line, *(hexagon(c) for c in learned.ordered_cells)])


FILE_RESPONSES = {200: {"content": {m: {} for m in MEDIA_TYPES.values()}}}


def export_response(gdf: gpd.GeoDataFrame, fmt: str, name: str, members: dict[str, Any] | None = None) -> Response:
    """The table as GeoJSON, CSV or a GeoPackage file (one layer named ``name``)."""
    if fmt == "geojson":
        return GeoJSONResponse(to_geojson(gdf, **(members or {})))
    body: str | bytes = to_csv(gdf) if fmt == "csv" else to_gpkg(gdf, name)
    return Response(body, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})

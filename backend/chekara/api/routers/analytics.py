"""Analytics: H3 heatmaps, stops, dwell, checkpoint statistics (planner, supervisor, operator).

Every result can leave as JSON (or GeoJSON), CSV or GeoPackage: ``format=``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from chekara.api import analytics_tables as tables
from chekara.api.deps import Allowed, SessionDep
from chekara.api.geojson import GeoJSONResponse
from chekara.domain.roles import Actor, Role
from chekara.services.analytics import checkpoint_stats, dwell, heatmap, stops
from chekara.services.analytics.heatmap import as_utc

router = APIRouter(prefix="/analytics", tags=["analytics"])

AnalyticsReader = Annotated[Actor, Depends(Allowed(Role.planner, Role.supervisor, Role.operator))]
TableFormat = Literal["json", "geojson", "csv", "gpkg"]


def _window(from_: datetime | None, to: datetime | None, default: timedelta) -> tuple[datetime, datetime]:
    end = as_utc(to) if to is not None else datetime.now(UTC)
    start = as_utc(from_) if from_ is not None else end - default
    return start, end


@router.get(
    "/heatmap", response_class=GeoJSONResponse, responses=tables.FILE_RESPONSES,
    summary="H3 hexagons with fixes, distinct trips, mean speed or dwell over a window (planner, supervisor, operator)",
)
def get_heatmap(
    session: SessionDep,
    _: AnalyticsReader,
    metric: Literal["fixes", "trips", "speed", "dwell"] = Query("fixes", description="speed: mean km/h; dwell: seconds"),
    res: int = Query(9, ge=5, le=9, description="H3 resolution"),
    from_: datetime | None = Query(None, alias="from", description="default: 24 h before `to`; taken down to the hour"),
    to: datetime | None = Query(None, description="default: now; taken up to the hour"),
    bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat: hexagons whose centre is inside"),
    corridor: str | None = Query(None, max_length=20, description="corridor code: cells within its half-width"),
    format: Literal["geojson", "csv", "gpkg"] = Query("geojson"),
) -> Response:
    start, end = _window(from_, to, timedelta(hours=24))
    result = heatmap.heatmap(session, metric, res, start, end, heatmap.parse_bbox(bbox), corridor)
    return tables.export_response(
        tables.heatmap_table(result), format, f"heatmap_{metric}_r{res}", tables.heatmap_members(result)
    )


@router.get(
    "/stops", responses=tables.FILE_RESPONSES,
    summary="Stops of a trip or a device: MovingPandas' max-diameter / min-duration definition (planner, supervisor, operator)",
)
def get_stops(
    session: SessionDep,
    _: AnalyticsReader,
    trip_id: int | None = Query(None, description="every device of the trip"),
    device_id: str | None = Query(None, max_length=64),
    max_diameter_m: float = Query(150.0, description="10..5000 m"),
    min_duration_s: float = Query(900.0, description="30 s .. 7 days"),
    from_: datetime | None = Query(None, alias="from"),
    to: datetime | None = Query(None),
    format: TableFormat = Query("json"),
) -> Response:
    found = stops.find_stops(
        session, trip_id, device_id, max_diameter_m, min_duration_s,
        as_utc(from_) if from_ else None, as_utc(to) if to else None,
    )
    if format == "json":
        return JSONResponse({
            "trip_id": trip_id, "device_id": device_id, "max_diameter_m": max_diameter_m,
            "min_duration_s": min_duration_s, "stops": [tables.stop_json(s) for s in found],
        })
    return tables.export_response(tables.stops_table(found), format, "stops")


@router.get(
    "/dwell", responses=tables.FILE_RESPONSES,
    summary="Dwell per checkpoint or stop zone: visits, median, p90 (planner, supervisor, operator)",
)
def get_dwell(
    session: SessionDep,
    _: AnalyticsReader,
    kind: Literal["checkpoint", "stop_zone"] = Query("checkpoint"),
    code: str | None = Query(None, max_length=20, description="one checkpoint (or the stop zones of one corridor)"),
    from_: datetime | None = Query(None, alias="from", description="default: 7 days before `to`"),
    to: datetime | None = Query(None, description="default: now"),
    format: TableFormat = Query("json"),
) -> Response:
    start, end = _window(from_, to, timedelta(days=7))
    rows = dwell.zone_dwell(session, kind, start, end, code)
    if format == "json":
        return JSONResponse({"kind": kind, "from": start.isoformat(), "to": end.isoformat(),
                             "places": [tables.dwell_record(d) for d in rows]})
    return tables.export_response(tables.dwell_table(rows), format, f"dwell_{kind}")


@router.get(
    "/dwell/longest", responses=tables.FILE_RESPONSES,
    summary="The trips with the longest dwells at checkpoints or stop zones (planner, supervisor, operator)",
)
def get_longest_dwells(
    session: SessionDep,
    _: AnalyticsReader,
    kind: Literal["checkpoint", "stop_zone"] = Query("checkpoint"),
    from_: datetime | None = Query(None, alias="from", description="default: 7 days before `to`"),
    to: datetime | None = Query(None, description="default: now"),
    limit: int = Query(20, ge=1, le=500),
    format: TableFormat = Query("json"),
) -> Response:
    start, end = _window(from_, to, timedelta(days=7))
    rows = dwell.longest_dwells(session, kind, start, end, limit)
    if format == "json":
        return JSONResponse({"kind": kind, "from": start.isoformat(), "to": end.isoformat(),
                             "visits": [tables.visit_record(v) for v in rows]})
    return tables.export_response(tables.visits_table(rows), format, f"longest_dwells_{kind}")


@router.get(
    "/checkpoints/throughput", responses=tables.FILE_RESPONSES,
    summary="Vehicles in and out per hour or Bishkek day, by direction (planner, supervisor, operator)",
)
def get_checkpoint_throughput(
    session: SessionDep,
    _: AnalyticsReader,
    checkpoint: str | None = Query(None, max_length=20, description="checkpoint code; default: every checkpoint"),
    bucket: Literal["hour", "day"] = Query("hour"),
    from_: datetime | None = Query(None, alias="from", description="default: 7 days before `to`"),
    to: datetime | None = Query(None, description="default: now"),
    format: TableFormat = Query("json"),
) -> Response:
    start, end = _window(from_, to, timedelta(days=7))
    results = checkpoint_stats.checkpoint_throughput(session, start, end, bucket, checkpoint)
    if format == "json":
        return JSONResponse({"bucket": bucket, "from": start.isoformat(), "to": end.isoformat(),
                             "rows": tables.throughput_records(results)})
    return tables.export_response(tables.throughput_table(results), format, f"throughput_{bucket}")


@router.get(
    "/checkpoints/processing", responses=tables.FILE_RESPONSES,
    summary="Processing time (entry read to exit read) distribution by direction (planner, supervisor, operator)",
)
def get_checkpoint_processing(
    session: SessionDep,
    _: AnalyticsReader,
    checkpoint: str | None = Query(None, max_length=20, description="checkpoint code; default: every checkpoint"),
    from_: datetime | None = Query(None, alias="from", description="default: 7 days before `to`"),
    to: datetime | None = Query(None, description="default: now"),
    format: TableFormat = Query("json"),
) -> Response:
    start, end = _window(from_, to, timedelta(days=7))
    results = checkpoint_stats.checkpoint_processing(session, start, end, checkpoint)
    if format == "json":
        return JSONResponse({"from": start.isoformat(), "to": end.isoformat(),
                             "rows": tables.processing_records(results)})
    return tables.export_response(tables.processing_table(results), format, "processing_times")

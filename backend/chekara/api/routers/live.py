"""Live convoys for the situation map: every trip in transit with its last fix (polled every 2 s).

In the server, each process answers from its snapshot moved by the events of committed fixes
(api/live_snapshot.py). Where there is none (an app run by a test client, whose transactions are
rolled back and so publish nothing), PostgreSQL builds the whole FeatureCollection. Both show each
convoy where its newest committed fix put it (the trip row holds that fix, written by the ingest
pipeline in the fix's own transaction); a test compares the two answers.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from sqlalchemy import text
from sqlalchemy.orm import Session

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.geojson import GEOJSON_MEDIA_TYPE

router = APIRouter(prefix="/live", tags=["live"])
log = logging.getLogger("chekara.live")

_LIVE_CONVOYS = text(
    """
    WITH open_alerts AS (
        SELECT trip_id, count(*) AS n FROM alerts
        WHERE status <> 'resolved' AND trip_id IS NOT NULL GROUP BY trip_id
    )
    SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
        'type', 'Feature', 'id', t.id,
        'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(ST_X(t.last_point), ST_Y(t.last_point))),
        'properties', json_build_object(
            'trip_id', t.id, 'status', t.status, 'declaration_number', t.declaration_number,
            'vehicle_plates', t.vehicle_plates,
            'last_fix_at', to_char(t.last_fix_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
            'speed_kmh', t.last_speed_kmh, 'heading_deg', t.last_heading_deg,
            'corridor_id', t.corridor_id, 'corridor', c.code, 'open_alerts', COALESCE(a.n, 0))
    ) ORDER BY t.id), '[]'::json))::text
    FROM trips t JOIN corridors c ON c.id = t.corridor_id LEFT JOIN open_alerts a ON a.trip_id = t.id
    WHERE t.status = 'in_transit' AND t.last_point IS NOT NULL
    """
)


def live_convoys_json(session: Session) -> str:
    """The FeatureCollection of convoys in transit, as GeoJSON text built by the database."""
    return session.execute(_LIVE_CONVOYS).scalar_one()


@router.get(
    "/convoys", response_class=Response,
    responses={200: {"content": {GEOJSON_MEDIA_TYPE: {}}, "description": "A GeoJSON FeatureCollection"}},
    summary="Every convoy in transit: last fix, speed, heading, open alerts",
)
async def get_live_convoys(request: Request, session: SessionDep, _: AnyStaff) -> Response:
    snapshot = getattr(request.app.state, "live_snapshot", None)
    if snapshot is not None:
        try:
            return Response(await snapshot.feature_collection(), media_type=GEOJSON_MEDIA_TYPE)
        except TimeoutError:  # the event listener is stuck: the database still knows where everyone is
            log.warning("live map: the event barrier timed out; answering from the database")
    return Response(await run_in_threadpool(live_convoys_json, session), media_type=GEOJSON_MEDIA_TYPE)

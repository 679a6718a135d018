"""Live convoys for the situation map: every trip in transit with its last fix (polled every 2 s).

In the server, each process answers from its snapshot moved by the events of committed fixes
(api/live_snapshot.py). Where there is none (an app run by a test client, whose transactions are
rolled back and so publish nothing), the convoys are read from the trip rows for the request, with
the snapshot's own query and encoding. Both show each convoy where its newest committed fix put it
(the trip row holds that fix, written by the ingest pipeline in the fix's own transaction); a test
compares a moved snapshot with a fresh read.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.geojson import GEOJSON_MEDIA_TYPE
from chekara.api.live_snapshot import feature_collection, load_convoys

router = APIRouter(prefix="/live", tags=["live"])
log = logging.getLogger("chekara.live")


def live_convoys_json(session: Session) -> bytes:
    """The FeatureCollection of convoys in transit, read from the trip rows now (no snapshot)."""
    return feature_collection(load_convoys(session))


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

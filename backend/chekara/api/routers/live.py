"""Live convoys for the situation map: every trip in transit with its last fix (polled every 2 s)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.api.deps import AnyStaff, SessionDep
from chekara.api.geojson import GeoJSONResponse, feature_collection
from chekara.db.models import Alert, Corridor, Trip

router = APIRouter(prefix="/live", tags=["live"])


def live_convoys(session: Session) -> dict:
    """One query: trips in transit with a last position, and their open-alert counts."""
    open_alerts = (
        select(Alert.trip_id, func.count().label("n"))
        .where(Alert.status != "resolved", Alert.trip_id.is_not(None))
        .group_by(Alert.trip_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Trip.id, Trip.status, Trip.declaration_number, Trip.vehicle_plates, Trip.last_fix_at,
            Trip.last_speed_kmh, Trip.last_heading_deg, Trip.corridor_id, Corridor.code,
            func.ST_X(Trip.last_point), func.ST_Y(Trip.last_point), func.coalesce(open_alerts.c.n, 0),
        )
        .join(Corridor, Trip.corridor_id == Corridor.id)
        .outerjoin(open_alerts, open_alerts.c.trip_id == Trip.id)
        .where(Trip.status == "in_transit", Trip.last_point.is_not(None))
        .order_by(Trip.id)
    ).all()
    features = [
        {
            "type": "Feature",
            "id": trip_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "trip_id": trip_id, "status": status, "declaration_number": number, "vehicle_plates": plates,
                "last_fix_at": last_at.isoformat() if last_at else None, "speed_kmh": speed, "heading_deg": heading,
                "corridor_id": corridor_id, "corridor": corridor_code, "open_alerts": n_alerts,
            },
        }
        for trip_id, status, number, plates, last_at, speed, heading, corridor_id, corridor_code, lon, lat, n_alerts in rows
    ]
    return feature_collection(features)


@router.get("/convoys", response_class=GeoJSONResponse, summary="Every convoy in transit: last fix, speed, heading, open alerts")
def get_live_convoys(session: SessionDep, _: AnyStaff) -> GeoJSONResponse:
    return GeoJSONResponse(live_convoys(session))

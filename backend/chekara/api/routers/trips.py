"""Trips: plan an escorted transit, follow it, cancel it; its track as GeoJSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from geoalchemy2.shape import to_shape
from pydantic import BaseModel, Field, model_validator

from chekara.api.deps import Allowed, AnyStaff, SessionDep
from chekara.api.geojson import GeoJSONResponse, feature, feature_collection
from chekara.api.routers.alerts import AlertPublic
from chekara.db.models import Trip
from chekara.domain.roles import Actor, Role
from chekara.services import alerts, trips
from chekara.services.trips import TripDeviceDraft, TripDraft

router = APIRouter(prefix="/trips", tags=["trips"])

TripPlanner = Annotated[Actor, Depends(Allowed(Role.operator, Role.supervisor, Role.officer))]
TripCanceller = Annotated[Actor, Depends(Allowed(Role.operator, Role.supervisor))]


class TripDeviceIn(BaseModel):
    device_id: str = Field(min_length=1, max_length=64)
    role: Literal["escort", "vehicle"]
    plate: str | None = Field(None, max_length=20, description="the vehicle this tracker is on")


class TripIn(BaseModel):
    declaration_number: str = Field(min_length=1, max_length=40)
    vehicle_plates: list[str] = Field(min_length=1, max_length=10)
    devices: list[TripDeviceIn] = Field(min_length=1, max_length=20)
    origin: str = Field(min_length=1, max_length=20, description="checkpoint code")
    destination: str = Field(min_length=1, max_length=20, description="checkpoint code")
    corridor: str = Field(min_length=1, max_length=20, description="corridor code")
    planned_departure: datetime = Field(description="ISO 8601 with zone")
    deadline: datetime = Field(description="delivery deadline, ISO 8601 with zone")

    @model_validator(mode="after")
    def _zones(self) -> "TripIn":
        for name in ("planned_departure", "deadline"):
            value = getattr(self, name)
            if value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=UTC))
        return self


class LastFix(BaseModel):
    ts: datetime
    lon: float
    lat: float
    speed_kmh: float | None
    heading_deg: float | None


class TripPublic(BaseModel):
    id: int
    declaration_number: str
    vehicle_plates: list[str]
    devices: list[dict[str, Any]]
    origin: str
    destination: str
    corridor: str
    status: str
    planned_departure: datetime
    deadline: datetime
    departed_at: datetime | None
    arrived_at: datetime | None
    cancelled_at: datetime | None
    distance_m: float = Field(description="distance travelled so far, metres")
    progress_m: float | None = Field(description="how far along the corridor the last fix is, metres")
    corridor_length_m: float
    eta: datetime | None = Field(description="estimated arrival (UTC)")
    last_fix: LastFix | None
    open_alert_count: int


class TripDetail(TripPublic):
    open_alerts: list[AlertPublic]


def _public(trip: Trip, open_count: int, now: datetime) -> dict[str, Any]:
    point = trips.last_point(trip)
    return dict(
        id=trip.id, declaration_number=trip.declaration_number, vehicle_plates=trip.vehicle_plates,
        devices=[{"device_id": d.device.device_id, "role": d.role, "plate": d.plate} for d in trip.devices],
        origin=trip.origin.code, destination=trip.destination.code, corridor=trip.corridor.code,
        status=trip.status, planned_departure=trip.planned_departure, deadline=trip.deadline,
        departed_at=trip.departed_at, arrived_at=trip.arrived_at, cancelled_at=trip.cancelled_at,
        distance_m=round(trip.distance_m, 1), progress_m=trip.last_progress_m,
        corridor_length_m=round(trip.corridor.length_m, 1), eta=trips.eta(trip, now),
        last_fix=LastFix(ts=trip.last_fix_at, lon=point[0], lat=point[1], speed_kmh=trip.last_speed_kmh,
                         heading_deg=trip.last_heading_deg) if point and trip.last_fix_at else None,
        open_alert_count=open_count,
    )


@router.post("", response_model=TripDetail, status_code=201, summary="Plan an escorted trip")
def create_trip(body: TripIn, session: SessionDep, actor: TripPlanner) -> TripDetail:
    draft = TripDraft(
        declaration_number=body.declaration_number, vehicle_plates=body.vehicle_plates,
        devices=[TripDeviceDraft(d.device_id, d.role, d.plate) for d in body.devices],
        origin=body.origin, destination=body.destination, corridor=body.corridor,
        planned_departure=body.planned_departure, deadline=body.deadline,
    )
    trip = trips.create_trip(session, draft, actor)
    session.commit()
    return TripDetail(**_public(trip, 0, datetime.now(UTC)), open_alerts=[])


@router.get("", response_model=list[TripPublic], summary="Trips, filtered by status, checkpoint, corridor")
def list_trips(
    session: SessionDep,
    _: AnyStaff,
    status: Literal["planned", "in_transit", "arrived", "cancelled"] | None = None,
    checkpoint: str | None = Query(None, max_length=20, description="origin or destination checkpoint code"),
    corridor: str | None = Query(None, max_length=20),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[TripPublic]:
    found = trips.list_trips(session, status, checkpoint, corridor, limit, offset)
    counts = trips.open_alert_counts(session, [t.id for t in found])
    now = datetime.now(UTC)
    return [TripPublic(**_public(t, counts.get(t.id, 0), now)) for t in found]


@router.get("/{trip_id}", response_model=TripDetail, summary="One trip: status, last fix, distance, ETA, open alerts")
def get_trip(trip_id: int, session: SessionDep, _: AnyStaff) -> TripDetail:
    trip = trips.get_trip(session, trip_id)
    open_alerts = [a for a in alerts.list_alerts(session, alerts.AlertFilter(trip_id=trip.id, limit=1000)) if a.status != "resolved"]
    return TripDetail(**_public(trip, len(open_alerts), datetime.now(UTC)), open_alerts=[AlertPublic.of(a, trip.corridor.code) for a in open_alerts])


@router.get("/{trip_id}/track", response_class=GeoJSONResponse, summary="The trip's fixes as GeoJSON, each with its corridor distance")
def get_track(trip_id: int, session: SessionDep, _: AnyStaff) -> GeoJSONResponse:
    trip = trips.get_trip(session, trip_id)
    devices_by_pk = {d.device_id: d.device.device_id for d in trip.devices}
    features = []
    for p in trips.track(session, trip.id):
        point = to_shape(p.geom)
        features.append(feature({"type": "Point", "coordinates": [point.x, point.y]}, {
            "device_id": devices_by_pk.get(p.device_id), "ts": p.ts.isoformat(), "speed_kmh": p.speed_kmh,
            "heading_deg": p.heading_deg, "corridor_distance_m": None if p.corridor_distance_m is None else round(p.corridor_distance_m, 1),
            "outside_corridor": p.corridor_distance_m is not None and p.corridor_distance_m > trip.corridor.half_width_m,
            "anomaly": p.anomaly, "h3_r9": format(p.h3_r9, "x"),
        }, p.id))
    body = feature_collection(features)
    body["properties"] = {"trip_id": trip.id, "corridor": trip.corridor.code, "half_width_m": trip.corridor.half_width_m}
    return GeoJSONResponse(body)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/{trip_id}/cancel", response_model=TripPublic, summary="Cancel a planned or in-transit trip")
def cancel_trip(trip_id: int, body: CancelIn, session: SessionDep, actor: TripCanceller) -> TripPublic:
    trip = trips.cancel_trip(session, trip_id, body.reason, actor)
    session.commit()
    return TripPublic(**_public(trip, 0, datetime.now(UTC)))

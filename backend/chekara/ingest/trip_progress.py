"""What examined fixes do to their trip: the detector state kept on the row, alerts raised and ended,
the convoy moved, departure and arrival.

Shared by the in-order path (detect.py), the late-fix replay (replay.py) and
the sweeper's clock checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chekara.domain.detection import OVERDUE, AlertRaised, AlertResolved, EnrichedFix, Event
from chekara.domain.detection.geo import haversine_m
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.fixes import IncomingFix
from chekara.ingest.trip_rows import TripRow, orm_trip
from chekara.services import alerts, events, outbox
from chekara.services.exchange import bodies
from chekara.services.trips import close_trip_alerts, trip_event

#: The note on an overdue alert a sweep raised before the trip's (late-uploaded) arrival on time showed.
ARRIVED_ON_TIME = "not supported by the complete track: the trip arrived before its deadline"


class TripState:
    """The JSON kept in trips.detector_state: per-detector state, last fix and odometer per device."""

    def __init__(self, stored: dict[str, Any] | None) -> None:
        stored = stored or {}
        self.detectors: dict[str, dict[str, Any]] = dict(stored.get("detectors", {}))
        self.last_ts: dict[str, str] = dict(stored.get("last_ts", {}))
        self.odometer: dict[str, dict[str, float]] = dict(stored.get("odometer", {}))
        # Per batch only, not stored: the newest accepted fix and the distance so far.
        self.newest: IncomingFix | None = None
        self.distance_m = 0.0

    def of(self, detector) -> dict[str, Any]:
        return self.detectors.get(detector.type) or detector.initial_state()

    def dump(self) -> dict[str, Any]:
        return {"detectors": self.detectors, "last_ts": self.last_ts, "odometer": self.odometer}


def alert_subject(trip_id: int, key: str | None) -> str:
    return f"trip:{trip_id}" if key is None else f"trip:{trip_id}:{key}"


def apply_events(ctx: IngestContext, batch: Batch | None, trip: TripRow, found: list[Event]) -> None:
    """Raise and end the alerts the detectors found (trip: anything with id and declaration_number)."""
    for event in found:
        subject = alert_subject(trip.id, event.key)
        if isinstance(event, AlertRaised):
            alerts.raise_alert(
                ctx.session, type=event.type, subject=subject, raised_at=event.ts, evidence=event.evidence,
                trip_id=trip.id, device_id=event.key, declaration_number=trip.declaration_number,
            )
            if batch is not None:
                batch.alerts_raised += 1
        elif isinstance(event, AlertResolved):
            alerts.end_alert(ctx.session, type=event.type, subject=subject, ended_at=event.ts, evidence=event.evidence)


def enriched_fix(fix: IncomingFix, trip: TripRow) -> EnrichedFix:
    return EnrichedFix(
        device_id=fix.device_id, ts=fix.ts, lon=fix.lon, lat=fix.lat, speed_kmh=fix.speed_kmh,
        battery_pct=fix.battery_pct, corridor_distance_m=fix.corridor_distance_m,
        corridor_half_width_m=trip.corridor_half_width_m, in_stop_zone=fix.stop_zone_name,
        in_checkpoint=fix.checkpoint_code, role=fix.role or "vehicle",
    )


def move(trip: TripRow, state: TripState, fix: IncomingFix) -> None:
    """An accepted fix moves the convoy: odometer, last position, progress along the corridor."""
    odo = state.odometer.get(fix.device_id)
    travelled = odo["distance_m"] if odo else 0.0
    if odo:
        travelled += haversine_m(odo["lon"], odo["lat"], fix.lon, fix.lat)
    state.odometer[fix.device_id] = {"lon": fix.lon, "lat": fix.lat, "distance_m": travelled}
    state.distance_m = max(state.distance_m, travelled)
    if state.newest is None or fix.ts >= state.newest.ts:
        state.newest = fix


def write_position(trip: TripRow, state: TripState) -> None:
    """Once per batch: the trip's distance and its newest accepted fix (written by persist)."""
    trip.distance_m = max(trip.distance_m, state.distance_m)
    fix = state.newest
    if fix is None or (trip.last_fix_at is not None and fix.ts < trip.last_fix_at):
        return
    trip.last_fix_at = fix.ts
    trip.newest = (fix.lon, fix.lat, fix.speed_kmh, fix.heading_deg, fix.corridor_progress_m)


def depart(ctx: IngestContext, batch: Batch, trip: TripRow, at: datetime) -> None:
    trip.status = "in_transit"
    row = orm_trip(ctx.session, trip)
    row.status, row.departed_at = "in_transit", at
    events.publish(ctx.session, "trip", trip_event(row))
    outbox.emit(ctx.session, "trip.departed", bodies.trip(ctx.session, row), at=at)


def arrive(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState, at: datetime) -> None:
    write_position(trip, state)
    trip.status = "arrived"
    row = orm_trip(ctx.session, trip)
    row.status, row.arrived_at = "arrived", at
    _overdue_at_arrival(ctx, batch, trip, state, at)
    close_trip_alerts(ctx.session, trip, at, "trip arrived")
    events.publish(ctx.session, "trip", trip_event(row))
    outbox.emit(ctx.session, "trip.arrived", bodies.trip(ctx.session, row), at=at)


def _overdue_at_arrival(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState, at: datetime) -> None:
    overdue = state.of(OVERDUE)
    if overdue["open_deadline_ts"] is not None and trip.deadline is not None and at <= trip.deadline:
        # Raised by a sweep that had not seen the arrival (its fixes uploaded later): the trip was on time.
        alerts.dismiss_unresolved(ctx.session, type=OVERDUE.type, subject=alert_subject(trip.id, None),
                                  note=ARRIVED_ON_TIME)
        state.detectors[OVERDUE.type] = OVERDUE.initial_state()
        return
    # An arrival after the deadline is overdue even if no sweep ran in between (a tracker
    # uploading late): raise it as of the arrival, then let the arrival resolve it.
    overdue, found = OVERDUE.on_clock(
        overdue, at, ctx.thresholds, in_transit=True, deadline=trip.deadline, arrived=False, arrived_ts=None
    )
    apply_events(ctx, batch, trip, found)
    overdue, found = OVERDUE.on_arrival(overdue, at, ctx.thresholds)
    state.detectors[OVERDUE.type] = overdue
    apply_events(ctx, batch, trip, found)

"""Late fixes are examined: a trip whose batch brings fixes older than the newest fix already examined
for their device has its detectors run again over its stored track.

A tracker out of coverage stores its fixes and uploads them later, sometimes
after newer live ones. Examined in order only, that backlog would be stored and
never looked at, and a deviation or a stop inside it would raise nothing.

- The window: CHEKARA_LATE_FIX_REPLAY_HOURS (24 h) before the trip's newest fix.
  A late fix older than that is stored, flagged late and not examined (as before
  the replay existed); 0 turns the replay off.
- The track: the trip's stored positions in the window merged with the batch's
  fixes, oldest first.
- The run: the detectors from a clean state over the track, each fix examined
  exactly as in order (examine.py), up to the arrival if the track has one: an
  arrival inside the backlog arrives the trip at that fix's time.
- The alerts: reconciled with the trip's stored ones (episodes.py): raised once,
  with their true times; those the track no longer supports resolved with a note.
- The state: the replayed detectors become the trip's. signal_lost and overdue
  are clock checks (what the operators could see when): their state is kept, and
  the batch's new fixes end a signal loss as they would have in order.

Only trips with late fixes come here: the in-order path costs nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db.models import Trip
from chekara.domain.detection import CLOCK_DETECTORS, SIGNAL_LOST, DetectionThresholds, EnrichedFix, Event, State
from chekara.domain.detection.geo import haversine_m
from chekara.domain.detection.timestamps import from_iso, to_iso
from chekara.ingest import episodes
from chekara.ingest.episodes import REPLAYED_DETECTORS
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.examine import examine_fix
from chekara.ingest.fixes import IncomingFix
from chekara.ingest.trip_progress import TripState, apply_events, arrive, depart, enriched_fix
from chekara.ingest.trip_rows import TripRow, orm_trip

_STORED_TRACK = text(
    "SELECT p.id, d.device_id, td.role, p.ts, ST_X(p.geom), ST_Y(p.geom), p.speed_kmh, p.battery_pct,"
    " p.corridor_distance_m, z.name, c.code, p.checkpoint_id, p.anomaly"
    " FROM positions p JOIN devices d ON d.id = p.device_id"
    " JOIN trip_devices td ON td.trip_id = p.trip_id AND td.device_id = p.device_id"
    " LEFT JOIN stop_zones z ON z.id = p.stop_zone_id LEFT JOIN checkpoints c ON c.id = p.checkpoint_id"
    " WHERE p.trip_id = :trip AND p.ts >= :since"
)
_REFLAG = text(
    "UPDATE positions SET anomaly = v.anomaly"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:flags AS bool[])) AS v(id, anomaly) WHERE positions.id = v.id"
)


@dataclass
class TrackFix:
    """One fix of the replayed track: stored (position_id) or of this batch (incoming)."""

    fix: EnrichedFix
    checkpoint_id: int | None
    #: The verdict of the GPS-anomaly check; stored_anomaly is the one the position was stored with.
    anomaly: bool = False
    stored_anomaly: bool = False
    position_id: int | None = None
    incoming: IncomingFix | None = None
    #: A fix of this batch older than its device's newest examined fix.
    late: bool = False


@dataclass
class Replay:
    """What the detectors make of the complete track."""

    detectors: dict[str, State] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    departure: TrackFix | None = None
    arrival: TrackFix | None = None
    #: Accepted fixes that moved the convoy, and those of them the fix detectors ran on.
    moved: list[TrackFix] = field(default_factory=list)
    detected: list[TrackFix] = field(default_factory=list)


def late_fixes(state: TripState, fixes: list[IncomingFix]) -> list[IncomingFix]:
    """The fixes not newer than the newest already examined for their device."""
    newest = {device_id: from_iso(ts) for device_id, ts in state.last_ts.items()}
    return [f for f in fixes if (last := newest.get(f.device_id)) is not None and f.ts <= last]


def replay_trip(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState, fixes: list[IncomingFix],
                late: list[IncomingFix]) -> list[IncomingFix]:
    """Replay the trip over its window if a late fix falls inside it; the fixes left to examine in order."""
    since = _window_start(state, fixes)
    late_ids = {id(f) for f in late}
    if all(fix.ts < since for fix in late):  # beyond the window: stored, not examined
        return [f for f in fixes if id(f) not in late_ids]
    track = _merged(_stored_track(ctx.session, trip, since),
                    [_incoming(f, trip, id(f) in late_ids) for f in fixes if f.ts >= since])
    departed_at = ctx.session.scalar(select(Trip.departed_at).where(Trip.id == trip.id))
    planned = trip.status == "planned" or (departed_at is not None and departed_at >= since)
    run = run_track(track, planned=planned, origin_id=trip.origin_id, destination_id=trip.destination_id,
                    thresholds=ctx.thresholds)
    _apply(ctx, batch, trip, state, since, track, run)
    return []


def _window_start(state: TripState, fixes: list[IncomingFix]) -> datetime:
    newest = max([fixes[-1].ts, *(from_iso(ts) for ts in state.last_ts.values())])
    return newest - timedelta(hours=get_settings().late_fix_replay_hours)


def run_track(track: list[TrackFix], *, planned: bool, origin_id: int, destination_id: int,
              thresholds: DetectionThresholds) -> Replay:
    """The detectors from a clean state over the track, oldest first, up to its arrival (pure)."""
    run = Replay()
    for tf in track:
        seen = examine_fix(
            run.detectors, tf.fix, thresholds, planned=planned, at_origin=tf.checkpoint_id == origin_id,
            at_destination=tf.checkpoint_id == destination_id, fix_detectors=REPLAYED_DETECTORS,
        )
        tf.anomaly = seen.anomaly
        run.events.extend(seen.events)
        if seen.departs:
            run.departure, planned = tf, False
        if seen.moved:
            run.moved.append(tf)
        if seen.detected:
            run.detected.append(tf)
        if seen.arrives:
            run.arrival = tf
            break  # fixes after the arrival are stored, not examined, as in order
    return run


def _apply(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState, since: datetime,
           track: list[TrackFix], run: Replay) -> None:
    """Write what the replay found: flags, departure, alerts, detector state, odometer, arrival."""
    _reflag(ctx.session, track)
    if run.departure is not None:
        _departed(ctx, batch, trip, run.departure.fix.ts)
    episodes.reconcile(ctx, batch, trip, since, run.events)
    clock = {d.type: state.detectors[d.type] for d in CLOCK_DETECTORS if d.type in state.detectors}
    state.detectors = {**run.detectors, **clock, SIGNAL_LOST.type: _signal_after(ctx, batch, trip, state, run)}
    _odometer(state, track, run)
    for tf in track:
        if tf.incoming is not None and not tf.late:
            state.last_ts[tf.fix.device_id] = to_iso(tf.fix.ts)
    if run.arrival is not None:
        arrive(ctx, batch, trip, state, run.arrival.fix.ts)


def _departed(ctx: IngestContext, batch: Batch, trip: TripRow, at: datetime) -> None:
    if trip.status == "planned":
        depart(ctx, batch, trip, at)
        return
    row = orm_trip(ctx.session, trip)
    if row.departed_at != at:
        row.departed_at = at  # the backlog shows when it really left its origin


def _signal_after(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState, run: Replay) -> State:
    """signal_lost as in order: only the batch's new fixes end a loss the operators saw."""
    signal = state.of(SIGNAL_LOST)
    for tf in run.detected:
        if tf.incoming is not None and not tf.late:
            signal, found = SIGNAL_LOST.on_fix(signal, tf.fix, ctx.thresholds)
            apply_events(ctx, batch, trip, found)
    return signal


def _odometer(state: TripState, track: list[TrackFix], run: Replay) -> None:
    """Each device's odometer grows by what the complete track adds over the window (a filled gap is
    longer than the straight line across it); the newest accepted batch fix becomes the trip's position."""
    before = _lengths_m([tf for tf in track if tf.position_id is not None and not tf.stored_anomaly])
    after = _lengths_m(run.moved)
    for tf in run.moved:
        odo = state.odometer.get(tf.fix.device_id, {"distance_m": 0.0})
        state.odometer[tf.fix.device_id] = {**odo, "lon": tf.fix.lon, "lat": tf.fix.lat}
        if tf.incoming is not None and (state.newest is None or tf.fix.ts >= state.newest.ts):
            state.newest = tf.incoming
    for device_id, odo in state.odometer.items():
        odo["distance_m"] += after.get(device_id, 0.0) - before.get(device_id, 0.0)
        state.distance_m = max(state.distance_m, odo["distance_m"])


def _lengths_m(fixes: list[TrackFix]) -> dict[str, float]:
    """Length of each device's polyline through the fixes (in time order), metres."""
    length: dict[str, float] = {}
    last: dict[str, EnrichedFix] = {}
    for tf in fixes:
        previous = last.get(tf.fix.device_id)
        if previous is not None:
            length[tf.fix.device_id] = length.get(tf.fix.device_id, 0.0) + haversine_m(
                previous.lon, previous.lat, tf.fix.lon, tf.fix.lat)
        last[tf.fix.device_id] = tf.fix
    return length


def _reflag(session: Session, track: list[TrackFix]) -> None:
    """Stored fixes whose anomaly verdict the complete track changed (the batch's are written by persist)."""
    changed = [tf for tf in track if tf.position_id is not None and tf.anomaly != tf.stored_anomaly]
    if changed:
        session.execute(_REFLAG, {"ids": [tf.position_id for tf in changed], "flags": [tf.anomaly for tf in changed]})
    for tf in track:
        if tf.incoming is not None:
            tf.incoming.anomaly = tf.anomaly


def _stored_track(session: Session, trip: TripRow, since: datetime) -> list[TrackFix]:
    track = []
    for (position_id, device_id, role, ts, lon, lat, speed_kmh, battery_pct, distance_m, zone, checkpoint,
         checkpoint_id, anomaly) in session.execute(_STORED_TRACK, {"trip": trip.id, "since": since}):
        fix = EnrichedFix(
            device_id=device_id, ts=ts, lon=lon, lat=lat, speed_kmh=speed_kmh, battery_pct=battery_pct,
            corridor_distance_m=distance_m, corridor_half_width_m=trip.corridor_half_width_m,
            in_stop_zone=zone, in_checkpoint=checkpoint, role=role,
        )
        track.append(TrackFix(fix, checkpoint_id, anomaly, anomaly, position_id=position_id))
    return track


def _incoming(fix: IncomingFix, trip: TripRow, late: bool) -> TrackFix:
    return TrackFix(enriched_fix(fix, trip), fix.checkpoint_id, incoming=fix, late=late)


def _merged(stored: list[TrackFix], incoming: list[TrackFix]) -> list[TrackFix]:
    return sorted(stored + incoming, key=lambda tf: (tf.fix.ts, tf.fix.device_id))

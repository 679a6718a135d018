"""Detect: run each trip's detectors over its fixes in time order; move trips planned → in transit → arrived.

Per fix (examine.py): the GPS-anomaly check (an anomalous fix is kept,
flagged, and moves nothing); a planned trip departs with its first fix outside
the origin geofence; an in-transit trip runs the fix detectors and arrives
with its first fix inside the destination geofence. Detector state lives on
the trip row, so a restart resumes where it stopped.

A trip that gets late fixes (older than the newest fix of the same device
already examined: a tracker's store-and-forward backlog sent after its live
fixes) is replayed instead (replay.py): its detectors run again over the
stored track merged with the batch, and its alerts are reconciled with what
the complete track shows. Every other trip takes the in-order path below,
which costs nothing more than before.
"""

from __future__ import annotations

from chekara.domain.detection.timestamps import to_iso
from chekara.ingest import replay
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.examine import examine_fix
from chekara.ingest.fixes import IncomingFix
from chekara.ingest.trip_progress import (
    TripState,
    apply_events,
    arrive,
    depart,
    enriched_fix,
    move,
    write_position,
)
from chekara.ingest.trip_rows import TripRow


def _examine_in_order(ctx: IngestContext, batch: Batch, trip: TripRow, state: TripState,
                      fixes: list[IncomingFix]) -> None:
    """Fixes all newer than anything examined for their devices, oldest first."""
    for fix in fixes:
        if trip.status not in ("planned", "in_transit"):
            break  # arrived within this batch: later fixes are stored, not detected on
        state.last_ts[fix.device_id] = to_iso(fix.ts)
        seen = examine_fix(
            state.detectors, enriched_fix(fix, trip), ctx.thresholds, planned=trip.status == "planned",
            at_origin=fix.checkpoint_id == trip.origin_id, at_destination=fix.checkpoint_id == trip.destination_id,
        )
        fix.anomaly = seen.anomaly
        if seen.departs:
            depart(ctx, batch, trip, fix.ts)
        apply_events(ctx, batch, trip, seen.events)
        if seen.moved:
            move(trip, state, fix)
        if seen.arrives:
            arrive(ctx, batch, trip, state, fix.ts)


def _detect_trip(ctx: IngestContext, batch: Batch, trip: TripRow, fixes: list[IncomingFix]) -> None:
    state = TripState(trip.detector_state)
    fixes.sort(key=lambda f: (f.ts, f.device_id))
    late = replay.late_fixes(state, fixes)
    if late:
        fixes = replay.replay_trip(ctx, batch, trip, state, fixes, late)
    _examine_in_order(ctx, batch, trip, state, fixes)
    write_position(trip, state)
    trip.detector_state = state.dump()


def detect_step(batch: Batch, ctx: IngestContext) -> Batch:
    by_trip: dict[int, list[IncomingFix]] = {}
    for fix in batch.fixes:
        if fix.trip_id is not None:
            by_trip.setdefault(fix.trip_id, []).append(fix)
    for trip_id, fixes in by_trip.items():
        _detect_trip(ctx, batch, batch.trips[trip_id], fixes)
    return batch

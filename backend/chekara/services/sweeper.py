"""The clock-driven checks: signal lost and overdue arrival for every active trip, transits not closed,
vehicles a partner announced that have not arrived.

Run by the server every CHEKARA_SWEEP_INTERVAL_S seconds (and by
`chekara sweep`). Only one process sweeps at a time (a transaction advisory
lock), and each trip row is locked like the ingest pipeline locks it, so a
sweep and a batch never both change a trip's detector state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chekara.db.models import Trip
from chekara.domain.detection import CLOCK_DETECTORS, DetectionThresholds
from chekara.ingest.batch import IngestContext
from chekara.ingest.detect import TripState, apply_events
from chekara.domain.roles import SYSTEM
from chekara.services.exchange.notices import sweep_not_arrived
from chekara.services.transit_closure import sweep_transit_deadlines
from chekara.services.trips import ACTIVE_STATUSES

_SWEEP_LOCK_KEY = 0x73776565  # "swee"


def sweep(session: Session, now: datetime, thresholds: DetectionThresholds) -> int:
    """Run the clock detectors on every planned or in-transit trip; the number of trips swept.

    The caller commits.
    """
    got_lock = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SWEEP_LOCK_KEY}).scalar_one()
    if not got_lock:
        return 0
    ctx = IngestContext(session=session, actor=SYSTEM, now=now, thresholds=thresholds)
    trips = session.scalars(
        select(Trip).where(Trip.status.in_(ACTIVE_STATUSES)).order_by(Trip.id).with_for_update(skip_locked=True, of=Trip)
    ).unique().all()
    for trip in trips:
        state = TripState(trip.detector_state)
        for detector in CLOCK_DETECTORS:
            new_state, found = detector.on_clock(
                state.of(detector), now, thresholds,
                in_transit=trip.status == "in_transit", deadline=trip.deadline, arrived=False, arrived_ts=None,
            )
            state.detectors[detector.type] = new_state
            apply_events(ctx, None, trip, found)
        trip.detector_state = state.dump()
    # Transits that should have left through their exit checkpoint by now.
    sweep_transit_deadlines(session, now)
    # Vehicles a partner announced that have not arrived in time.
    sweep_not_arrived(session, now)
    session.flush()
    return len(trips)

"""The clock-driven checks: signal lost and overdue arrival for every active trip, transits not closed,
vehicles a partner announced that have not arrived.

Run by the server every CHEKARA_SWEEP_INTERVAL_S seconds (and by
`chekara sweep`). One server process of a deployment sweeps (the elected
one, services/leadership.py); each trip row is locked like the ingest
pipeline locks it (a sweep from the command line beside the server skips the
rows the server's sweep holds, and sweeping a trip twice changes nothing), so a
sweep and a batch never both change a trip's detector state. Trips are swept
a page at a time (200 trips, or fewer once the page has run 50 ms: raising
alerts is the slow part), each page committed at once: a sweep over thousands
of convoys never holds their rows, or the lock every alert's audit entry
takes, long enough to stall the fixes arriving for them, and a trip a batch
holds at that moment is skipped until the next sweep.
"""

from __future__ import annotations

import time
from datetime import datetime

import orjson
from sqlalchemy.orm import Session

from chekara.domain.detection import CLOCK_DETECTORS, DetectionThresholds
from chekara.ingest.batch import IngestContext
from chekara.ingest.detect import TripState, apply_events
from chekara.domain.roles import SYSTEM
from chekara.services.exchange.notices import sweep_not_arrived
from chekara.services.transit_closure import sweep_transit_deadlines
from chekara.ingest.trip_rows import lock_active_trips, write_trips


#: Trips swept (and locked) per transaction, at most.
PAGE_SIZE = 200
#: A page is committed once it has run this long (seconds), whatever its size: raising an alert costs
#: milliseconds (its audit entry, outbox event and risk evidence, under the lock every audited change
#: takes), and a page raising 200 (a network outage silencing every tracker at once) held its trips and
#: that lock for seconds, while the fixes of those trips, and every ingest group that raised or ended an
#: alert, waited: measured, ingest fell from ~2,100 to ~120 fixes/s for 20 s (docs/PERFORMANCE.md).
PAGE_BUDGET_S = 0.05
#: The smallest page: after a page cut short by its budget, the next one locks about twice what it got through.
MIN_PAGE_SIZE = 10


def sweep(session: Session, now: datetime, thresholds: DetectionThresholds) -> int:
    """Run the clock detectors on every planned or in-transit trip; the number of trips swept.

    Commits each page of trips; the caller commits the rest (transit deadlines, partner notices).
    """
    swept = _sweep_trips(session, now, thresholds)
    # Transits that should have left through their exit checkpoint by now.
    sweep_transit_deadlines(session, now)
    # Vehicles a partner announced that have not arrived in time.
    sweep_not_arrived(session, now)
    session.flush()
    return swept


def _sweep_trips(session: Session, now: datetime, thresholds: DetectionThresholds) -> int:
    ctx = IngestContext(session=session, actor=SYSTEM, now=now, thresholds=thresholds)
    swept, after, page_size = 0, 0, PAGE_SIZE
    while trips := lock_active_trips(session, after, page_size):
        started = time.monotonic()
        changed = []
        for done, trip in enumerate(trips, 1):
            # As stored, before the detectors run (one might change a nested dict in place).
            stored = orjson.dumps(trip.detector_state)
            state = TripState(trip.detector_state)
            for detector in CLOCK_DETECTORS:
                new_state, found = detector.on_clock(
                    state.of(detector), now, thresholds,
                    in_transit=trip.status == "in_transit", deadline=trip.deadline, arrived=False, arrived_ts=None,
                )
                state.detectors[detector.type] = new_state
                apply_events(ctx, None, trip, found)
            trip.detector_state = state.dump()
            # Most sweeps change nothing: a trip whose state is as stored is not written back
            # (2,000 trips: 3 kB of JSON each, rewritten every 30 s).
            if orjson.dumps(trip.detector_state) != stored:
                changed.append(trip)
            if time.monotonic() - started >= PAGE_BUDGET_S:
                break  # the rest of the page is unlocked by the commit and locked again by the next page
        session.flush()
        write_trips(session, changed)
        session.commit()  # the page's rows are free for the fixes waiting on them
        swept += done
        after = trips[done - 1].id
        page_size = PAGE_SIZE if done == len(trips) else max(MIN_PAGE_SIZE, 2 * done)
    return swept

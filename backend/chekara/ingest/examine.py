"""Examine one fix of a trip: the detectors in their order, and what the fix means for the trip (pure).

Shared by the in-order path (detect.py) and the late-fix replay (replay.py), so
a replayed track is examined exactly as it would have been had it come in order:
the GPS-anomaly check first (an anomalous fix is flagged and moves nothing); a
planned trip's fix inside its origin geofence only moves the convoy; the first
fix outside it departs the trip; then the fix detectors; a fix inside the
destination geofence arrives the trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chekara.domain.detection import (
    FIX_DETECTORS,
    GPS_ANOMALY,
    DetectionThresholds,
    EnrichedFix,
    Event,
    FixDetector,
    State,
)


@dataclass
class Examined:
    """What one fix did: its events, and whether it was anomalous, moved the convoy, departed or arrived the trip."""

    anomaly: bool
    events: list[Event] = field(default_factory=list)
    moved: bool = False
    #: The fix detectors ran on it (the trip was in transit).
    detected: bool = False
    departs: bool = False
    arrives: bool = False


def examine_fix(
    detectors: dict[str, State], fix: EnrichedFix, thresholds: DetectionThresholds, *, planned: bool,
    at_origin: bool, at_destination: bool, fix_detectors: tuple[FixDetector, ...] = FIX_DETECTORS,
) -> Examined:
    """Run the detectors on one fix, updating `detectors` (detector type -> state) in place."""
    gps_state = detectors.get(GPS_ANOMALY.type) or GPS_ANOMALY.initial_state()
    detectors[GPS_ANOMALY.type], events, anomaly = GPS_ANOMALY.screen(gps_state, fix, thresholds)
    if anomaly:
        return Examined(True, events)
    if planned and at_origin:
        return Examined(False, events, moved=True)
    for detector in fix_detectors:
        detectors[detector.type], found = detector.on_fix(
            detectors.get(detector.type) or detector.initial_state(), fix, thresholds
        )
        events.extend(found)
    return Examined(False, events, moved=True, detected=True, departs=planned, arrives=at_destination)

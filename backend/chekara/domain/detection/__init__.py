"""Alert detectors for escorted convoys (pure: no I/O, no database).

Each detector is a small stateless object with a `type` name; what it
remembers of a trip is a plain JSON-serialisable dict the pipeline stores
between batches (initial_state() gives a fresh one). Fixes of one trip are
processed in time order; a batch split anywhere gives the same events.

Order in the detect step, per fix:
1. GPS_ANOMALY.on_fix on every fix; is_anomalous() (called before it, on the
   same state) tells the pipeline to flag the fix and keep it from the rest
   (GPS_ANOMALY.screen answers both at once: the pipeline's way);
2. each of FIX_DETECTORS.on_fix on the accepted fixes, in order;
and on a clock tick, each of CLOCK_DETECTORS.on_clock(state, now, thresholds,
in_transit=..., deadline=..., arrived=..., arrived_ts=...): every clock
detector takes the whole context and uses what it needs.
"""

from .base import ClockDetector, FixDetector, State
from .convoy_separation import ConvoySeparationDetector
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .gps_anomaly import GpsAnomalyDetector, is_anomalous
from .low_battery import LowBatteryDetector
from .overdue import OverdueDetector
from .route_deviation import RouteDeviationDetector
from .signal_lost import SignalLostDetector
from .thresholds import DetectionThresholds
from .unauthorized_stop import UnauthorizedStopDetector

GPS_ANOMALY = GpsAnomalyDetector()
ROUTE_DEVIATION = RouteDeviationDetector()
UNAUTHORIZED_STOP = UnauthorizedStopDetector()
CONVOY_SEPARATION = ConvoySeparationDetector()
SIGNAL_LOST = SignalLostDetector()
LOW_BATTERY = LowBatteryDetector()
OVERDUE = OverdueDetector()

#: Run on every accepted (non-anomalous) fix, in this order, after GPS_ANOMALY.
FIX_DETECTORS: tuple[FixDetector, ...] = (
    ROUTE_DEVIATION, UNAUTHORIZED_STOP, CONVOY_SEPARATION, SIGNAL_LOST, LOW_BATTERY,
)

#: Run on each clock tick of a trip (SIGNAL_LOST is in both tuples).
CLOCK_DETECTORS: tuple[ClockDetector, ...] = (SIGNAL_LOST, OVERDUE)

__all__ = [
    "AlertRaised", "AlertResolved", "ClockDetector", "CLOCK_DETECTORS", "ConvoySeparationDetector",
    "CONVOY_SEPARATION", "DetectionThresholds", "EnrichedFix", "Event", "FIX_DETECTORS", "FixDetector",
    "GPS_ANOMALY", "GpsAnomalyDetector", "is_anomalous", "LOW_BATTERY", "LowBatteryDetector", "OVERDUE",
    "OverdueDetector", "ROUTE_DEVIATION", "RouteDeviationDetector", "SIGNAL_LOST", "SignalLostDetector",
    "State", "UNAUTHORIZED_STOP", "UnauthorizedStopDetector",
]

"""What detectors report: an alert is raised, or an open alert is resolved.

Detectors only report; the pipeline turns events into Alert rows. An alert is
identified within a trip by (type, key): key is None for detectors with at
most one open alert per trip (route_deviation, overdue) and the device id for
per-device ones (gps_anomaly, unauthorized_stop, signal_lost,
convoy_separation, low_battery). A resolution carries the same (type, key)
as the alert it closes.

evidence is JSON-serialisable; numbers carry their unit in the key
(max_distance_m, duration_s), timestamps are ISO 8601 UTC strings (*_ts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AlertRaised:
    type: str
    ts: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class AlertResolved:
    type: str
    ts: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


Event = AlertRaised | AlertResolved

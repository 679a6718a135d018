"""The enriched fix: what the detectors see of one GPS reading.

The ingest pipeline builds it after enrichment: the corridor distance and the
stop-zone / checkpoint flags are already computed, so the detectors do no
geometry beyond point-to-point distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ROLES = ("escort", "vehicle")


@dataclass(frozen=True)
class EnrichedFix:
    """One GPS reading of one device of a trip, with its enrichment.

    ts is tz-aware (UTC). corridor_distance_m is the distance from the corridor
    centreline in metres, None when the trip has no corridor. in_stop_zone is
    the name of the designated stop zone the fix lies in, in_checkpoint the
    code of the checkpoint geofence it lies in (None when outside). role says
    which of the trip's devices sent it: "escort" (escort phone / car) or
    "vehicle" (the escorted truck's tracker).

    >>> from datetime import datetime, timezone
    >>> f = EnrichedFix("trk-1", datetime(2024, 5, 1, tzinfo=timezone.utc), 74.6, 42.87,
    ...                 speed_kmh=60.0, battery_pct=80.0, corridor_distance_m=700.0,
    ...                 corridor_half_width_m=500.0, in_stop_zone=None, in_checkpoint=None,
    ...                 role="vehicle")
    >>> f.outside_corridor
    True
    """

    device_id: str
    ts: datetime
    lon: float
    lat: float
    speed_kmh: float | None
    battery_pct: float | None
    corridor_distance_m: float | None
    corridor_half_width_m: float
    in_stop_zone: str | None
    in_checkpoint: str | None
    role: str

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None or self.ts.utcoffset() is None:
            raise ValueError("EnrichedFix.ts must be timezone-aware (UTC)")
        if self.role not in ROLES:
            raise ValueError(f"EnrichedFix.role must be one of {ROLES}, not {self.role!r}")

    @property
    def outside_corridor(self) -> bool:
        """True when the fix is farther from the centreline than the half-width.

        A fix exactly on the edge is inside. False when the trip has no corridor.
        """
        return self.corridor_distance_m is not None and self.corridor_distance_m > self.corridor_half_width_m

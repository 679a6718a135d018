"""The shapes a fix takes through the pipeline, and a rejected one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class Rejection:
    """A fix the pipeline refused: its place in the batch, the field at fault, why."""

    index: int
    field: str
    reason: str
    #: Which submission of a group commit the fix came from.
    submission: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "reason": self.reason}


@dataclass
class IncomingFix:
    """One fix, decoded and checked; later steps fill in the enrichment."""

    index: int
    device_id: str
    ts: datetime
    lon: float
    lat: float
    speed_kmh: float | None = None
    heading_deg: float | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None
    battery_pct: float | None = None
    #: Which submission of a group commit the fix came from.
    submission: int = 0
    # -- filled by the steps -------------------------------------------------
    device_pk: int = 0
    trip_id: int | None = None
    role: str | None = None
    h3_r9: int = 0
    x_m: float = 0.0  # in KG_METRIC_CRS
    y_m: float = 0.0
    corridor_distance_m: float | None = None
    corridor_progress_m: float | None = None
    stop_zone_id: int | None = None
    stop_zone_name: str | None = None
    checkpoint_id: int | None = None
    checkpoint_code: str | None = None
    anomaly: bool = False

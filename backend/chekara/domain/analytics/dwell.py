"""Dwell: how long vehicles spend in a place.

Two measures, for two questions:

**Cell dwell (the heatmap's ``dwell``)** is additive, so hourly rollups can be
summed over any window and any parent cell. Each fix owns the time from
itself to the device's next fix, capped at DWELL_CAP_S, and that time is
credited to the fix's cell and hour:

    dwell(fix) = min(next_fix.ts - fix.ts, DWELL_CAP_S)   (0 while there is no next fix)

A sum of per-fix values is additive by construction. A late fix that falls
between two known fixes A and C splits A's interval: A's dwell drops from
min(C-A, cap) to min(B-A, cap) and B gains min(C-B, cap); the incremental
rollup applies exactly that difference (chekara.services.analytics.rollups).
The cap keeps a device that went silent (signal lost is 10 min) from
crediting hours to the cell where it was last seen. The whole interval goes
to the fix's cell, not split at the cell boundary: at 10–60 s between fixes
and ~200 m cells, the error is a fraction of one interval per cell crossed.

**Zone visits** answer "how long does a checkpoint or a stop zone hold a
truck": a visit is a run of consecutive fixes of one device inside the same
zone (the geofence / stop zone the ingest pipeline tagged), and its dwell is
from the first to the last fix inside. A visit is *closed* when a later fix
of the device lies elsewhere; an open visit (the device is still inside, or
its trip ended there) has no known length yet and is left out of the
distributions.

>>> fix_dwell_s([0, 30, 60, 2000])
[30.0, 30.0, 600.0, 0.0]
>>> summary = dwell_summary([60, 120, 180, 240, 3600])
>>> summary.median_s, summary.p90_s
(180.0, 2256.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chekara.domain.queue_figures import percentile

#: Longest time one fix can credit to its cell, seconds (the signal-lost threshold).
DWELL_CAP_S = 600


def fix_dwell_s(times_s: Sequence[float], cap_s: float = DWELL_CAP_S) -> list[float]:
    """The dwell each fix of one device owns, from its times in ascending order (seconds)."""
    out = []
    for i, t in enumerate(times_s):
        out.append(float(min(times_s[i + 1] - t, cap_s)) if i + 1 < len(times_s) else 0.0)
    return out


@dataclass(frozen=True)
class ZoneFix:
    """A fix as the visit finder needs it. zone_id None: outside every zone of the kind asked."""

    device_id: int
    trip_id: int | None
    ts: datetime
    zone_id: int | None


@dataclass(frozen=True)
class Visit:
    device_id: int
    trip_id: int | None
    zone_id: int
    start: datetime
    end: datetime
    fixes: int
    #: A later fix of the device lies outside the zone: the visit is over.
    closed: bool

    @property
    def dwell_s(self) -> float:
        return (self.end - self.start).total_seconds()


def zone_visits(fixes: Sequence[ZoneFix]) -> list[Visit]:
    """Runs of consecutive fixes of one device inside one zone.

    ``fixes`` are ordered by device, then time. Fixes outside every zone may
    be thinned to the first one after each visit: that one is enough to
    close the visit.
    """
    visits: list[Visit] = []
    run: list[ZoneFix] = []

    def flush(closed: bool) -> None:
        if run:
            first, last = run[0], run[-1]
            visits.append(Visit(first.device_id, first.trip_id, first.zone_id, first.ts, last.ts, len(run), closed))
            run.clear()

    for fix in fixes:
        if run and fix.device_id != run[0].device_id:
            flush(closed=False)  # the device's fixes ended inside the zone
        if run and fix.zone_id != run[0].zone_id:
            flush(closed=True)
        if fix.zone_id is not None:
            run.append(fix)
    flush(closed=False)
    return visits


@dataclass(frozen=True)
class DwellSummary:
    visits: int
    median_s: float | None
    p90_s: float | None
    mean_s: float | None
    max_s: float | None


def dwell_summary(durations_s: Sequence[float]) -> DwellSummary:
    """The distribution of visit durations (percentiles with linear interpolation)."""
    if not durations_s:
        return DwellSummary(0, None, None, None, None)
    return DwellSummary(
        visits=len(durations_s),
        median_s=percentile(durations_s, 50),
        p90_s=percentile(durations_s, 90),
        mean_s=sum(durations_s) / len(durations_s),
        max_s=float(max(durations_s)),
    )

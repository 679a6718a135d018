"""Queue figures of a checkpoint: processing times and the wait for a vehicle arriving now.

Processing time is the time from a vehicle's entry read to its exit read.
The estimated wait for a vehicle arriving now is the longer of two figures:

- the median processing time over the window: what a vehicle takes when
  nobody is ahead of it;
- the time for every vehicle inside, plus the new one, to leave at the rate
  vehicles left during the window (Little's law, W = L / λ): what it takes
  when a backlog has built up.

With no vehicle processed in the window there is no rate and no median:
the estimate is None rather than a made-up number.

>>> f = queue_figures(inside=2, processing_minutes=[30, 40, 50, 60], window_hours=4)
>>> f.median_min, f.p90_min, f.estimated_wait_min, f.estimate_basis
(45.0, 57.0, 180.0, 'backlog')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks; None when empty.

    >>> percentile([10, 20, 30, 40], 50), percentile([10, 20, 30, 40], 90)
    (25.0, 37.0)
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be between 0 and 100, not {q}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True)
class QueueFigures:
    """One direction's (or the whole checkpoint's) queue, times in minutes."""

    inside: int
    processed: int
    median_min: float | None
    p90_min: float | None
    exits_per_hour: float
    estimated_wait_min: float | None
    #: 'median' (nobody ahead slows it down), 'backlog' (Little's law) or 'no data'.
    estimate_basis: str


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def queue_figures(inside: int, processing_minutes: Sequence[float], window_hours: float) -> QueueFigures:
    """Figures from the vehicles inside now and the processing times of those that left in the window."""
    if window_hours <= 0:
        raise ValueError("the window must be longer than zero hours")
    processed = len(processing_minutes)
    median = percentile(processing_minutes, 50)
    p90 = percentile(processing_minutes, 90)
    exits_per_hour = processed / window_hours
    if median is None:
        wait, basis = None, "no data"
    else:
        drain_min = (inside + 1) / exits_per_hour * 60
        wait, basis = (drain_min, "backlog") if drain_min > median else (median, "median")
    return QueueFigures(
        inside=inside,
        processed=processed,
        median_min=_round(median),
        p90_min=_round(p90),
        exits_per_hour=round(exits_per_hour, 2),
        estimated_wait_min=_round(wait),
        estimate_basis=basis,
    )

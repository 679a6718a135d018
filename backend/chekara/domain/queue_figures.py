"""Queue figures of a checkpoint: processing times and the wait for a vehicle arriving now.

Processing time is the time from a vehicle's entry read to its exit read;
its median over the window is what one vehicle takes, lane included.

The estimated wait for a vehicle arriving now treats the lanes as servers
that each take one vehicle at a time for the median processing time:

- fewer vehicles inside than lanes: a lane is free, the newcomer waits
  the median processing time;
- otherwise it waits one more median for every full set of lanes ahead of
  it: ``median * (1 + inside // lanes)``.

The exit rate over the window is reported beside it but not used: in a
quiet hour it measures how few vehicles came, not how fast the lanes work.
With no vehicle processed in the window there is no median and no
estimate (None), rather than a made-up number.

>>> f = queue_figures(inside=9, processing_minutes=[30, 40, 50, 60], window_hours=4, lanes=4)
>>> f.median_min, f.p90_min, f.estimated_wait_min, f.estimate_basis
(45.0, 57.0, 135.0, 'lanes busy')
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
    lanes: int
    estimated_wait_min: float | None
    #: 'free lane', 'lanes busy' or 'no data'.
    estimate_basis: str


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def queue_figures(
    inside: int, processing_minutes: Sequence[float], window_hours: float, lanes: int
) -> QueueFigures:
    """Figures from the vehicles inside now and the processing times of those that left in the window."""
    if window_hours <= 0:
        raise ValueError("the window must be longer than zero hours")
    if lanes < 1:
        raise ValueError("a checkpoint has at least one lane")
    median = percentile(processing_minutes, 50)
    if median is None:
        wait, basis = None, "no data"
    else:
        rounds = inside // lanes
        wait, basis = median * (1 + rounds), ("lanes busy" if rounds else "free lane")
    return QueueFigures(
        inside=inside,
        processed=len(processing_minutes),
        median_min=_round(median),
        p90_min=_round(percentile(processing_minutes, 90)),
        exits_per_hour=round(len(processing_minutes) / window_hours, 2),
        lanes=lanes,
        estimated_wait_min=_round(wait),
        estimate_basis=basis,
    )

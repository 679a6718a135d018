"""Checkpoint statistics: vehicles in and out per hour or day, and how long processing takes.

Counts come from crossings (one vehicle's passage through one checkpoint):
an entry counts in the period of its entry read, an exit in the period of
its exit. Processing time is entry read to exit read, as for the queue
figures (chekara.domain.queue_figures): a crossing closed by hand has no
exit read, and its typed exit time says nothing about processing.

Hours are UTC hours (Asia/Bishkek is UTC+6 all year, so they are Bishkek
hours too); days are Bishkek calendar days, as a checkpoint lives them.

>>> from datetime import UTC, datetime
>>> at = lambda h, m=0: datetime(2026, 1, 5, h, m, tzinfo=UTC)
>>> rows = throughput([CrossingTimes("inbound", at(8), at(9, 30), at(9, 30))], "hour", at(8), at(10))
>>> [(r.period_start.hour, r.direction, r.entries, r.exits) for r in rows if r.direction == "inbound"]
[(8, 'inbound', 1, 0), (9, 'inbound', 0, 1)]
>>> processing_distribution([30, 45, 60, 200]).median_min
52.5
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from chekara.domain.bishkek_time import BISHKEK, bishkek_day, day_bounds_utc
from chekara.domain.queue_figures import percentile
from chekara.domain.travel_direction import TravelDirection

BUCKETS = ("hour", "day")
#: Upper edges of the processing-time histogram, minutes (the last bin is open).
HISTOGRAM_EDGES_MIN = (15, 30, 60, 120, 240, 480)
DIRECTIONS = tuple(d.value for d in TravelDirection)


@dataclass(frozen=True)
class CrossingTimes:
    direction: str
    entered_at: datetime
    exited_at: datetime | None
    exit_read_at: datetime | None

    @property
    def processing_min(self) -> float | None:
        if self.exit_read_at is None:
            return None
        return (self.exit_read_at - self.entered_at).total_seconds() / 60


@dataclass(frozen=True)
class ThroughputRow:
    #: Start of the hour (UTC) or of the Bishkek day (as a UTC instant).
    period_start: datetime
    #: The Bishkek calendar day the period belongs to.
    day: date
    direction: str
    entries: int
    exits: int


def _period_start(instant: datetime, bucket: str) -> datetime:
    if bucket == "hour":
        return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return day_bounds_utc(bishkek_day(instant))[0]


def _periods(from_: datetime, to: datetime, bucket: str) -> list[datetime]:
    out = []
    current = _period_start(from_, bucket)
    while current < to:
        out.append(current)
        current = current + timedelta(hours=1) if bucket == "hour" else day_bounds_utc(bishkek_day(current))[1]
    return out


def throughput(crossings: Sequence[CrossingTimes], bucket: str, from_: datetime, to: datetime) -> list[ThroughputRow]:
    """Entries and exits per period and direction, every period of [from_, to) listed (zeros included)."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}")
    entries: Counter[tuple[datetime, str]] = Counter()
    exits: Counter[tuple[datetime, str]] = Counter()
    for c in crossings:
        if from_ <= c.entered_at < to:
            entries[(_period_start(c.entered_at, bucket), c.direction)] += 1
        if c.exited_at is not None and from_ <= c.exited_at < to:
            exits[(_period_start(c.exited_at, bucket), c.direction)] += 1
    return [
        ThroughputRow(p, p.astimezone(BISHKEK).date(), d, entries[(p, d)], exits[(p, d)])
        for p in _periods(from_, to, bucket)
        for d in DIRECTIONS
    ]


@dataclass(frozen=True)
class ProcessingDistribution:
    processed: int
    median_min: float | None
    p90_min: float | None
    mean_min: float | None
    max_min: float | None
    #: Vehicles per bin: "<15", "15-30", …, "480+" minutes.
    histogram: dict[str, int]


def histogram_labels() -> list[str]:
    labels, low = [], 0
    for edge in HISTOGRAM_EDGES_MIN:
        labels.append(f"<{edge}" if low == 0 else f"{low}-{edge}")
        low = edge
    return [*labels, f"{low}+"]


def processing_distribution(minutes: Sequence[float]) -> ProcessingDistribution:
    labels = histogram_labels()
    counts = Counter(labels[bisect_right(HISTOGRAM_EDGES_MIN, m)] for m in minutes)
    return ProcessingDistribution(
        processed=len(minutes),
        median_min=percentile(minutes, 50),
        p90_min=percentile(minutes, 90),
        mean_min=sum(minutes) / len(minutes) if minutes else None,
        max_min=float(max(minutes)) if minutes else None,
        histogram={label: counts[label] for label in labels},
    )

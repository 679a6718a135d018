"""The outbound event types: what happened here that a neighbouring customs should know.

Each type has a JSON Schema in chekara/exchange_schemas/<type>.json. A body
changes shape only with a new SCHEMA_VERSION: partners validate against the
version they were built for.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    crossing_released = "crossing.released"  # an officer released a vehicle at one of our checkpoints
    crossing_exited = "crossing.exited"  # the vehicle left the checkpoint (exit read, or seen by an officer)
    trip_departed = "trip.departed"  # an escorted transit left its origin checkpoint
    trip_arrived = "trip.arrived"  # it reached its destination checkpoint
    trip_closed = "trip.closed"  # it was cancelled before arriving
    alert_raised = "alert.raised"
    alert_resolved = "alert.resolved"


EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in EventType)

#: The version of every body shape today (the envelope carries it as schema_version).
SCHEMA_VERSION = 1


def subject_kind(event_type: str) -> str:
    """'crossing.released' -> 'crossing': the kind of thing an event is about (its body has '<kind>_id').

    >>> subject_kind("alert.raised")
    'alert'
    """
    return event_type.split(".", 1)[0]

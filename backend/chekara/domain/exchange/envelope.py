"""The envelope of an event and the exact bytes a partner receives.

The bytes are canonical JSON (sorted keys, no spaces, UTF-8): the same event
is the same bytes on every attempt and through the pull API, so a signature
can be checked over the body exactly as it arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Envelope:
    """One outbound event as a partner sees it."""

    #: Stable id (a UUID): the same event keeps it on every delivery; receivers de-duplicate by it.
    id: str
    #: Increases with every event (in commit order, with gaps): the pull API's cursor.
    sequence: int
    type: str
    schema_version: int
    #: When it happened (event time, UTC).
    occurred_at: datetime
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sequence": self.sequence,
            "type": self.type,
            "schema_version": self.schema_version,
            "occurred_at": iso_utc(self.occurred_at),
            "data": self.data,
        }


def iso_utc(at: datetime) -> str:
    """An aware time as ISO 8601 in UTC with a Z, to the microsecond when it has any.

    >>> from datetime import UTC
    >>> iso_utc(datetime(2026, 5, 1, 10, 0, tzinfo=UTC))
    '2026-05-01T10:00:00Z'
    """
    from datetime import UTC

    if at.tzinfo is None:
        raise ValueError("event times are aware (UTC)")
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def envelope_bytes(envelope: Envelope) -> bytes:
    """The body of a webhook delivery."""
    return canonical_json(envelope.as_dict())

"""Live events for the pages: published with PostgreSQL NOTIFY inside the writer's transaction.

NOTIFY is delivered only when the transaction commits, so a page never hears
of an alert that was rolled back, and every server process hears every event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from chekara.db import driver

CHANNEL = "chekara_events"
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; events stay well below.
MAX_PAYLOAD_BYTES = 7_000


def publish(session: Session, kind: str, data: dict[str, Any]) -> None:
    """Queue an event (kind: 'alert', 'trip', …) to be sent when the session commits."""
    payload = json.dumps({"kind": kind, "data": data}, default=str, separators=(",", ":"))
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        payload = json.dumps({"kind": kind, "data": {"id": data.get("id"), "truncated": True}})
    driver.execute(session, "SELECT pg_notify(%(channel)s, %(payload)s)", {"channel": CHANNEL, "payload": payload})


def iso_utc(ts: datetime) -> str:
    """Times in events and the live map: UTC with microseconds (2026-12-03T10:53:59.880000+00:00),
    so that two of them order as text as the instants do."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def convoy_position(trip_id: int, last_fix_at: datetime, lon: float, lat: float,
                    speed_kmh: float | None, heading_deg: float | None) -> list:
    """One convoy's newest committed position as a "positions" event names it (its `at` list)."""
    return [trip_id, iso_utc(last_fix_at), lon, lat, speed_kmh, heading_deg]

"""Live events for the pages: published with PostgreSQL NOTIFY inside the writer's transaction.

NOTIFY is delivered only when the transaction commits, so a page never hears
of an alert that was rolled back, and every server process hears every event.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "chekara_events"
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; events stay well below.
MAX_PAYLOAD_BYTES = 7_000


def publish(session: Session, kind: str, data: dict[str, Any]) -> None:
    """Queue an event (kind: 'alert', 'trip', …) to be sent when the session commits."""
    payload = json.dumps({"kind": kind, "data": data}, default=str, separators=(",", ":"))
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        payload = json.dumps({"kind": kind, "data": {"id": data.get("id"), "truncated": True}})
    session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

"""The outbox: every outbound event is written in the same transaction as the change it describes.

So an event exists exactly when its change committed: none is lost (a crash
after the commit leaves it waiting for delivery) and none is invented (a
rolled-back change takes its event with it). Delivery to partners happens
later, from the table (services.exchange.delivery, the pull API).

The sequence (outbox_events.seq) is assigned under the audit log's append
lock, held until commit: events commit in sequence order, so a reader that
has seen sequence N will never later find a committed event below N. That is
what makes ``after=<sequence>`` a safe cursor. It is also why this is not
services.events (NOTIFY for live pages, lost by a listener that is away).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import OutboxEvent
from chekara.domain.exchange import EVENT_TYPES, SCHEMA_VERSION, Envelope
from chekara.domain.exchange.event_types import subject_kind
from chekara.services import audit


def emit(session: Session, type: str, body: dict[str, Any], at: datetime | None = None) -> OutboxEvent:
    """Write an event of a known type; body has '<kind>_id' (e.g. crossing_id); at is the event time (default now).

    The caller commits, with the change.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}; the types are {', '.join(EVENT_TYPES)}")
    kind = subject_kind(type)
    audit.serialise_appends(session)
    event = OutboxEvent(
        event_id=uuid.uuid4(),
        type=type,
        schema_version=SCHEMA_VERSION,
        subject=f"{kind}:{body[kind + '_id']}",
        occurred_at=at or datetime.now(UTC),
        data=json.loads(json.dumps(body, default=str)),
    )
    session.add(event)
    session.flush()
    return event


def envelope(event: OutboxEvent) -> Envelope:
    return Envelope(
        id=str(event.event_id), sequence=event.seq, type=event.type, schema_version=event.schema_version,
        occurred_at=event.occurred_at, data=event.data,
    )


def head(session: Session) -> int:
    """The newest committed sequence (0 with no event yet)."""
    return session.scalar(select(func.coalesce(func.max(OutboxEvent.seq), 0))) or 0


def events_after(session: Session, after: int, limit: int, types: list[str] | None = None) -> list[OutboxEvent]:
    """Events with a sequence above after, oldest first; only the given types when some are given."""
    query = select(OutboxEvent).where(OutboxEvent.seq > after).order_by(OutboxEvent.seq).limit(limit)
    if types:
        query = query.where(OutboxEvent.type.in_(types))
    return list(session.scalars(query))

"""The dead-letter list: events a partner's webhook refused CHEKARA_EXCHANGE_MAX_ATTEMPTS times.

An admin inspects them (the event, the last error) and, once the partner has
fixed its side, replays one: it becomes pending again with a fresh count of
attempts, and, being older than what is queued behind it, goes first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Delivery, Partner, Webhook
from chekara.domain.roles import Actor
from chekara.errors import Conflict, NotFound
from chekara.services import audit


def list_dead(session: Session, partner_code: str | None = None, limit: int = 200, offset: int = 0) -> list[Delivery]:
    query = (
        select(Delivery).where(Delivery.status == "dead")
        .order_by(Delivery.dead_at.desc(), Delivery.id.desc()).limit(limit).offset(offset)
    )
    if partner_code:
        query = query.join(Webhook, Delivery.webhook_id == Webhook.id).join(Partner).where(
            Partner.code == partner_code.strip().upper()
        )
    return list(session.scalars(query))


def replay(session: Session, delivery_id: int, actor: Actor, now: datetime | None = None) -> Delivery:
    """Send a dead event again (the caller commits)."""
    delivery = session.scalar(select(Delivery).where(Delivery.id == delivery_id).with_for_update(of=Delivery))
    if delivery is None:
        raise NotFound(f"no delivery with id {delivery_id}", field="delivery_id")
    if delivery.status != "dead":
        raise Conflict(f"delivery {delivery_id} is {delivery.status}; only a dead one can be replayed", field="status")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.replays += 1
    delivery.next_attempt_at = now or datetime.now(UTC)
    session.flush()
    audit.record(session, actor, "replay", "delivery", delivery.id, {
        "event_id": str(delivery.event.event_id), "type": delivery.event.type,
        "partner": delivery.webhook.partner.code, "last_error": delivery.last_error,
    })
    return delivery

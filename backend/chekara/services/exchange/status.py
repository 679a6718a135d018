"""How a partner's webhook is doing: delivered, waiting, dead, and the event at the head of its queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chekara.db.models import Delivery, OutboxEvent, Webhook


@dataclass(frozen=True)
class WebhookStatus:
    delivered: int
    pending: int
    dead: int
    #: Events written since the webhook's cursor (some may be of types it does not want).
    behind: int
    head_event_id: str | None
    head_attempts: int
    head_next_attempt_at: datetime | None
    head_last_error: str | None


def webhook_status(session: Session, webhook: Webhook) -> WebhookStatus:
    counts = dict(session.execute(
        select(Delivery.status, func.count()).where(Delivery.webhook_id == webhook.id).group_by(Delivery.status)
    ).all())
    head = session.scalar(
        select(Delivery).where(Delivery.webhook_id == webhook.id, Delivery.status == "pending")
        .order_by(Delivery.event_seq).limit(1)
    )
    return WebhookStatus(
        delivered=counts.get("delivered", 0), pending=counts.get("pending", 0), dead=counts.get("dead", 0),
        behind=session.scalar(select(func.count()).where(OutboxEvent.seq > webhook.cursor_seq)) or 0,
        head_event_id=str(head.event.event_id) if head else None,
        head_attempts=head.attempts if head else 0,
        head_next_attempt_at=head.next_attempt_at if head else None,
        head_last_error=head.last_error if head else None,
    )

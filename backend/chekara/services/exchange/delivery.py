"""Delivery: post each partner's events to its webhook, signed, in order, at least once.

One pass (deliver_due) walks the active webhooks. For each, one attempt is
one short transaction:

1. lock the webhook row with FOR UPDATE SKIP LOCKED: another server process
   already delivering to this partner holds it, and this one moves on, so no
   event goes to a partner twice at the same time;
2. take its head: the oldest pending delivery, or else the next wanted event
   after the webhook's cursor, made into a pending delivery;
3. if the head is not due yet (backing off), the partner waits: in order
   means a failing event blocks the ones behind it until it is delivered or
   dead-lettered;
4. post it (the envelope's exact bytes, signed) and record the outcome:
   delivered; or failed, to be retried after retry_delay_s; or, after
   CHEKARA_EXCHANGE_MAX_ATTEMPTS failures, dead (the dead-letter list), which
   lets the events behind it go.

The outcome is committed after the POST: a process killed in between posts
the event again after a restart. That is the "at least once": receivers
de-duplicate by event id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import Delivery, OutboxEvent, Webhook
from chekara.domain.exchange import SIGNATURE_HEADER, TIMESTAMP_HEADER, envelope_bytes, retry_delay_s, signature_header
from chekara.services import outbox

Clock = Callable[[], datetime]
#: What is kept of a failing receiver's answer, characters.
MAX_ERROR_TEXT = 500


class Attempt(StrEnum):
    delivered = "delivered"
    failed = "failed"  # to be retried
    dead = "dead"  # dead-lettered
    waiting = "waiting"  # the head is backing off
    idle = "idle"  # nothing to deliver
    busy = "busy"  # another process is delivering to this webhook (or it is no longer active)


@dataclass
class PassReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def count(self, outcome: Attempt) -> None:
        if outcome in (Attempt.delivered, Attempt.failed, Attempt.dead):
            setattr(self, outcome.value, getattr(self, outcome.value) + 1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def delivery_headers(webhook: Webhook, event: OutboxEvent, body: bytes, attempt: int, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Chekara-Exchange/1",
        "X-Chekara-Event-Id": str(event.event_id),
        "X-Chekara-Event-Type": event.type,
        "X-Chekara-Sequence": str(event.seq),
        "X-Chekara-Attempt": str(attempt),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(webhook.secret.encode(), timestamp, body),
    }


def _head(session: Session, webhook: Webhook, now: datetime) -> Delivery | None:
    """The webhook's oldest pending delivery; else the next wanted event after its cursor, as a new one."""
    pending = session.scalar(
        select(Delivery).where(Delivery.webhook_id == webhook.id, Delivery.status == "pending")
        .order_by(Delivery.event_seq).limit(1)
    )
    if pending is not None:
        return pending
    query = select(OutboxEvent).where(OutboxEvent.seq > webhook.cursor_seq).order_by(OutboxEvent.seq).limit(1)
    if webhook.event_types:
        query = query.where(OutboxEvent.type.in_(webhook.event_types))
    event = session.scalar(query)
    if event is None:
        return None
    webhook.cursor_seq = event.seq
    delivery = Delivery(webhook_id=webhook.id, event_seq=event.seq, status="pending", attempts=0, next_attempt_at=now)
    session.add(delivery)
    session.flush()
    session.refresh(delivery, ["event"])
    return delivery


def _post(client: httpx.Client, webhook: Webhook, delivery: Delivery, timeout_s: float) -> tuple[int | None, str | None]:
    """(status code, error): error is None exactly when the receiver answered 2xx."""
    event = delivery.event
    body = envelope_bytes(outbox.envelope(event))
    headers = delivery_headers(webhook, event, body, delivery.attempts + 1, int(time.time()))
    try:
        response = client.post(webhook.url, content=body, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_TEXT]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text}"[:MAX_ERROR_TEXT]


def attempt_next(
    session: Session, settings: Settings, webhook_id: int, client: httpx.Client, clock: Clock = _utc_now
) -> Attempt:
    """Deliver the head event of one webhook, if it is due. The caller commits (the lock ends with it)."""
    webhook = session.scalar(
        select(Webhook).where(Webhook.id == webhook_id, Webhook.active.is_(True))
        .with_for_update(skip_locked=True, of=Webhook)
    )
    if webhook is None:
        return Attempt.busy
    now = clock()
    delivery = _head(session, webhook, now)
    if delivery is None:
        return Attempt.idle
    if delivery.next_attempt_at > now:
        return Attempt.waiting
    status_code, error = _post(client, webhook, delivery, settings.exchange_timeout_s)
    now = clock()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    if error is None:
        delivery.status, delivery.delivered_at = "delivered", now
        outcome = Attempt.delivered
    elif delivery.attempts >= settings.exchange_max_attempts:
        delivery.status, delivery.dead_at, delivery.last_error = "dead", now, error
        outcome = Attempt.dead
    else:
        delay_s = retry_delay_s(delivery.attempts, settings.exchange_backoff_base_s, settings.exchange_backoff_cap_s)
        delivery.next_attempt_at = now + timedelta(seconds=delay_s)
        delivery.last_error = error
        outcome = Attempt.failed
    session.flush()
    return outcome


def deliver_due(
    session: Session,
    settings: Settings,
    client: httpx.Client | None = None,
    webhook_ids: list[int] | None = None,
    clock: Clock = _utc_now,
) -> PassReport:
    """One pass: every active webhook (or the given ones) gets what is due, up to CHEKARA_EXCHANGE_BATCH_SIZE events.

    Commits after every attempt.
    """
    report = PassReport()
    ids = webhook_ids
    if ids is None:
        ids = list(session.scalars(select(Webhook.id).where(Webhook.active.is_(True)).order_by(Webhook.id)))
        session.commit()
    own_client = client is None
    client = client or httpx.Client(follow_redirects=False)
    try:
        for webhook_id in ids:
            for _ in range(settings.exchange_batch_size):
                outcome = attempt_next(session, settings, webhook_id, client, clock)
                session.commit()
                report.count(outcome)
                if outcome not in (Attempt.delivered, Attempt.dead):
                    break  # idle, busy, waiting or failed: this partner's turn is over for this pass
    finally:
        if own_client:
            client.close()
    return report

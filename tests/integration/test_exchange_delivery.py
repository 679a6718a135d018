"""Delivery to a partner's webhook: signed, in order, retried with backoff, dead-lettered and replayed, never twice at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db.models import Delivery, Partner, User, Webhook
from chekara.services import outbox
from chekara.services.exchange.delivery import Attempt, attempt_next, deliver_due
from tests.integration.checkpoint_ops_helpers import Desk
from tests.integration.exchange_helpers import (
    Receiver,
    crossing_to_release,
    events_since,
    exit_read,
    put_webhook,
    register_partner,
    unique,
    unique_plate,
)

SECRET = "partner-secret-0123456789"


class Clock:
    """The delivery worker's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def settings(**over):
    return get_settings().model_copy(update={
        "exchange_backoff_base_s": 10.0, "exchange_backoff_cap_s": 60.0, "exchange_max_attempts": 5, **over,
    })


def _partner_with_webhook(client, auth, event_types=None) -> tuple[str, int]:
    partner = register_partner(client, auth)
    hook = put_webhook(client, auth, partner.code, secret=SECRET, event_types=event_types)
    return partner.code, hook["id"]


def _crossing_events(client, auth) -> None:
    desk = Desk(client, auth)
    plate = unique_plate()
    crossing_to_release(desk, unique("EXD-"), plate)
    exit_read(desk, plate)


def test_events_reach_the_webhook_signed_in_order_once(client, auth, db_session):
    _, webhook_id = _partner_with_webhook(client, auth, ["crossing.released", "crossing.exited"])
    cursor = outbox.head(db_session)
    _crossing_events(client, auth)
    receiver = Receiver(SECRET.encode())  # it verifies every signature it is sent
    report = deliver_due(db_session, settings(), receiver.client(), webhook_ids=[webhook_id])
    expected = events_since(db_session, cursor, "crossing.released", "crossing.exited")
    assert report.delivered == 2 and report.failed == 0
    assert receiver.ids() == [str(e.event_id) for e in expected]
    assert [e["type"] for e in receiver.received] == ["crossing.released", "crossing.exited"]
    assert receiver.received[0]["data"]["crossing_id"] == receiver.received[1]["data"]["crossing_id"]
    again = deliver_due(db_session, settings(), receiver.client(), webhook_ids=[webhook_id])
    assert again.delivered == 0 and receiver.attempts == 2


def test_only_the_types_a_partner_wants(client, auth, db_session):
    _, webhook_id = _partner_with_webhook(client, auth, ["alert.raised"])
    _crossing_events(client, auth)  # no alert in a clean crossing
    receiver = Receiver(SECRET.encode())
    assert deliver_due(db_session, settings(), receiver.client(), webhook_ids=[webhook_id]).delivered == 0
    desk = Desk(client, auth)
    from tests.integration.checkpoint_ops_helpers import ago, read

    desk.read(read(unique_plate(), at=ago(5), checkpoint="AK-TILEK", camera_id="AKT-CAM-1"))  # undeclared_vehicle
    deliver_due(db_session, settings(), receiver.client(), webhook_ids=[webhook_id])
    assert [(e["type"], e["data"]["type"]) for e in receiver.received] == [("alert.raised", "undeclared_vehicle")]


def test_a_failing_receiver_blocks_its_queue_then_gets_everything_exactly_once(client, auth, db_session):
    _, webhook_id = _partner_with_webhook(client, auth, ["crossing.released", "crossing.exited"])
    cursor = outbox.head(db_session)
    _crossing_events(client, auth)
    _crossing_events(client, auth)
    expected = [str(e.event_id) for e in events_since(db_session, cursor, "crossing.released", "crossing.exited")]
    receiver, clock = Receiver(SECRET.encode(), fail_next=3), Clock()
    waits = []
    for _ in range(3):
        report = deliver_due(db_session, settings(), receiver.client(), [webhook_id], clock)
        assert report.failed == 1 and report.delivered == 0  # the head failed; nothing behind it went
        head = db_session.scalar(select(Delivery).where(Delivery.webhook_id == webhook_id, Delivery.status == "pending"))
        waits.append((head.next_attempt_at - clock.now).total_seconds())
        assert deliver_due(db_session, settings(), receiver.client(), [webhook_id], clock).failed == 0  # not due yet
        clock.advance(waits[-1])
    assert waits == [10.0, 20.0, 40.0]
    assert head.last_error.startswith("HTTP 503") and head.attempts == 3
    report = deliver_due(db_session, settings(), receiver.client(), [webhook_id], clock)
    assert report.delivered == 4
    assert receiver.ids() == expected  # each once, in order
    assert receiver.attempts == len(expected) + 3


def test_a_refused_event_is_dead_lettered_unblocks_the_rest_and_can_be_replayed(client, auth, db_session):
    code, webhook_id = _partner_with_webhook(client, auth, ["crossing.released", "crossing.exited"])
    cursor = outbox.head(db_session)
    _crossing_events(client, auth)
    first, second = events_since(db_session, cursor, "crossing.released", "crossing.exited")
    receiver, clock = Receiver(SECRET.encode(), fail_next=2, status_when_failing=400), Clock()
    tight = settings(exchange_max_attempts=2)
    assert deliver_due(db_session, tight, receiver.client(), [webhook_id], clock).failed == 1
    clock.advance(10)
    report = deliver_due(db_session, tight, receiver.client(), [webhook_id], clock)
    assert report.dead == 1 and report.delivered == 1  # the next event went once the first was dead-lettered
    assert receiver.ids() == [str(second.event_id)]

    dead = client.get("/api/v1/exchange/dead-letters", params={"partner": code}, headers=auth("admin")).json()
    assert len(dead) == 1
    assert dead[0]["event"]["id"] == str(first.event_id) and dead[0]["attempts"] == 2
    assert dead[0]["last_status_code"] == 400 and dead[0]["last_error"].startswith("HTTP 400")
    replayed = client.post(f"/api/v1/exchange/dead-letters/{dead[0]['delivery_id']}/replay", headers=auth("admin"))
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending" and replayed.json()["replays"] == 1
    assert client.post(f"/api/v1/exchange/dead-letters/{dead[0]['delivery_id']}/replay", headers=auth("admin")).status_code == 409
    assert client.post("/api/v1/exchange/dead-letters/999999999/replay", headers=auth("admin")).status_code == 404
    assert deliver_due(db_session, tight, receiver.client(), [webhook_id], clock).delivered == 1
    assert receiver.ids() == [str(second.event_id), str(first.event_id)]
    assert client.get("/api/v1/exchange/dead-letters", params={"partner": code}, headers=auth("admin")).json() == []


def test_an_unreachable_receiver_is_a_failure_with_its_reason(client, auth, db_session):
    _, webhook_id = _partner_with_webhook(client, auth, ["crossing.released"])
    _crossing_events(client, auth)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    report = deliver_due(db_session, settings(), httpx.Client(transport=httpx.MockTransport(refuse)), [webhook_id])
    assert report.failed == 1
    head = db_session.scalar(select(Delivery).where(Delivery.webhook_id == webhook_id))
    assert head.last_status_code is None and head.last_error == "ConnectError: connection refused"


def test_a_deactivated_webhook_gets_nothing_and_keeps_its_place(client, auth, db_session):
    code, webhook_id = _partner_with_webhook(client, auth, ["crossing.released", "crossing.exited"])
    assert client.delete(f"/api/v1/exchange/partners/{code}/webhook", headers=auth("admin")).json()["active"] is False
    _crossing_events(client, auth)
    receiver = Receiver(SECRET.encode())
    assert deliver_due(db_session, settings(), receiver.client(), [webhook_id]).delivered == 0
    put_webhook(client, auth, code, secret=SECRET, event_types=["crossing.released", "crossing.exited"])
    assert deliver_due(db_session, settings(), receiver.client(), [webhook_id]).delivered == 2


def test_another_process_delivering_to_a_partner_is_left_alone(seeded):
    """Two processes: one holds the webhook row (mid-delivery); the other skips that partner instead of posting twice."""
    with Session(seeded) as setup:
        name = unique("KZ-LOCK")
        user = User(name=name, role="partner")
        setup.add(user)
        setup.flush()
        partner = Partner(code=name, name=name, country="KZ", user_id=user.id)
        setup.add(partner)
        setup.flush()
        webhook = Webhook(partner_id=partner.id, url="http://partner.test/hook", event_types=[], secret=SECRET,
                          active=True, cursor_seq=outbox.head(setup))
        setup.add(webhook)
        setup.commit()
        ids = (user.id, partner.id, webhook.id)
    try:
        with Session(seeded) as first, Session(seeded) as second:
            first.execute(text("SELECT id FROM webhooks WHERE id = :id FOR UPDATE"), {"id": ids[2]})
            receiver = Receiver(SECRET.encode())
            assert attempt_next(second, settings(), ids[2], receiver.client()) == Attempt.busy
            first.rollback()
            assert attempt_next(second, settings(), ids[2], receiver.client()) in (Attempt.idle, Attempt.delivered)
            second.rollback()
    finally:
        with Session(seeded) as cleanup:
            cleanup.execute(delete(Delivery).where(Delivery.webhook_id == ids[2]))
            cleanup.execute(delete(Webhook).where(Webhook.id == ids[2]))
            cleanup.execute(delete(Partner).where(Partner.id == ids[1]))
            cleanup.execute(delete(User).where(User.id == ids[0]))
            cleanup.commit()

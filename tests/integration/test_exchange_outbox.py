"""The outbox: each change writes its event in the same transaction, in order, valid against its published schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from chekara.db.models import OutboxEvent
from chekara.domain.exchange import envelope_bytes
from chekara.domain.roles import Actor
from chekara.services import alerts, outbox
from tests.exchange_schemas import assert_valid
from tests.integration.checkpoint_ops_helpers import Desk, ago, read
from tests.integration.exchange_helpers import (
    CHECKPOINT,
    crossing_to_release,
    events_since,
    exit_read,
    transit_into_kyrgyzstan,
    unique,
    unique_plate,
)
from tests.integration.tracking_fixtures import convoy, make_convoy, post  # noqa: F401 - convoy is a fixture

OPERATOR = Actor("test-operator", "operator")


def _valid(events) -> None:
    """Each event, as a partner receives it (the exact bytes, parsed), against its published schema."""
    for event in events:
        assert_valid(event.type, json.loads(envelope_bytes(outbox.envelope(event))))


def test_a_crossing_is_released_then_exits_as_two_events_in_order(client, auth, db_session):
    desk = Desk(client, auth)
    cursor = outbox.head(db_session)
    plate = unique_plate()
    number = unique("EXO-T-")
    crossing_id = crossing_to_release(desk, number, plate, 30_400, seal_ids=["kg-0012 345"])
    exit_read(desk, plate)
    found = events_since(db_session, cursor, "crossing.released", "crossing.exited")
    assert [e.type for e in found] == ["crossing.released", "crossing.exited"]
    assert found[0].seq < found[1].seq and found[0].subject == f"crossing:{crossing_id}"
    released, exited = (e.data for e in found)
    assert released["checkpoint"]["code"] == CHECKPOINT and released["checkpoint"]["neighbour_country"] == "KZ"
    assert released["vehicle_plate"] == plate.replace(" ", "")
    assert released["declaration"]["number"] == number and released["declaration"]["goods"][0]["hs_code"] == "0808108000"
    assert released["weighing"]["gross_kg"] == 30_400 and released["seal_ids"] == ["KG0012345"]
    assert released["released"] is True and released["exited_at"] is None
    assert exited["exited_at"] is not None
    _valid(found)


def test_no_personal_or_commercial_data_leaves(client, auth, db_session):
    desk = Desk(client, auth)
    cursor = outbox.head(db_session)
    plate = unique_plate()
    crossing_to_release(desk, unique("EXO-P-"), plate)
    exit_read(desk, plate)
    text_of_events = json.dumps([e.data for e in events_since(db_session, cursor)])
    for secret in ("Kashgar Fruit Co.", "Bishkek Fresh LLC", "test-officer", "seals intact", "10000.00", "value"):
        assert secret not in text_of_events


def test_an_exit_without_release_is_an_exit_event_and_an_alert_event(client, auth, db_session):
    desk = Desk(client, auth)
    cursor = outbox.head(db_session)
    plate = unique_plate()
    desk.declare(transit_into_kyrgyzstan(unique("EXO-X-"), plate))
    desk.read(read(plate, at=ago(50), checkpoint=CHECKPOINT, camera_id="AKT-CAM-1"))
    exit_read(desk, plate, minutes_ago=20)
    found = events_since(db_session, cursor)
    assert [e.type for e in found] == ["crossing.exited", "alert.raised"]
    assert found[0].data["released"] is False
    assert found[1].data["type"] == "exit_without_release" and found[1].data["plates"] == [plate.replace(" ", "")]
    _valid(found)


def test_alerts_raised_and_resolved_by_a_person_or_the_platform(db_session):
    cursor = outbox.head(db_session)
    at = datetime.now(UTC) - timedelta(minutes=5)
    first = alerts.raise_alert(db_session, type="undeclared_vehicle", subject="exo:1", raised_at=at,
                               evidence={"plate": "01123ABC", "caller": "somebody"})
    alerts.raise_alert(db_session, type="undeclared_vehicle", subject="exo:1", raised_at=at, evidence={"again": 1})
    alerts.resolve(db_session, first.id, OPERATOR, "a note that stays home")
    second = alerts.raise_alert(db_session, type="plate_mismatch", subject="exo:2", raised_at=at, evidence={})
    alerts.end_alert(db_session, type="plate_mismatch", subject="exo:2", ended_at=at + timedelta(minutes=1), evidence={})
    found = events_since(db_session, cursor)
    # Raising the same situation again refreshes the alert: no second event.
    assert [(e.type, e.data["alert_id"]) for e in found] == [
        ("alert.raised", first.id), ("alert.resolved", first.id), ("alert.raised", second.id), ("alert.resolved", second.id),
    ]
    assert found[0].data["plates"] == ["01123ABC"] and "evidence" not in found[0].data
    assert "a note that stays home" not in json.dumps([e.data for e in found])
    assert found[3].occurred_at == at + timedelta(minutes=1)
    _valid(found)


def test_a_rolled_back_change_takes_its_event_with_it(db_session):
    cursor = outbox.head(db_session)
    savepoint = db_session.begin_nested()
    alerts.raise_alert(db_session, type="undeclared_vehicle", subject="exo:rollback", raised_at=datetime.now(UTC), evidence={})
    assert len(events_since(db_session, cursor)) == 1
    savepoint.rollback()
    assert events_since(db_session, cursor) == []


def test_an_event_is_never_rewritten(db_session):
    alerts.raise_alert(db_session, type="undeclared_vehicle", subject="exo:immutable", raised_at=datetime.now(UTC), evidence={})
    seq = outbox.head(db_session)
    savepoint = db_session.begin_nested()
    with pytest.raises(DBAPIError, match="immutable"):
        db_session.execute(text("UPDATE outbox_events SET type = 'x' WHERE seq = :s"), {"s": seq})
    savepoint.rollback()


def test_unknown_types_are_refused(db_session):
    with pytest.raises(ValueError, match="unknown event type"):
        outbox.emit(db_session, "crossing.teleported", {"crossing_id": 1})


def test_ids_are_unique_and_sequences_increase(db_session):
    cursor = outbox.head(db_session)
    for i in range(3):
        alerts.raise_alert(db_session, type="undeclared_vehicle", subject=f"exo:seq{i}", raised_at=datetime.now(UTC), evidence={})
    rows = db_session.scalars(select(OutboxEvent).where(OutboxEvent.seq > cursor).order_by(OutboxEvent.seq)).all()
    assert len({r.event_id for r in rows}) == 3
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)


def test_a_trip_departs_deviates_and_arrives_as_events_in_the_pipeline_transaction(client, auth, db_session):
    cursor = outbox.head(db_session)
    convoy = make_convoy(client, auth, corridor_code="AKTILEK-BISHKEK")
    track = convoy.track().drive(5).drive(6, offset_m=3000).drive(3).to_end(speed_kmh=60).stop(3)
    post(client, auth, track.fixes)
    found = events_since(db_session, cursor)
    types = [e.type for e in found]
    assert types[0] == "trip.departed" and types[-1] == "trip.arrived"
    assert {"alert.raised", "alert.resolved"} <= set(types)  # the route deviation, raised and ended
    departed, arrived = found[0], found[-1]
    assert departed.subject == arrived.subject == f"trip:{convoy.trip_id}"
    assert departed.data["status"] == "in_transit" and departed.data["origin"]["code"] == "AK-TILEK"
    assert arrived.data["status"] == "arrived" and arrived.occurred_at == datetime.fromisoformat(
        arrived.data["arrived_at"].replace("Z", "+00:00"))
    assert departed.data["vehicle_plates"] == ["01123ABC"]
    _valid(found)


def test_a_cancelled_trip_is_closed(client, auth, db_session, convoy):
    cursor = outbox.head(db_session)
    r = client.post(f"/api/v1/trips/{convoy.trip_id}/cancel", json={"reason": "driver ill: Mr Asanov"}, headers=auth("operator"))
    assert r.status_code == 200
    (closed,) = events_since(db_session, cursor, "trip.closed")
    assert closed.data["status"] == "cancelled" and closed.data["cancelled_at"] is not None
    assert "Asanov" not in json.dumps(closed.data)
    _valid([closed])

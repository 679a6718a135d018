"""Transit closure: seen leaving at the exit checkpoint before the deadline, or transit_not_closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from chekara.db.models import Alert
from chekara.services import alerts
from chekara.services.transit_closure import sweep_transit_deadlines
from chekara.domain.roles import Actor
from tests.integration.checkpoint_ops_helpers import NOW, Desk, ago, read, transit


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


def _transit_alerts(db_session) -> list[Alert]:
    return list(db_session.scalars(select(Alert).where(Alert.type == "transit_not_closed").order_by(Alert.id)))


def test_a_transit_past_its_deadline_without_exit_is_alerted_once(desk, db_session, client, auth):
    desk.declare(transit("TR-50"))
    deadline = NOW + timedelta(days=1)
    assert sweep_transit_deadlines(db_session, deadline - timedelta(minutes=1)) == []

    [alert] = sweep_transit_deadlines(db_session, deadline + timedelta(minutes=30))
    db_session.commit()
    assert alert.type == "transit_not_closed" and alert.subject == "declaration:TR-50"
    assert alert.declaration_number == "TR-50" and alert.checkpoint.code == "AK-JOL"
    assert alert.evidence["overdue_min"] == 30.0 and alert.evidence["seen_entering"] is False
    assert alert.raised_at == deadline

    assert sweep_transit_deadlines(db_session, deadline + timedelta(hours=2)) == []
    alerts.resolve(db_session, alert.id, Actor("op", "operator"), "carrier called: truck broke down")
    assert sweep_transit_deadlines(db_session, deadline + timedelta(hours=3)) == []
    listed = client.get("/api/v1/alerts", params={"checkpoint": "AK-JOL", "type": "transit_not_closed"},
                        headers=auth("operator")).json()
    assert [a["declaration_number"] for a in listed] == ["TR-50"]


def test_a_transit_that_leaves_in_time_is_closed_and_never_alerted(desk, db_session, client, auth):
    desk.declare(transit("TR-51"))
    entered = desk.walk_to_release("01 123 ABC", ago(600), ago(590), 30_000)
    assert desk.read(read("01 123 ABC", "exit", at=ago(580)))["alerts"] == []
    cleared = desk.read(read("01 123 ABC", checkpoint="AK-JOL", camera_id="AKJ-1", at=ago(60)))
    assert cleared["crossing"]["direction"] == "outbound" and cleared["crossing"]["declaration_number"] == "TR-51"
    crossing_id = cleared["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh({"checkpoint": "AK-JOL", "plate": "01123ABC", "gross_kg": 30_000,
                "axle_loads_kg": [6_000] * 5, "time": ago(50).isoformat()})
    desk.step(crossing_id, "inspected", notes="seals intact")
    desk.step(crossing_id, "released")
    desk.read(read("01 123 ABC", "exit", checkpoint="AK-JOL", camera_id="AKJ-2", at=ago(30)))

    declared = client.get("/api/v1/declarations/TR-51", headers=auth("callcenter")).json()
    assert declared["status"] == "closed" and declared["transit_closed_at"] is not None
    assert [c["direction"] for c in declared["crossings"]] == ["inbound", "outbound"]
    assert entered == declared["crossings"][0]["id"]
    assert sweep_transit_deadlines(db_session, NOW + timedelta(days=2)) == []
    assert _transit_alerts(db_session) == []


def test_a_transit_that_leaves_after_its_deadline_is_alerted_at_the_exit(desk, db_session):
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    desk.declare(transit("TR-52", declaration_date=yesterday, delivery_deadline=ago(120).isoformat()))
    crossing_id = desk.read(read("01 123 ABC", checkpoint="AK-JOL", camera_id="AKJ-1", at=ago(180)))["crossing"]["id"]
    body = desk.read(read("01 123 ABC", "exit", checkpoint="AK-JOL", camera_id="AKJ-2", at=ago(60)))
    assert body["crossing"]["id"] == crossing_id
    assert sorted(a["type"] for a in body["alerts"]) == ["exit_without_release", "transit_not_closed"]
    [late] = _transit_alerts(db_session)
    assert late.evidence["closed_late"] is True and late.evidence["late_min"] == 60.0
    assert sweep_transit_deadlines(db_session, NOW) == []

"""The crossing procedure over the API: the fixed order, 409s naming the due step, channels, alerts, listing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chekara.db.models import CrossingStep, Finding
from chekara.domain.crossing_procedure import Channel
from chekara.services import audit, channels
from tests.integration.checkpoint_ops_helpers import Desk, ago, declaration, read, weighing


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_crossing_walks_every_step_in_order_and_keeps_its_timeline(desk):
    desk.declare(declaration("IM-20"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]["id"]
    documents = desk.step(crossing_id, "documents_checked", notes="CMR, invoice, phytosanitary certificate")
    assert documents["crossing"]["status"] == "documents_checked"
    assert documents["crossing"]["due_steps"] == ["weighed"]
    weighed = desk.weigh(weighing("01 123 ABC", 32_100, at=ago(40)))  # 7 % over the declared 30,000 kg
    assert [f["kind"] for f in weighed["findings"]] == ["weight_discrepancy"]
    desk.step(crossing_id, "inspected", result="not_found", notes="load matches the invoice")
    released = desk.step(crossing_id, "released")["crossing"]
    assert released["status"] == "released" and released["released_at"] is not None
    exited = desk.read(read("01 123 ABC", "exit", at=ago(10)))
    assert exited["alerts"] == [] and exited["crossing"]["status"] == "exited"

    detail = desk.crossing(crossing_id)
    assert [s["step"] for s in detail["timeline"]] == [
        "arrived", "documents_checked", "weighed", "inspected", "released", "exited",
    ]
    assert [s["role"] for s in detail["timeline"]] == ["device", "officer", "device", "officer", "officer", "device"]
    assert detail["timeline"][1]["notes"] == "CMR, invoice, phytosanitary certificate"
    assert detail["timeline"][2]["details"]["gross_kg"] == 32_100
    assert detail["timeline"][3]["details"] == {"channel": "yellow", "result": "not_found"}
    assert detail["processing_min"] == 50.0 and detail["due_steps"] == []
    assert [f["kind"] for f in detail["findings"]] == ["weight_discrepancy"]
    assert [r["direction"] for r in detail["plate_reads"]] == ["entry", "exit"]
    assert detail["alerts"] == []


@pytest.mark.parametrize(
    "done, attempt, due",
    [
        ([], "released", "documents_checked"),
        ([], "inspected", "documents_checked"),
        (["documents_checked"], "inspected", "weighed"),
        (["documents_checked"], "documents_checked", "weighed"),
        ([], "exited", "documents_checked"),
        ([], "arrived", "documents_checked"),
    ],
)
def test_a_step_out_of_order_is_409_naming_the_step_due(desk, client, auth, db_session, done, attempt, due):
    desk.declare(declaration("IM-21"))
    crossing_id = desk.read(read("01 123 ABC"))["crossing"]["id"]
    for step in done:
        desk.step(crossing_id, step)
    before = (_count(db_session, CrossingStep), audit.count(db_session))
    response = client.post(f"/api/v1/crossings/{crossing_id}/steps/{attempt}", headers=auth("officer"))
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["field"] == "step" and f"the step due is {due}" in error["message"], error
    assert (_count(db_session, CrossingStep), audit.count(db_session)) == before


def test_yellow_may_not_skip_the_inspection_but_green_may(desk, monkeypatch):
    monkeypatch.setattr(channels, "channel_for", lambda session, declaration: Channel.yellow)
    desk.declare(declaration("IM-22"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing(at=ago(40)))
    refused = desk.step(crossing_id, "released", expect=409)
    assert "the step due is inspected" in refused["error"]["message"]
    monkeypatch.setattr(channels, "channel_for", lambda session, declaration: Channel.green)
    assert desk.crossing(crossing_id)["due_steps"] == ["inspected", "released"]
    released = desk.step(crossing_id, "released")["crossing"]
    assert released["status"] == "released" and released["channel"] == "green"
    assert [s["step"] for s in desk.crossing(crossing_id)["timeline"]][-1] == "released"


def test_red_needs_a_result_with_notes_and_a_violation_found_is_a_finding(desk, monkeypatch):
    monkeypatch.setattr(channels, "channel_for", lambda session, declaration: Channel.red)
    desk.declare(declaration("IM-23"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing(at=ago(40)))
    assert desk.step(crossing_id, "inspected", expect=422)["error"]["field"] == "result"
    assert desk.step(crossing_id, "inspected", expect=422, result="found")["error"]["field"] == "notes"
    body = desk.step(crossing_id, "inspected", result="found", notes="40 undeclared boxes of phones behind apples")
    assert body["crossing"]["status"] == "inspected"
    [finding] = [f for f in desk.crossing(crossing_id)["findings"] if f["kind"] == "inspection_found"]
    assert "undeclared boxes" in finding["message"]
    declared = desk.client.get("/api/v1/declarations/IM-23", headers=desk.auth("callcenter")).json()
    assert "inspection_found" in [f["kind"] for f in declared["findings"]]


def test_an_undeclared_vehicle_is_linked_at_the_documents_check(desk, client, auth):
    crossing_id = desk.read(read("01 123 ABC"))["crossing"]["id"]  # filed after the vehicle arrived
    desk.declare(declaration("IM-24"))
    missing = desk.step(crossing_id, "documents_checked", expect=422)
    assert missing["error"]["field"] == "declaration_number"
    unknown = desk.step(crossing_id, "documents_checked", expect=422, declaration_number="NOPE-1")
    assert unknown["error"]["field"] == "declaration_number"
    body = desk.step(crossing_id, "documents_checked", declaration_number="im-24")
    assert body["crossing"]["declaration_number"] == "IM-24" and body["crossing"]["direction"] == "inbound"
    assert body["alerts"] == []
    [alert] = client.get("/api/v1/alerts", params={"type": "undeclared_vehicle"}, headers=auth("operator")).json()
    assert alert["status"] == "resolved" and alert["evidence"]["declaration_number"] == "IM-24"
    unknown = desk.step(crossing_id, "weighed", expect=409)  # the weighbridge records it, not a person
    assert "POST /api/v1/weighings" in unknown["error"]["message"]


def test_documents_of_another_vehicle_raise_plate_mismatch(desk, client, auth):
    desk.declare(declaration("IM-25", vehicle_plate="08 555 XYZ", trailer_plate=None))
    crossing_id = desk.read(read("01 123 ABC"))["crossing"]["id"]
    body = desk.step(crossing_id, "documents_checked", declaration_number="IM-25")
    [alert] = body["alerts"]
    assert alert["type"] == "plate_mismatch"
    assert alert["evidence"]["plate_as_read"] == "01123ABC" and alert["evidence"]["declared_vehicle_plate"] == "08555XYZ"
    listed = client.get("/api/v1/alerts", params={"checkpoint": "TORUGART", "type": "plate_mismatch"},
                        headers=auth("supervisor")).json()
    assert [a["declaration_number"] for a in listed] == ["IM-25"]


def test_a_crossing_already_carrying_a_declaration_keeps_it(desk):
    desk.declare(declaration("IM-26"))
    desk.declare(declaration("IM-27", vehicle_plate="08 555 XYZ", trailer_plate=None))
    crossing_id = desk.read(read("01 123 ABC"))["crossing"]["id"]
    conflict = desk.step(crossing_id, "documents_checked", expect=409, declaration_number="IM-27")
    assert conflict["error"]["field"] == "declaration_number"


def test_without_a_weighbridge_the_officer_records_how_the_weight_was_verified(desk):
    desk.declare(declaration("EX-1", kind="export", entry_checkpoint=None, exit_checkpoint="TOKMOK",
                             dispatch_country="KG", destination_country="KZ"))
    crossing_id = desk.read(read("01 123 ABC", checkpoint="TOKMOK", camera_id="TOK-1"))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    assert desk.step(crossing_id, "weighed", expect=422)["error"]["field"] == "notes"
    body = desk.step(crossing_id, "weighed", notes="weight taken from the loading certificate")
    assert body["crossing"]["status"] == "weighed" and body["crossing"]["direction"] == "outbound"


def test_an_officer_may_close_a_released_crossing_and_the_late_camera_read_joins_it(desk, db_session):
    desk.declare(declaration("IM-28"))
    crossing_id = desk.walk_to_release("01 123 ABC", ago(60), ago(45), 30_000)
    desk.step(crossing_id, "exited", notes="camera 2 out of order")
    late = desk.read(read("01 123 ABC", "exit", at=ago(0)))
    assert late["crossing"]["id"] == crossing_id and late["alerts"] == []
    assert _count(db_session, CrossingStep) == 6


def test_unknown_steps_and_crossings(desk, client, auth):
    desk.declare(declaration("IM-29"))
    crossing_id = desk.read(read("01 123 ABC"))["crossing"]["id"]
    assert desk.step(crossing_id, "teleported", expect=422)["error"]["field"] == "step"
    response = client.post("/api/v1/crossings/999999/steps/released", headers=auth("officer"))
    assert response.status_code == 404 and response.json()["error"]["field"] == "id"
    assert client.get("/api/v1/crossings/999999", headers=auth("operator")).status_code == 404
    result_on_release = desk.step(crossing_id, "documents_checked", expect=422, result="found")
    assert result_on_release["error"]["field"] == "result"
    assert client.post(f"/api/v1/crossings/{crossing_id}/steps/documents_checked",
                       headers=auth("device")).status_code == 403


def test_crossings_are_listed_by_checkpoint_status_plate_in_any_spelling_and_date(desk, client, auth):
    desk.declare(declaration("IM-30"))
    first = desk.read(read("01 123 ABC"))["crossing"]["id"]
    second = desk.read(read("08 555 XYZ", checkpoint="DOSTUK", camera_id="DOS-1"))["crossing"]["id"]
    desk.step(first, "documents_checked")

    def ids(**params) -> list[int]:
        response = client.get("/api/v1/crossings", params=params, headers=auth("callcenter"))
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    assert set(ids()) >= {first, second}
    assert ids(checkpoint="torugart") == [first]
    assert ids(status="documents_checked") == [first]
    assert ids(status="arrived") == [second]
    assert ids(plate="01-123-авс") == [first]
    assert ids(plate="KG 01 123 ABC") == [first]
    today = ago(60).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Bishkek")).date()
    assert set(ids(date=today.isoformat())) == {first, second}
    assert ids(date="2001-01-01") == []
    bad = client.get("/api/v1/crossings", params={"plate": "\x01"}, headers=auth("callcenter"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "plate"
    bad_status = client.get("/api/v1/crossings", params={"status": "lost"}, headers=auth("callcenter"))
    assert bad_status.status_code == 422 and bad_status.json()["error"]["field"] == "status"


def test_every_step_is_audited(desk, db_session):
    desk.declare(declaration("IM-31"))
    desk.auth("device")  # issuing a token is audited too: count after it
    before = audit.count(db_session)
    crossing_id = desk.walk_to_release("01 123 ABC", ago(60), ago(45), 30_000)
    # read + crossing opened + arrived, documents, weighing + weighed, inspected, released
    assert audit.count(db_session) - before == 8
    assert _count(db_session, Finding) == 0 and crossing_id > 0


def test_the_newest_declaration_of_a_vehicle_is_the_one_it_carries(desk):
    desk.declare(declaration("IM-32", declaration_date=ago(60 * 24 * 3).date().isoformat()))
    desk.declare(declaration("IM-33"))
    first = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]
    assert first["declaration_number"] == "IM-33"
    desk.read(read("01 123 ABC", "exit", at=ago(50)))  # turned back before release
    again = desk.read(read("01 123 ABC", at=ago(40)))["crossing"]
    assert again["id"] != first["id"] and again["declaration_number"] == "IM-33"

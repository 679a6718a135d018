"""Plate reads: stored raw and normalised, matched to declarations and crossings, alerts, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chekara.db.models import Alert, Crossing, CrossingStep, PlateRead
from chekara.services import audit
from tests.integration.checkpoint_ops_helpers import NOW, Desk, ago, declaration, read


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def _alerts(client, auth, **params) -> list[dict]:
    response = client.get("/api/v1/alerts", params=params, headers=auth("operator"))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_cyrillic_read_opens_the_crossing_of_its_declaration(desk, client, auth):
    desk.declare(declaration("IM-10"))
    body = desk.read(read("01 123 АВС"))  # Cyrillic А, В, С
    assert body["plate_text"] == "01 123 АВС" and body["plate"] == "01123ABC"
    assert body["plate_country"] == "KG" and body["plate_format"] == "kg_2010"
    assert body["match_kind"] == "exact" and body["match_confidence"] == 1.0
    crossing = body["crossing"]
    assert crossing["status"] == "arrived" and crossing["declaration_number"] == "IM-10"
    assert crossing["direction"] == "inbound" and crossing["due_steps"] == ["documents_checked"]
    assert body["alerts"] == []
    assert _alerts(client, auth, checkpoint="TORUGART") == []


def test_an_ocr_confused_read_is_a_probable_match_never_an_exact_one(desk):
    desk.declare(declaration("IM-11"))
    body = desk.read(read("O1 I23 ABC"))  # O for 0, I for 1
    assert body["plate"] == "O1I23ABC"
    assert body["match_kind"] == "probable" and body["match_confidence"] == pytest.approx(0.7)
    crossing = body["crossing"]
    assert crossing["plate"] == "01123ABC" and crossing["plate_as_read"] == "O1I23ABC"
    assert crossing["plate_match_kind"] == "probable" and crossing["declaration_number"] == "IM-11"


def test_a_read_of_another_plate_is_not_matched_and_raises_undeclared_vehicle(desk, client, auth):
    desk.declare(declaration("IM-12"))
    body = desk.read(read("01 123 ABD"))  # D where the declaration has C: another plate, not a misread
    assert body["match_kind"] is None and body["crossing"]["declaration_number"] is None
    assert body["crossing"]["direction"] == "unknown"
    [alert] = body["alerts"]
    assert alert["type"] == "undeclared_vehicle" and alert["evidence"]["plate"] == "01123ABD"
    listed = _alerts(client, auth, checkpoint="TORUGART", type="undeclared_vehicle")
    assert [a["id"] for a in listed] == [alert["id"]]
    assert listed[0]["device_id"] == "TOR-CAM-1" and listed[0]["checkpoint"] == "TORUGART"


def test_the_same_read_twice_is_stored_once(desk, db_session):
    desk.declare(declaration("IM-13"))
    first = desk.read(read("01 123 ABC", at=ago(30)))
    again = desk.read(read("01 123 abc", at=ago(30)), expect=200)
    assert again["id"] == first["id"] and again["outcome"] == "duplicate"
    assert again["crossing"]["id"] == first["crossing"]["id"]
    assert _count(db_session, PlateRead) == 1 and _count(db_session, Crossing) == 1


def test_a_second_camera_and_the_trailer_plate_join_the_open_crossing(desk, db_session):
    desk.declare(declaration("IM-14"))
    first = desk.read(read("01 123 ABC", at=ago(30)))
    rear = desk.read(read("01 456 ABD", at=ago(29), camera_id="TOR-CAM-REAR"))
    assert rear["crossing"]["id"] == first["crossing"]["id"] and rear["alerts"] == []
    assert _count(db_session, Crossing) == 1


def test_an_exit_before_release_closes_the_crossing_and_raises_exit_without_release(desk, client, auth):
    desk.declare(declaration("IM-15"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(30)))["crossing"]["id"]
    body = desk.read(read("01 123 ABC", "exit", at=ago(5)))
    assert body["crossing"]["id"] == crossing_id and body["crossing"]["status"] == "exited"
    [alert] = body["alerts"]
    assert alert["type"] == "exit_without_release"
    assert alert["evidence"]["last_step"] == "arrived" and alert["evidence"]["inside_min"] == 25.0
    listed = _alerts(client, auth, checkpoint="TORUGART", type="exit_without_release")
    assert listed[0]["declaration_number"] == "IM-15"
    detail = desk.crossing(crossing_id)
    assert [s["step"] for s in detail["timeline"]] == ["arrived", "exited"]
    assert detail["timeline"][1]["details"]["released"] is False
    assert detail["processing_min"] == 25.0 and [a["type"] for a in detail["alerts"]] == ["exit_without_release"]


def test_a_vehicle_seen_leaving_but_never_entering_raises_an_alert(desk):
    body = desk.read(read("08 777 XYZ", "exit", at=ago(5)))
    assert body["crossing"] is None
    [alert] = body["alerts"]
    assert alert["type"] == "exit_without_release" and alert["evidence"]["reason"] == "seen leaving, never seen entering"


def test_a_read_at_an_unrelated_checkpoint_does_not_use_the_declaration(desk):
    desk.declare(declaration("IM-16"))
    body = desk.read(read("01 123 ABC", checkpoint="DOSTUK", camera_id="DOS-CAM-1"))
    assert body["crossing"]["declaration_number"] is None
    assert [a["type"] for a in body["alerts"]] == ["undeclared_vehicle"]


BAD = [
    ({"checkpoint": "NOWHERE"}, "checkpoint"),
    ({"plate": ""}, "plate"),
    ({"plate": "   "}, "plate"),
    ({"plate": "01 123 ABC 01 123 ABC"}, "plate"),
    ({"plate": "01\x00123ABC"}, "plate"),
    ({"plate": "01\n123 ABC"}, "plate"),
    ({"lane": 5}, "lane"),  # Torugart has 4 lanes
    ({"lane": 0}, "lane"),
    ({"confidence": 1.5}, "confidence"),
    ({"direction": "sideways"}, "direction"),
    ({"time": (NOW + timedelta(hours=1)).isoformat()}, "time"),
    ({"time": "2026-01-05T10:00:00"}, "time"),  # no time zone
    ({"camera_id": ""}, "camera_id"),
]


@pytest.mark.parametrize("change, field", BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_reads_name_the_field_and_write_nothing(client, auth, db_session, change, field):
    auth("device")
    before = (_count(db_session, PlateRead), _count(db_session, Crossing), _count(db_session, Alert),
              audit.count(db_session))
    response = client.post("/api/v1/plate-reads", json=read("01 123 ABC") | change, headers=auth("device"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    after = (_count(db_session, PlateRead), _count(db_session, Crossing), _count(db_session, Alert),
             audit.count(db_session))
    assert after == before


def test_an_exit_read_before_the_entry_is_refused_whole(desk, client, auth, db_session):
    desk.declare(declaration("IM-17"))
    desk.read(read("01 123 ABC", at=ago(30)))
    before = (_count(db_session, PlateRead), _count(db_session, CrossingStep), audit.count(db_session))
    response = client.post("/api/v1/plate-reads", json=read("01 123 ABC", "exit", at=ago(40)), headers=auth("device"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "time"
    assert (_count(db_session, PlateRead), _count(db_session, CrossingStep), audit.count(db_session)) == before


def test_officers_may_post_reads_and_others_may_not(client, auth):
    assert client.post("/api/v1/plate-reads", json=read("01 999 ZZZ"), headers=auth("officer")).status_code == 201
    assert client.post("/api/v1/plate-reads", json=read("01 998 ZZZ"), headers=auth("callcenter")).status_code == 403


def test_an_exit_read_as_near_to_the_entry_misread_as_to_the_declared_plate_closes_that_crossing(desk, client, auth):
    # The entry camera read O as D (another plate: no format takes it back); the officer linked the declaration.
    desk.declare(declaration("IM-30", vehicle_plate="01 123 AOC", trailer_plate="01 777 XYZ"))
    entered = desk.read(read("01 123 ADC", at=ago(40)))
    crossing_id = entered["crossing"]["id"]
    assert entered["match_kind"] is None and [a["type"] for a in entered["alerts"]] == ["undeclared_vehicle"]
    desk.step(crossing_id, "documents_checked", declaration_number="IM-30")
    # The exit camera reads a 0 there: one correction from both of the crossing's plates, one vehicle's.
    left = desk.read(read("01 123 A0C", direction="exit", at=ago(10)))
    assert left["crossing"]["id"] == crossing_id and left["crossing"]["status"] == "exited"
    assert "seen leaving, never seen entering" not in [a["evidence"].get("reason") for a in left["alerts"]]

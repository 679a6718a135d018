"""Weighings: findings with their numbers, kept on crossing and declaration; order, duplicates, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chekara.db.models import CrossingStep, Finding, Weighing
from chekara.services import audit
from tests.integration.checkpoint_ops_helpers import Desk, ago, declaration, read, weighing


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


@pytest.fixture
def at_weighbridge(desk) -> int:
    """A declared vehicle inside Torugart with its documents checked: the weighing is due."""
    desk.declare(declaration("IM-40"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    return crossing_id


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def _state(db_session) -> tuple[int, ...]:
    return (_count(db_session, Weighing), _count(db_session, Finding), _count(db_session, CrossingStep),
            audit.count(db_session))


def test_a_seven_percent_discrepancy_is_a_finding_with_its_numbers(desk, at_weighbridge):
    body = desk.weigh(weighing("01 123 ABC", 32_100, weighbridge_id="TOR-WB-1"))
    assert body["outcome"] == "created" and body["declared_gross_kg"] == 30_000
    [finding] = body["findings"]
    assert finding["kind"] == "weight_discrepancy"
    assert finding["evidence"] == {
        "measured_gross_kg": 32_100, "declared_gross_kg": 30_000, "difference_kg": 2_100,
        "difference_pct": "7.00", "threshold_pct": "5",
    }
    assert body["crossing"]["id"] == at_weighbridge and body["crossing"]["status"] == "weighed"
    declared = desk.client.get("/api/v1/declarations/IM-40", headers=desk.auth("callcenter")).json()
    assert [f["kind"] for f in declared["findings"]] == ["weight_discrepancy"]
    assert declared["findings"][0]["crossing_id"] == at_weighbridge


def test_within_five_percent_there_is_no_finding(desk, at_weighbridge):
    assert desk.weigh(weighing("01 123 ABC", 31_500))["findings"] == []  # exactly 5 %: not more than 5 %


def test_overweight_gross_and_axles_against_the_table(desk, at_weighbridge):
    body = desk.weigh(weighing(
        "01 123 ABC", 46_500, axle_loads_kg=[7_500, 11_000, 9_500, 9_000, 9_500],
        axle_classes=["single", "single", "tandem", "tandem", "single"],
    ))
    kinds = [f["kind"] for f in body["findings"]]
    assert kinds == ["overweight_gross", "overweight_axle", "overweight_axle", "overweight_axle", "weight_discrepancy"]
    gross, axle2, axle3, axle4, _ = (f["evidence"] for f in body["findings"])
    assert gross == {"gross_kg": 46_500, "limit_kg": 44_000, "excess_kg": 2_500}
    assert axle2 == {"axle": 2, "axle_class": "single", "load_kg": 11_000, "limit_kg": 10_000, "excess_kg": 1_000}
    assert axle3["limit_kg"] == 8_000 and axle3["excess_kg"] == 1_500
    assert axle4["axle"] == 4 and axle4["excess_kg"] == 1_000


def test_the_same_weighing_twice_is_stored_once_and_a_different_one_conflicts(desk, db_session, at_weighbridge):
    first = desk.weigh(weighing("01 123 ABC", 30_000, at=ago(40)))
    again = desk.weigh(weighing("01-123-abc", 30_000, at=ago(40)), expect=200)
    assert again["id"] == first["id"] and again["outcome"] == "duplicate"
    assert _count(db_session, Weighing) == 1
    conflict = desk.weigh(weighing("01 123 ABC", 31_000, at=ago(40)), expect=409)
    assert conflict["error"]["field"] == "time"


def test_a_weighing_before_the_documents_check_is_409_naming_it(desk, db_session):
    desk.declare(declaration("IM-41"))
    desk.read(read("01 123 ABC", at=ago(60)))
    before = _state(db_session)
    body = desk.weigh(weighing(), expect=409)
    assert body["error"]["field"] == "step" and "the step due is documents_checked" in body["error"]["message"]
    assert _state(db_session) == before


def test_a_weighing_of_a_vehicle_not_inside_is_409(desk):
    body = desk.weigh(weighing("08 555 XYZ"), expect=409)
    assert body["error"]["field"] == "plate" and "no vehicle" in body["error"]["message"]


def test_a_misread_plate_at_the_weighbridge_still_finds_the_vehicle(desk, at_weighbridge):
    body = desk.weigh(weighing("01 I23 A8C", 30_000))
    assert body["crossing"]["id"] == at_weighbridge


def test_a_vehicle_opened_by_a_misread_no_declaration_took_back_is_weighed_by_its_true_plate(desk):
    # another truck than the declared one, misread at the entry camera: 47 743 LA8 fits no format
    desk.declare(declaration("IM-42", vehicle_plate="01 123 ABC"))
    crossing = desk.read(read("47 743 LA8", at=ago(60)))["crossing"]
    assert crossing["plate"] == "47743LA8" and crossing["declaration_number"] is None
    desk.step(crossing["id"], "documents_checked", declaration_number="IM-42")
    body = desk.weigh(weighing("47 743 LAB", 30_000))
    assert body["crossing"]["id"] == crossing["id"]
    # a plate the misread cannot stand for still finds no vehicle
    assert desk.weigh(weighing("47 743 LAC", 30_000, at=ago(20)), expect=409)["error"]["field"] == "plate"


BAD = [
    ({"gross_kg": 0}, "gross_kg"),
    ({"gross_kg": -30_000}, "gross_kg"),
    ({"gross_kg": 200_000, "axle_loads_kg": [40_000] * 5}, "gross_kg"),
    ({"gross_kg": 30_000, "axle_loads_kg": [6_000] * 4}, "axle_loads_kg"),  # adds up to 24 t
    ({"axle_loads_kg": [6_000]}, "axle_loads_kg"),
    ({"axle_loads_kg": [60_000, -30_000, 0, 0, 0]}, "axle_loads_kg.0"),
    ({"axle_classes": ["single", "quad", "single", "single", "single"]}, "axle_classes.1"),
    ({"axle_classes": ["single"]}, "axle_classes"),
    ({"gross_kg": "heavy"}, "gross_kg"),
    ({"checkpoint": "NOWHERE"}, "checkpoint"),
    ({"plate": ""}, "plate"),
    ({"plate": "01\x1b123ABC"}, "plate"),
    ({"time": "yesterday"}, "time"),
]


@pytest.mark.parametrize("change, field", BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_weighings_name_the_field_and_write_nothing(client, auth, db_session, at_weighbridge, change, field):
    before = _state(db_session)
    response = client.post("/api/v1/weighings", json=weighing() | change, headers=auth("device"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert _state(db_session) == before

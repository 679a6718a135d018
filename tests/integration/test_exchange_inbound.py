"""Pre-arrival notices: matched to the entry read, checked against our weighing and seals, swept when not arriving."""

from __future__ import annotations

from datetime import timedelta

from chekara.services.exchange.notices import sweep_not_arrived
from chekara.services.sweeper import sweep
from tests.integration.checkpoint_ops_helpers import NOW, Desk, ago, read, weighing
from tests.integration.exchange_helpers import (
    CHECKPOINT,
    register_partner,
    transit_into_kyrgyzstan,
    unique,
    unique_plate,
)


def notice(plate: str, **over) -> dict:
    return {
        "notice_id": unique("KZ-PAN-"), "checkpoint": CHECKPOINT, "vehicle_plate": plate,
        "declaration_number": unique("KZ-DECL-"), "departed_at": ago(120).isoformat(),
        "expected_at": ago(70).isoformat(), "gross_kg": 30_000, "seal_ids": ["KZ-0012345"],
        "goods": [{"hs_code": "0808108000", "description": "Fresh apples", "gross_kg": 18000}],
    } | over


def announce(client, partner, body: dict, expect: int = 201) -> dict:
    r = client.post("/api/v1/exchange/inbound", json=body, headers=partner.headers)
    assert r.status_code == expect, r.text
    return r.json()


def arrive(desk: Desk, plate: str, plate_as_read: str | None = None, minutes_ago: float = 60) -> int:
    desk.declare(transit_into_kyrgyzstan(unique("EXI-"), plate))
    entry = desk.read(read(plate_as_read or plate, at=ago(minutes_ago), checkpoint=CHECKPOINT, camera_id="AKT-CAM-1"))
    return entry["crossing"]["id"]


def findings_of(desk: Desk, crossing_id: int, kind: str) -> list[dict]:
    return [f for f in desk.crossing(crossing_id)["findings"] if f["kind"] == kind]


def test_a_notice_is_matched_to_the_entry_read_of_its_vehicle(client, auth):
    partner = register_partner(client, auth)
    plate = unique_plate()
    stored = announce(client, partner, notice(plate.lower()))
    assert stored["status"] == "announced" and stored["vehicle_plate"] == plate.replace(" ", "") and stored["outcome"] == "created"
    assert stored["seal_ids"] == ["KZ0012345"]
    desk = Desk(client, auth)
    crossing_id = arrive(desk, plate, plate_as_read=plate.replace("0", "O", 1))  # an OCR confusion
    (mine,) = [n for n in client.get("/api/v1/exchange/inbound", headers=partner.headers).json() if n["id"] == stored["id"]]
    assert mine["status"] == "arrived" and mine["crossing_id"] == crossing_id and mine["match_kind"] == "probable"
    assert mine["arrived_at"] is not None


def test_resending_a_notice_is_idempotent_and_changing_it_is_refused(client, auth):
    partner = register_partner(client, auth)
    body = notice(unique_plate())
    first = announce(client, partner, body)
    again = announce(client, partner, body, expect=200)
    assert again["id"] == first["id"] and again["outcome"] == "duplicate"
    changed = announce(client, partner, body | {"gross_kg": 31_000}, expect=409)
    assert changed["error"]["field"] == "notice_id"
    other = register_partner(client, auth)  # another partner may use the same id of its own
    assert announce(client, other, body)["id"] != first["id"]


def test_a_bad_notice_names_its_field(client, auth):
    partner = register_partner(client, auth)
    plate = unique_plate()
    cases = [
        ({"checkpoint": "NOWHERE"}, "checkpoint"),
        ({"vehicle_plate": "!!!"}, "vehicle_plate"),
        ({"expected_at": "2026-05-02T10:00:00"}, "expected_at"),
        ({"departed_at": (NOW + timedelta(days=3)).isoformat()}, "departed_at"),
        ({"seal_ids": ["--"]}, "seal_ids.0"),
        ({"gross_kg": 0}, "gross_kg"),
        ({"consignee": "Mr Somebody"}, "consignee"),
    ]
    for change, field in cases:
        r = client.post("/api/v1/exchange/inbound", json=notice(plate) | change, headers=partner.headers)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["error"]["field"].endswith(field), (change, r.json())


def test_our_weighing_beyond_the_tolerance_of_the_partners_is_a_finding(client, auth):
    partner = register_partner(client, auth)
    desk = Desk(client, auth)
    results = {}
    for measured in (31_500, 31_600):  # exactly 5 % over the partner's 30,000 kg: within; 5.33 %: beyond
        plate = unique_plate()
        announce(client, partner, notice(plate))
        crossing_id = arrive(desk, plate)
        desk.step(crossing_id, "documents_checked")
        weighed = desk.weigh(weighing(plate, measured, at=ago(50), checkpoint=CHECKPOINT))
        results[measured] = (crossing_id, weighed)
    crossing_id, weighed = results[31_500]
    assert findings_of(desk, crossing_id, "partner_weight_mismatch") == []
    crossing_id, weighed = results[31_600]
    (finding,) = findings_of(desk, crossing_id, "partner_weight_mismatch")
    assert finding["evidence"]["partner_gross_kg"] == 30_000 and finding["evidence"]["measured_gross_kg"] == 31_600
    assert finding["evidence"]["difference_pct"] == "5.33" and finding["evidence"]["tolerance_pct"] == "5"
    assert finding["evidence"]["partner"] == partner.code and finding["weighing_id"] == weighed["id"]
    assert "partner_weight_mismatch" in [f["kind"] for f in weighed["findings"]]  # in the weighbridge's answer too


def test_seals_that_differ_from_the_partners_are_a_finding(client, auth):
    partner = register_partner(client, auth)
    desk = Desk(client, auth)
    same, other = unique_plate(), unique_plate()
    for plate in (same, other):
        announce(client, partner, notice(plate, seal_ids=["KZ-0012345", "KZ-0012346"]))
    same_id, other_id = arrive(desk, same), arrive(desk, other)
    desk.step(same_id, "documents_checked", seal_ids=["kz 0012346", "kz 0012345"])
    desk.step(other_id, "documents_checked", seal_ids=["KZ-0012345", "KG-7777777"])
    assert findings_of(desk, same_id, "partner_seal_mismatch") == []
    (finding,) = findings_of(desk, other_id, "partner_seal_mismatch")
    assert finding["evidence"]["missing"] == ["KZ0012346"] and finding["evidence"]["unexpected"] == ["KG7777777"]
    timeline = desk.crossing(other_id)["timeline"]
    assert timeline[1]["details"]["seal_ids"] == ["KZ0012345", "KG7777777"]
    desk.weigh(weighing(same, 30_000, at=ago(50), checkpoint=CHECKPOINT))
    refused = client.post(f"/api/v1/crossings/{same_id}/steps/inspected", headers=auth("officer"),
                          json={"result": "not_found", "notes": "ok", "seal_ids": ["KZ1"]})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "seal_ids"  # seals go with the documents


def test_a_vehicle_that_never_arrives_raises_announced_not_arrived(client, auth, db_session):
    partner = register_partner(client, auth)
    plate = unique_plate()
    late = announce(client, partner, notice(plate, expected_at=ago(60 * 3 + 5).isoformat(), departed_at=ago(300).isoformat()))
    fresh = announce(client, partner, notice(unique_plate(), expected_at=ago(60 * 3 - 5).isoformat(),
                                             departed_at=ago(300).isoformat()))
    sweep(db_session, NOW, get_thresholds())
    db_session.commit()
    alerts = client.get("/api/v1/alerts", params={"type": "announced_not_arrived", "checkpoint": CHECKPOINT},
                        headers=auth("operator")).json()
    (alert,) = [a for a in alerts if a["evidence"]["pre_arrival_notice_id"] == late["id"]]
    assert alert["status"] == "open" and alert["checkpoint"] == CHECKPOINT
    assert alert["declaration_number"] == late["declaration_number"]
    assert alert["evidence"]["vehicle_plate"] == plate.replace(" ", "") and alert["evidence"]["window_min"] == 180
    assert not [a for a in alerts if a["evidence"]["pre_arrival_notice_id"] == fresh["id"]]
    assert sweep_not_arrived(db_session, NOW) == []  # raised once

    # It turns up after all: matched, and the alert ends by itself.
    desk = Desk(client, auth)
    arrive(desk, plate, minutes_ago=1)
    (mine,) = [n for n in client.get("/api/v1/exchange/inbound", params={"status": "arrived"}, headers=partner.headers).json()
               if n["id"] == late["id"]]
    assert mine["alerted_at"] is not None
    ended = client.get(f"/api/v1/alerts/{alert['id']}", headers=auth("operator")).json()
    assert ended["status"] == "resolved" and ended["evidence"]["crossing_id"] == mine["crossing_id"]


def test_a_notice_for_a_vehicle_already_inside_is_matched_and_checked_at_once(client, auth):
    partner = register_partner(client, auth)
    desk = Desk(client, auth)
    plate = unique_plate()
    crossing_id = arrive(desk, plate)
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing(plate, 33_000, at=ago(50), checkpoint=CHECKPOINT))
    stored = announce(client, partner, notice(plate))
    assert stored["status"] == "arrived" and stored["crossing_id"] == crossing_id
    assert len(findings_of(desk, crossing_id, "partner_weight_mismatch")) == 1


def test_staff_see_every_notice_and_a_partner_only_its_own(client, auth):
    first, second = register_partner(client, auth), register_partner(client, auth)
    a = announce(client, first, notice(unique_plate()))
    b = announce(client, second, notice(unique_plate()))
    seen_by_first = {n["id"] for n in client.get("/api/v1/exchange/inbound", headers=first.headers).json()}
    assert a["id"] in seen_by_first and b["id"] not in seen_by_first
    seen_by_operator = {n["id"] for n in client.get("/api/v1/exchange/inbound", headers=auth("operator")).json()}
    assert {a["id"], b["id"]} <= seen_by_operator


def get_thresholds():
    from chekara.config import get_settings

    return get_settings().detection_thresholds()

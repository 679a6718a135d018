"""Risk end to end: a declaration's verdict follows the evidence from the road and the weighbridge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chekara.domain.risk import random_draw
from chekara.services.risk_ruleset import ruleset
from tests.integration.checkpoint_ops_helpers import Desk, ago, read, transit, weighing
from tests.tracks import TrackBuilder


def _not_drawn(prefix: str) -> str:
    """A declaration number the random selection leaves alone, so the test sees only the rules."""
    r = ruleset().random
    return next(n for n in (f"{prefix}-{i:04d}" for i in range(1000)) if random_draw(r.seed, n) >= r.rate)


def _convoy(client, auth, number: str) -> TrackBuilder:
    """A trip for the declaration on the Torugart – Ak-Jol corridor, driven from Torugart."""
    auth("device")
    truck = f"RISK-{number}"
    assert client.post("/api/v1/devices", json={"device_id": truck, "owner": "test-device"}, headers=auth("operator")).status_code == 201
    corridor = client.get("/api/v1/corridors/AKJOL-TORUGART", headers=auth("operator")).json()
    start = datetime.now(UTC) - timedelta(hours=3)
    r = client.post("/api/v1/trips", headers=auth("operator"), json={
        "declaration_number": number, "vehicle_plates": ["01 123 ABC"], "devices": [{"device_id": truck, "role": "vehicle"}],
        "origin": "TORUGART", "destination": "AK-JOL", "corridor": "AKJOL-TORUGART",
        "planned_departure": start.isoformat(), "deadline": (start + timedelta(days=1)).isoformat(),
    })
    assert r.status_code == 201, r.text
    return TrackBuilder(list(reversed(corridor["geometry"]["coordinates"])), start, truck)


def _post(client, auth, fixes):
    r = client.post("/api/v1/positions", json=fixes, headers=auth("device"))
    assert r.status_code == 200 and not r.json()["rejected"], r.text


def _risk(client, auth, number):
    r = client.get(f"/api/v1/declarations/{number}/risk", headers=auth("officer"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_clean_declaration_whose_convoy_keeps_its_corridor_is_green(client, auth):
    desk, number = Desk(client, auth), _not_drawn("TR-CLEAN")
    desk.declare(transit(number))
    crossing_id = desk.read(read("01 123 ABC", at=ago(200)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing("01 123 ABC", 30_300, at=ago(190)))  # +1 %: within tolerance
    _post(client, auth, _convoy(client, auth, number).drive(20).fixes)
    verdict = _risk(client, auth, number)
    assert verdict["channel"] == "green" and verdict["hits"] == [] and verdict["score"] == 0
    assert verdict["ruleset_version"] == ruleset().version


def test_weight_discrepancy_and_route_deviation_make_it_red_with_the_numbers(client, auth, db_session):
    desk, number = Desk(client, auth), _not_drawn("TR-BAD")
    desk.declare(transit(number))
    assert _risk(client, auth, number)["channel"] == "green"
    crossing_id = desk.read(read("01 123 ABC", at=ago(200)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing("01 123 ABC", 32_100, at=ago(190)))  # 7 % over the declared 30,000 kg
    assert _risk(client, auth, number)["channel"] == "yellow"
    _post(client, auth, _convoy(client, auth, number).drive(10).drive(10, offset_m=3000).drive(5).fixes)

    verdict = _risk(client, auth, number)
    assert verdict["channel"] == "red" and verdict["score"] == 75
    reasons = {h["rule"]: h["reason"] for h in verdict["hits"]}
    assert reasons["weight_discrepancy"] == "measured 32,100 kg vs declared 30,000 kg: +7.0 %"
    assert reasons["route_deviation"].startswith("left the corridor by up to 3.0 km for ")
    # A new verdict whenever the evidence changes it (the deviation's numbers grow while it lasts);
    # the channel went green -> yellow -> red, each change caused by the evidence that arrived.
    firsts = {}
    for h in verdict["history"]:
        firsts.setdefault(h["channel"], h["trigger"])
    assert firsts == {"green": "declaration", "yellow": "weighing", "red": "alert"}
    assert list(firsts) == ["green", "yellow", "red"]

    changes = client.get(f"/api/v1/audit?entity_type=declaration&entity_id={number}", headers=auth("admin")).json()
    assert [(c["change"]["from"], c["change"]["to"]) for c in changes if c["action"] == "channel"] == [
        ("yellow", "red"), ("green", "yellow"), (None, "green"),
    ]
    queue = client.get("/api/v1/risk/queue?channel=red", headers=auth("officer")).json()
    assert number in [q["declaration_number"] for q in queue]
    # The crossing now needs a physical inspection with a recorded result.
    assert desk.crossing(crossing_id)["due_steps"] == ["inspected"]


def test_history_is_never_rewritten(client, auth, db_session):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    Desk(client, auth).declare(transit(_not_drawn("TR-HIST")))
    with pytest.raises(DBAPIError, match="append-only"):
        with db_session.begin_nested():
            db_session.execute(text("UPDATE risk_assessments SET channel = 'green'"))


def test_effectiveness_counts_red_selections_and_what_inspections_found(client, auth):
    desk = Desk(client, auth)
    outcomes = {}
    for i, (found, gross) in enumerate([(True, 32_100), (False, 32_400)]):
        number = _not_drawn(f"TR-EFF{i}")
        desk.declare(transit(number, vehicle_plate=f"01 12{i} ABC", trailer_plate=None))
        plate = f"01 12{i} ABC"
        crossing_id = desk.read(read(plate, at=ago(200)))["crossing"]["id"]
        desk.step(crossing_id, "documents_checked")
        desk.weigh(weighing(plate, gross, at=ago(190)))
        _post(client, auth, _convoy(client, auth, number).drive(5).drive(6, offset_m=3000).fixes)
        assert _risk(client, auth, number)["channel"] == "red"
        desk.step(crossing_id, "inspected", result="found" if found else "not_found", notes="checked the load")
        outcomes[number] = found
    rows = {r["rule"]: r for r in client.get("/api/v1/risk/effectiveness", headers=auth("planner")).json()}
    assert rows["weight_discrepancy"]["red_selections"] >= 2
    assert rows["weight_discrepancy"]["inspections"] >= 2
    assert rows["weight_discrepancy"]["found"] >= 1
    assert 0 < rows["route_deviation"]["hit_rate"] < 1


def test_unknown_declaration_risk_is_404(client, auth):
    assert client.get("/api/v1/declarations/NOPE-1/risk", headers=auth("officer")).status_code == 404
    assert client.get("/api/v1/risk/queue?channel=purple", headers=auth("officer")).status_code == 422

"""Dwell at checkpoints agrees with the map: vehicles inside (open crossings) are visits in progress.

The crossings are the simulator's: its plans and camera reads for trucks
through Dostuk, posted through the API as the simulator's cameras would.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from chekara.config import PROJECT_ROOT
from chekara.sim.crossing import CrossingPlan, crossing_actions
from chekara.sim.geography import geography_from_geodata
from chekara.sim.model import CameraRead
from chekara.sim.plates import PlateFactory, ReadRates
from tests.integration.checkpoint_ops_helpers import Desk, declaration, read
from tests.integration.tracking_fixtures import make_convoy, post


@pytest.fixture
def sim_crossings(client, auth):
    """Five trucks through Dostuk, entered 3 h to 1 h ago; the first two have left, three are still inside."""
    rng = random.Random(18)
    dostuk = geography_from_geodata(PROJECT_ROOT / "geodata").checkpoints["DOSTUK"]
    plates = PlateFactory(rng)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    clean = ReadRates(one_confusion=0.0, two_confusions=0.0)  # one vehicle, one plate: no misreads here
    inside = []
    for i in range(5):
        plan = CrossingPlan(key=f"c{i}", group="g", run_tag="T18", checkpoint=dostuk, plate=plates.plate("KG"),
                            measured_gross_kg=30_000, entry_s=i * 1800.0)
        actions, _ = crossing_actions(plan, rng, clean)
        reads = [a for a in actions if isinstance(a, CameraRead)]
        for camera in reads if i < 2 else reads[:1]:  # the last three are seen entering only
            body = {"checkpoint": camera.checkpoint, "camera_id": camera.camera_id, "lane": camera.lane,
                    "direction": camera.direction, "plate": camera.plate_text, "confidence": camera.confidence,
                    "time": (start + timedelta(seconds=camera.t_s)).isoformat()}
            response = client.post("/api/v1/plate-reads", json=body, headers=auth("device"))
            assert response.status_code == 201, response.text
        if i >= 2:
            inside.append(plan.plate.canonical)
    return inside


def test_vehicles_inside_a_checkpoint_are_visits_in_progress(client, auth, sim_crossings):
    queue = client.get("/api/v1/checkpoints/DOSTUK/queue", headers=auth("operator")).json()
    assert queue["inside"] == 3

    r = client.get("/api/v1/analytics/dwell", params={"kind": "checkpoint", "code": "DOSTUK"}, headers=auth("planner"))
    assert r.status_code == 200, r.text
    (dostuk,) = r.json()["places"]
    # As many visits in progress as the map shows vehicles inside; the two that left are closed visits.
    assert dostuk["open_visits"] == queue["inside"] == 3
    assert dostuk["visits"] == 2
    # The simulator's crossing takes 14 to 39 minutes from entry to exit camera.
    assert 14 * 60 <= dostuk["median_s"] <= 39 * 60


def test_a_window_that_ends_before_the_exits_sees_everyone_inside(client, auth, sim_crossings):
    window = {"kind": "checkpoint", "code": "DOSTUK", "to": (datetime.now(UTC) - timedelta(hours=2, minutes=55)).isoformat()}
    (dostuk,) = client.get("/api/v1/analytics/dwell", params=window, headers=auth("planner")).json()["places"]
    assert dostuk["open_visits"] == 1 and dostuk["visits"] == 0  # only the first truck had entered


def test_a_tracked_truck_with_a_crossing_is_one_visit_not_two(client, auth):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=4)
    convoy = make_convoy(client, auth, start=start)
    post(client, auth, convoy.track().stop(20).drive(12).fixes)  # 20 min in the Bishkek post's geofence, then away
    number = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()["declaration_number"]
    desk = Desk(client, auth)
    desk.declare(declaration(number, entry_checkpoint="BISHKEK"))
    desk.read(read("01 123 ABC", at=start, checkpoint="BISHKEK", camera_id="BIS-CAM-1"))
    desk.read(read("01 123 ABC", direction="exit", at=start + timedelta(minutes=20), checkpoint="BISHKEK", camera_id="BIS-CAM-2"))

    window = {"kind": "checkpoint", "code": "BISHKEK", "from": (start - timedelta(hours=1)).isoformat()}
    (bishkek,) = client.get("/api/v1/analytics/dwell", params=window, headers=auth("planner")).json()["places"]
    # The camera's crossing and the tracker's GPS visit are the same truck: counted once, as the crossing.
    assert bishkek["visits"] == 1 and bishkek["open_visits"] == 0
    assert bishkek["median_s"] == pytest.approx(20 * 60)

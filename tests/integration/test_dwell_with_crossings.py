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
        for read in reads if i < 2 else reads[:1]:  # the last three are seen entering only
            body = {"checkpoint": read.checkpoint, "camera_id": read.camera_id, "lane": read.lane,
                    "direction": read.direction, "plate": read.plate_text, "confidence": read.confidence,
                    "time": (start + timedelta(seconds=read.t_s)).isoformat()}
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

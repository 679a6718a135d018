"""The queue at a checkpoint: inside by direction, median and p90 processing time, the estimated wait."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.checkpoint_ops_helpers import Desk, ago, declaration, read

PLATES = ["01 101 AAA", "01 102 AAA", "01 103 AAA"]


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


def _queue(client, auth, code="TORUGART", **params) -> dict:
    response = client.get(f"/api/v1/checkpoints/{code}/queue", params=params, headers=auth("callcenter"))
    assert response.status_code == 200, response.text
    return response.json()


def test_an_empty_checkpoint_has_no_estimate_rather_than_a_made_up_one(client, auth):
    body = _queue(client, auth, "DOSTUK")
    assert body["inside"] == 0 and body["processed"] == 0
    assert body["median_processing_min"] is None and body["estimated_wait_min"] is None
    assert body["estimate_basis"] == "no data"


def test_queue_figures_come_from_entry_and_exit_reads(desk, client, auth):
    # Three vehicles went through in 30, 40 and 50 minutes within the last 6 hours.
    for i, (plate, minutes) in enumerate(zip(PLATES, (30, 40, 50))):
        desk.declare(declaration(f"IM-6{i}", vehicle_plate=plate, trailer_plate=None))
        entered = ago(200 - i * 10)
        desk.walk_to_release(plate, entered, ago(195 - i * 10), 30_000)
        desk.read(read(plate, "exit", at=entered + timedelta(minutes=minutes)))
    # Inside now: one declared inbound vehicle and four undeclared; one exited long ago (outside the window).
    desk.declare(declaration("IM-70", vehicle_plate="01 200 BBB", trailer_plate=None))
    desk.read(read("01 200 BBB", at=ago(20)))
    for i in range(4):
        desk.read(read(f"08 30{i} CCC", at=ago(15 - i)))
    desk.read(read("08 400 DDD", at=ago(60 * 30)))
    desk.read(read("08 400 DDD", "exit", at=ago(60 * 29)))

    body = _queue(client, auth, hours=6)
    assert body["checkpoint"] == "TORUGART" and body["window_hours"] == 6
    assert body["inside"] == 5 and body["processed"] == 3
    assert body["median_processing_min"] == 40.0 and body["p90_processing_min"] == 48.0
    assert body["exits_per_hour"] == 0.5 and body["lanes"] == 4
    # Five inside, four lanes: every lane is busy, the newcomer waits a round more than the median.
    assert body["estimated_wait_min"] == 80.0 and body["estimate_basis"] == "lanes busy"
    inbound, unknown = body["by_direction"]["inbound"], body["by_direction"]["unknown"]
    assert (inbound["inside"], inbound["processed"], inbound["median_processing_min"]) == (1, 3, 40.0)
    assert (inbound["lanes"], inbound["estimated_wait_min"], inbound["estimate_basis"]) == (2, 40.0, "free lane")
    assert (unknown["inside"], unknown["processed"], unknown["estimated_wait_min"]) == (4, 0, None)
    assert body["by_direction"]["outbound"]["inside"] == 0
    assert body["oldest_inside_since"] is not None

    wide = _queue(client, auth, hours=48)  # now the long-ago vehicle (60 min inside) counts too
    assert wide["processed"] == 4 and wide["median_processing_min"] == 45.0
    assert wide["estimated_wait_min"] == 90.0

    earlier = _queue(client, auth, hours=6, at=ago(25).isoformat())  # before the five vehicles arrived
    assert earlier["inside"] == 0 and earlier["estimate_basis"] == "free lane"


def test_an_unknown_checkpoint_is_404_and_a_bad_window_422(client, auth):
    response = client.get("/api/v1/checkpoints/NOWHERE/queue", headers=auth("callcenter"))
    assert response.status_code == 404 and response.json()["error"]["field"] == "code"
    response = client.get("/api/v1/checkpoints/TORUGART/queue", params={"hours": 0}, headers=auth("callcenter"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "hours"

"""The desk's and the map's lists: a checkpoint's plate reads and weighings, every queue at once, crossing events."""

from __future__ import annotations

import pytest

from chekara.services import events
from tests.integration.checkpoint_ops_helpers import Desk, ago, declaration, read, weighing


@pytest.fixture
def desk(client, auth) -> Desk:
    return Desk(client, auth)


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict]]:
    """Events published in the test's transaction (NOTIFY itself is delivered only at a commit, never here)."""
    seen: list[tuple[str, dict]] = []
    real = events.publish

    def spy(session, kind, data):
        seen.append((kind, data))
        real(session, kind, data)

    monkeypatch.setattr(events, "publish", spy)
    return seen


def _get(client, auth, path: str, **params) -> list[dict]:
    response = client.get(path, params=params, headers=auth("operator"))
    assert response.status_code == 200, response.text
    return response.json()


def test_plate_reads_newest_first_paged_and_filtered(client, auth, desk):
    desk.read(read("01 123 ABC", at=ago(90)))
    desk.read(read("01 777 KGZ", at=ago(60)))
    desk.read(read("01 123 ABC", direction="exit", at=ago(30)))
    desk.read(read("02 555 XYZ", at=ago(20), checkpoint="AK-JOL", camera_id="AKJ-CAM-1"))
    path = "/api/v1/checkpoints/torugart/plate-reads"

    rows = _get(client, auth, path)
    assert [r["plate"] for r in rows] == ["01123ABC", "01777KGZ", "01123ABC"]
    assert rows[0]["direction"] == "exit" and rows[0]["checkpoint"] == "TORUGART" and rows[0]["crossing_id"]
    assert [r["id"] for r in _get(client, auth, path, limit=1, offset=1)] == [rows[1]["id"]]
    # A plate in another spelling, or a fragment of it.
    assert len(_get(client, auth, path, plate="01 123 abc")) == 2
    assert [r["plate"] for r in _get(client, auth, path, plate="777")] == ["01777KGZ"]
    # A time window: from is inclusive, to exclusive.
    assert [r["plate"] for r in _get(client, auth, path, **{"from": ago(70).isoformat(), "to": ago(30).isoformat()})] == ["01777KGZ"]


def test_weighings_carry_their_findings(client, auth, desk):
    desk.declare(declaration("IM-41"))
    crossing_id = desk.read(read("01 123 ABC", at=ago(60)))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked")
    desk.weigh(weighing("01 123 ABC", 32_100, at=ago(40)))

    [row] = _get(client, auth, "/api/v1/checkpoints/TORUGART/weighings", plate="01123ABC")
    assert row["crossing_id"] == crossing_id and row["gross_kg"] == 32_100 and row["plate"] == "01123ABC"
    assert [f["kind"] for f in row["findings"]] == ["weight_discrepancy"]
    assert _get(client, auth, "/api/v1/checkpoints/TORUGART/weighings", **{"from": ago(30).isoformat()}) == []


def test_unknown_checkpoint_and_bad_plate(client, auth):
    assert client.get("/api/v1/checkpoints/NOWHERE/plate-reads", headers=auth("operator")).status_code == 404
    response = client.get("/api/v1/checkpoints/TORUGART/weighings", params={"plate": "!!!"}, headers=auth("operator"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "plate"


def test_every_queue_in_one_call(client, auth, desk):
    desk.read(read("01 123 ABC", at=ago(30)))
    queues = _get(client, auth, "/api/v1/queues")
    by_code = {q["checkpoint"]: q for q in queues}
    assert list(by_code) == sorted(by_code) and len(by_code) >= 12
    assert by_code["TORUGART"]["inside"] == 1 and by_code["AK-JOL"]["inside"] == 0
    one = _get(client, auth, "/api/v1/checkpoints/TORUGART/queue")
    assert {k: v for k, v in one.items() if k != "at"} == {k: v for k, v in by_code["TORUGART"].items() if k != "at"}


def test_crossing_events_opened_step_released_exited(desk, published):
    desk.declare(declaration("IM-42"))
    crossing_id = desk.walk_to_release("01 123 ABC", ago(60), ago(40), 30_000)
    desk.read(read("01 123 ABC", direction="exit", at=ago(10)))

    crossing_events = [d for kind, d in published if kind == "crossing"]
    assert [(e["event"], e["step"]) for e in crossing_events] == [
        ("opened", "arrived"), ("step_recorded", "documents_checked"), ("step_recorded", "weighed"),
        ("step_recorded", "inspected"), ("released", "released"), ("exited", "exited"),
    ]
    assert {(e["id"], e["checkpoint"], e["plate"]) for e in crossing_events} == {(crossing_id, "TORUGART", "01123ABC")}

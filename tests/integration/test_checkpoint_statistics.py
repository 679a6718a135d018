"""Checkpoint statistics from crossings: throughput per hour and day, processing times by direction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chekara.db.models import Crossing
from chekara.services.checkpoints import get_checkpoint

T0 = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)  # 10:00 in Bishkek


@pytest.fixture
def crossings(db_session):
    checkpoint = get_checkpoint(db_session, "TORUGART")
    rows = [
        # (direction, entered after T0 [min], exited after T0 [min] or None, exit from a camera read)
        ("inbound", 5, 65, True), ("inbound", 20, 110, True), ("inbound", 50, 300, True),
        ("outbound", 10, 40, True), ("outbound", 70, 95, False), ("unknown", 130, None, False),
    ]
    for i, (direction, entered, exited, read) in enumerate(rows):
        exit_at = None if exited is None else T0 + timedelta(minutes=exited)
        db_session.add(Crossing(
            checkpoint_id=checkpoint.id, plate=f"01{i:03d}ABC", plate_as_read=f"01{i:03d}ABC", direction=direction,
            status="exited" if exit_at else "arrived", entered_at=T0 + timedelta(minutes=entered),
            exited_at=exit_at, exit_read_at=exit_at if read else None,
        ))
    db_session.commit()


def test_throughput_per_hour_by_direction(client, auth, crossings):
    r = client.get("/api/v1/analytics/checkpoints/throughput", headers=auth("planner"), params={
        "checkpoint": "TORUGART", "bucket": "hour", "from": T0.isoformat(), "to": (T0 + timedelta(hours=6)).isoformat()})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert len(rows) == 6 * 3
    cell = {(datetime.fromisoformat(x["period_start"]).hour, x["direction"]): (x["entries"], x["exits"]) for x in rows}
    assert cell[(4, "inbound")] == (3, 0)
    assert cell[(5, "inbound")] == (0, 2)  # exits at 05:05 and 05:50
    assert cell[(9, "inbound")] == (0, 1)
    assert cell[(4, "outbound")] == (1, 1) and cell[(5, "outbound")] == (1, 1)
    assert cell[(6, "unknown")] == (1, 0)
    assert sum(x["entries"] for x in rows) == 6 and sum(x["exits"] for x in rows) == 5


def test_throughput_per_bishkek_day_and_csv(client, auth, crossings):
    params = {"checkpoint": "TORUGART", "bucket": "day", "from": (T0 - timedelta(days=1)).isoformat(),
              "to": (T0 + timedelta(days=1)).isoformat()}
    rows = client.get("/api/v1/analytics/checkpoints/throughput", params=params, headers=auth("operator")).json()["rows"]
    by_day = {(x["day"], x["direction"]): x["entries"] for x in rows}
    assert by_day[("2026-02-10", "inbound")] == 3 and by_day[("2026-02-09", "inbound")] == 0
    csv = client.get("/api/v1/analytics/checkpoints/throughput", params=params | {"format": "csv"}, headers=auth("operator"))
    assert csv.text.splitlines()[0] == "checkpoint,bucket,period_start,day,direction,entries,exits,lon,lat,geometry_wkt"


def test_processing_time_distribution_uses_camera_exits_only(client, auth, crossings):
    r = client.get("/api/v1/analytics/checkpoints/processing", headers=auth("supervisor"), params={
        "checkpoint": "TORUGART", "from": T0.isoformat(), "to": (T0 + timedelta(hours=8)).isoformat()})
    assert r.status_code == 200, r.text
    rows = {x["direction"]: x for x in r.json()["rows"]}
    assert rows["inbound"]["processed"] == 3
    assert rows["inbound"]["median_min"] == 90 and rows["inbound"]["max_min"] == 250
    assert rows["inbound"]["p90_min"] == pytest.approx(218.0)
    assert rows["inbound"]["min_60-120"] == 2 and rows["inbound"]["min_240-480"] == 1
    assert rows["outbound"]["processed"] == 1  # the hand-closed one has no processing time
    assert rows["all"]["processed"] == 4 and rows["unknown"]["processed"] == 0
    gpkg = client.get("/api/v1/analytics/checkpoints/processing", headers=auth("supervisor"), params={
        "checkpoint": "TORUGART", "from": T0.isoformat(), "to": (T0 + timedelta(hours=8)).isoformat(), "format": "gpkg"})
    assert gpkg.content[:16] == b"SQLite format 3\x00"


def test_bad_windows_and_roles(client, auth, crossings):
    url = "/api/v1/analytics/checkpoints/throughput"
    r = client.get(url, params={"from": T0.isoformat(), "to": (T0 - timedelta(hours=1)).isoformat()}, headers=auth("planner"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "to"
    r = client.get(url, params={"checkpoint": "NOWHERE"}, headers=auth("planner"))
    assert r.status_code == 404 and r.json()["error"]["field"] == "checkpoint"
    assert client.get(url, headers=auth("officer")).status_code == 403

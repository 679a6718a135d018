"""The tracking channel under attack (issue 14): forged OsmAnd fixes, clocks running ahead, second senders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from chekara.api.rate_limit import limiter
from chekara.ingest import validate
from tests.integration.tracking_fixtures import alerts_of, convoy, post  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    limiter.reset()
    yield
    limiter.reset()


def _stored(db_session, device_id: str) -> int:
    return db_session.execute(text(
        "SELECT count(*) FROM positions p JOIN devices d ON d.id = p.device_id WHERE d.device_id = :d"
    ), {"d": device_id}).scalar_one()


def _osmand(client, osmand_id: str, when: datetime, lat: float = 42.87, lon: float = 74.59):
    return client.get("/osmand", params={"id": osmand_id, "lat": lat, "lon": lon, "timestamp": int(when.timestamp())})


def test_a_forged_osmand_fix_for_a_token_holding_tracker_is_refused_stores_nothing_and_is_counted(client, convoy, db_session):
    before = sum(validate.refusals.values())
    r = _osmand(client, convoy.truck, datetime.now(UTC) - timedelta(minutes=1))  # the IMEI printed on the tracker
    assert r.status_code == 401 and r.json()["error"]["field"] == "id"
    assert _stored(db_session, convoy.truck) == 0
    assert sum(validate.refusals.values()) == before + 1


def test_a_wrong_identifier_gets_the_same_answer_as_an_unknown_one(client, convoy):
    when = datetime.now(UTC) - timedelta(minutes=1)
    wrong = convoy.escort_osmand_id[:-1] + ("A" if convoy.escort_osmand_id[-1] != "A" else "B")
    answers = [_osmand(client, osmand_id, when) for osmand_id in (wrong, "osm_never-issued", convoy.escort)]
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1


def test_the_issued_identifier_is_a_secret_kept_hashed_and_rotating_it_retires_the_old_one(client, auth, convoy, db_session):
    when = datetime.now(UTC) - timedelta(minutes=2)
    stored_hash = db_session.execute(text("SELECT osmand_id_hash FROM devices WHERE device_id = :d"), {"d": convoy.escort}).scalar_one()
    assert convoy.escort_osmand_id not in stored_hash and len(convoy.escort_osmand_id) >= 32
    assert _osmand(client, convoy.escort_osmand_id, when).status_code == 200
    rotated = client.post(f"/api/v1/devices/{convoy.escort}/osmand-id", headers=auth("operator"))
    assert rotated.status_code == 200
    new_id = rotated.json()["osmand_id"]
    assert new_id != convoy.escort_osmand_id
    assert _osmand(client, convoy.escort_osmand_id, when + timedelta(seconds=10)).status_code == 401
    assert _osmand(client, new_id, when + timedelta(seconds=20)).status_code == 200
    assert _stored(db_session, convoy.escort) == 2
    listed = client.get("/api/v1/devices", headers=auth("operator")).json()
    assert all(d["osmand_id"] is None for d in listed)  # shown once, never listed


def test_a_token_holding_device_cannot_be_given_an_osmand_identifier(client, auth, convoy):
    r = client.post(f"/api/v1/devices/{convoy.truck}/osmand-id", headers=auth("operator"))
    assert r.status_code == 409


def test_a_fix_four_minutes_ahead_is_refused_and_the_real_deviation_after_it_raises_one_alert(client, auth, convoy):
    track = convoy.track().drive(10)
    post(client, auth, track.fixes)
    forged = {**track.fixes[-1], "ts": (datetime.now(UTC) + timedelta(minutes=4)).isoformat()}
    answer = post(client, auth, [forged])
    assert answer["accepted"] == 0
    (refusal,) = answer["rejected"]
    assert refusal["field"] == "ts" and "future" in refusal["reason"]
    start = len(track.fixes)
    track.drive(3, offset_m=2000).drive(3)
    post(client, auth, track.fixes[start:])
    (alert,) = alerts_of(client, auth, convoy.trip_id, "route_deviation")
    assert alert["evidence"]["duration_s"] >= 120


def test_a_device_whose_fixes_keep_coming_from_the_future_raises_clock_skew(client, auth, convoy):
    base = datetime.now(UTC)
    fix = convoy.track().drive(1).fixes[0]
    for minutes in (2, 3, 4):
        post(client, auth, [{**fix, "ts": (base + timedelta(minutes=minutes)).isoformat()}])
    found = client.get("/api/v1/alerts", params={"type": "clock_skew"}, headers=auth("operator")).json()
    (alert,) = [a for a in found if a["device_id"] == convoy.truck]
    assert alert["evidence"]["future_fixes"] == 3 and alert["evidence"]["max_lead_s"] > 200


def test_a_conflicting_duplicate_is_named_and_alerted_an_identical_one_is_not(client, auth, convoy, db_session):
    fixes = convoy.track().drive(5).fixes
    post(client, auth, fixes)
    same = post(client, auth, fixes[3:4])
    assert same == {"accepted": 0, "duplicates": 1, "rejected": []}
    moved = {**fixes[3], "lon": fixes[3]["lon"] + 0.02}  # ~1.7 km east, same device and time
    answer = post(client, auth, [fixes[-1] | {"ts": (datetime.fromisoformat(fixes[-1]["ts"]) + timedelta(seconds=20)).isoformat()}, moved])
    assert answer["accepted"] == 1
    (refusal,) = answer["rejected"]
    assert refusal["index"] == 1 and refusal["field"] == "ts" and "second sender" in refusal["reason"]
    found = client.get("/api/v1/alerts", params={"type": "fix_conflict"}, headers=auth("operator")).json()
    (alert,) = [a for a in found if a["device_id"] == convoy.truck]
    assert alert["evidence"]["kept"] == {"lon": fixes[3]["lon"], "lat": fixes[3]["lat"]}
    assert alert["evidence"]["refused"] == {"lon": moved["lon"], "lat": moved["lat"]}
    assert alert["evidence"]["apart_m"] > 1000
    assert _stored(db_session, convoy.truck) == len(fixes) + 1


def test_osmand_is_rate_limited_per_device_identifier(client, convoy, monkeypatch, within_one_minute):
    from chekara.config import get_settings

    monkeypatch.setattr(get_settings(), "osmand_rate_limit_per_device_per_min", 3)
    base = datetime.now(UTC) - timedelta(minutes=5)
    codes = [_osmand(client, convoy.escort_osmand_id, base + timedelta(seconds=i)).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_administrator_sees_the_refusals_of_this_process(client, auth, convoy):
    before = client.get("/api/v1/ingest/stats", headers=auth("admin")).json()
    assert _osmand(client, "osm_forged", datetime.now(UTC)).status_code == 401
    after = client.get("/api/v1/ingest/stats", headers=auth("admin")).json()
    reason = "osmand identifier not issued"
    assert after["refused"][reason] == before["refused"].get(reason, 0) + 1
    assert after["submissions"] >= before["submissions"] + 1
    assert client.get("/api/v1/ingest/stats", headers=auth("operator")).status_code == 403

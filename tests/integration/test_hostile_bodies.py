"""Bodies built to break the decoders (issue 15): each is a 4xx naming the field, and a batch keeps its good fixes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.integration.tracking_fixtures import convoy, post  # noqa: F401

HOSTILE_JSON = {
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "not UTF-8": b'{"device_id": "\xff\xfe"}',
    "a 5,000-digit number": b'{"device_id": "x", "location": {"timestamp": ' + b"9" * 5000 + b"}}",
}


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_osmand_answers_hostile_json_with_400_naming_the_body(client, name):
    r = client.post("/osmand", content=HOSTILE_JSON[name], headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "body"


@pytest.mark.parametrize("ts", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_fix_whose_time_overflows_is_named_and_the_good_fixes_are_stored(client, auth, convoy, db_session, ts):
    fixes = convoy.track().drive(2).fixes
    answer = post(client, auth, [fixes[0], {**fixes[1], "ts": ts}, *fixes[2:]])
    assert answer["accepted"] == len(fixes) - 1
    assert answer["rejected"] == [{"index": 1, "field": "ts", "reason": answer["rejected"][0]["reason"]}]
    stored = db_session.execute(text(
        "SELECT count(*) FROM positions p JOIN devices d ON d.id = p.device_id WHERE d.device_id = :d"
    ), {"d": convoy.truck}).scalar_one()
    assert stored == len(fixes) - 1


def test_osmand_with_an_overflowing_timestamp_is_400(client, convoy):
    r = client.get("/osmand", params={"id": convoy.escort_osmand_id, "lat": 42.87, "lon": 74.59,
                                      "timestamp": "9999-12-31T23:59:59-05:00"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "timestamp"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_osmand_refuses_an_oversized_query_string_with_414_naming_it(client, convoy, db_session, method):
    """Through the devices' door (GET) and through the route (a POST with a body) alike; nothing is stored."""
    from sqlalchemy import text

    before = db_session.execute(text("SELECT count(*) FROM positions")).scalar_one()
    query = f"/osmand?id={convoy.escort_osmand_id}&lat=42.87&lon=74.59&timestamp=1700000000&pad=" + "9" * 8_000
    r = client.request(method, query, content=b"batt=80" if method == "POST" else None,
                       headers={"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else None)
    assert r.status_code == 414 and r.json()["error"]["field"] == "query"
    assert db_session.execute(text("SELECT count(*) FROM positions")).scalar_one() == before

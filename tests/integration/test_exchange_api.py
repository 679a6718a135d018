"""The exchange API: partners registered by an admin, their webhooks, the pull API, the schemas."""

from __future__ import annotations

import json

from chekara.services import outbox
from chekara.services.exchange.schemas import SCHEMA_DIR
from tests.exchange_schemas import assert_valid
from tests.integration.checkpoint_ops_helpers import Desk
from tests.integration.exchange_helpers import (
    crossing_to_release,
    events_since,
    exit_read,
    put_webhook,
    register_partner,
    unique,
    unique_plate,
)


def test_an_admin_registers_a_partner_whose_token_has_the_partner_role(client, auth):
    code = unique("KZ-KGD")
    r = client.post("/api/v1/exchange/partners", headers=auth("admin"),
                    json={"code": code.lower(), "name": "State Revenue Committee", "country": "kz"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"] == code and body["country"] == "KZ" and body["webhook"] is None
    token = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=token).json() == {"name": code, "role": "partner"}
    again = client.post("/api/v1/exchange/partners", headers=auth("admin"), json={"code": code, "name": "x", "country": "KZ"})
    assert again.status_code == 409
    for field, value in (("code", "a b"), ("country", "KAZ")):
        bad = client.post("/api/v1/exchange/partners", headers=auth("admin"),
                          json={"code": unique("KZ-B"), "name": "x", "country": "KZ"} | {field: value})
        assert bad.status_code == 422 and bad.json()["error"]["field"].endswith(field)
    assert client.get("/api/v1/alerts", headers=token).status_code == 403  # a partner is not staff
    listed = client.get("/api/v1/exchange/partners", headers=auth("admin")).json()
    assert code in [p["code"] for p in listed]


def test_a_partner_token_without_a_registered_partner_is_refused(client, auth):
    # auth("partner") is a user with the role but no partner registration.
    assert client.get("/api/v1/exchange/events", headers=auth("partner")).status_code == 403
    r = client.post("/api/v1/exchange/inbound", headers=auth("partner"), json={
        "notice_id": "N-1", "checkpoint": "AK-TILEK", "vehicle_plate": "01 123 ABC", "declaration_number": "D-1",
        "expected_at": "2026-05-02T10:00:00+06:00",
    })
    assert r.status_code == 403 and "not a registered partner" in r.json()["error"]["message"]


def test_the_webhook_secret_is_shown_once_and_kept_when_not_changed(client, auth):
    partner = register_partner(client, auth)
    url = f"/api/v1/exchange/partners/{partner.code}/webhook"
    created = client.put(url, headers=auth("admin"), json={"url": "https://kgd.example.kz/chekara", "event_types": ["crossing.released"]})
    assert created.status_code == 200, created.text
    secret = created.json()["secret"]
    assert len(secret) >= 32 and created.json()["secret_prefix"] == secret[:4]
    assert created.json()["cursor_seq"] >= 0 and created.json()["pending"] == 0 and created.json()["active"] is True
    changed = client.put(url, headers=auth("admin"), json={"url": "https://kgd.example.kz/v2", "event_types": []})
    assert changed.json()["secret"] is None and changed.json()["secret_prefix"] == secret[:4]
    assert changed.json()["id"] == created.json()["id"] and changed.json()["event_types"] == []
    for body, field in (({"url": "ftp://x"}, "url"), ({"url": "https://x", "event_types": ["crossing.lost"]}, "event_types"),
                        ({"url": "https://x", "secret": "short"}, "secret")):
        bad = client.put(url, headers=auth("admin"), json=body)
        assert bad.status_code == 422 and bad.json()["error"]["field"].endswith(field), bad.text
    assert client.put("/api/v1/exchange/partners/NOBODY/webhook", headers=auth("admin"), json={"url": "https://x"}).status_code == 404
    listed = {p["code"]: p for p in client.get("/api/v1/exchange/partners", headers=auth("admin")).json()}
    assert listed[partner.code]["webhook"]["url"] == "https://kgd.example.kz/v2"


def test_the_pull_api_pages_through_events_after_a_cursor(client, auth, db_session):
    partner = register_partner(client, auth)
    cursor = outbox.head(db_session)
    desk = Desk(client, auth)
    for _ in range(2):
        plate = unique_plate()
        crossing_to_release(desk, unique("EXP-"), plate)
        exit_read(desk, plate)
    expected = [str(e.event_id) for e in events_since(db_session, cursor)]
    assert len(expected) == 4

    seen, after = [], cursor
    while True:
        page = client.get("/api/v1/exchange/events", params={"after": after, "limit": 3}, headers=partner.headers).json()
        seen += page["events"]
        after = page["next_cursor"]
        if not page["has_more"]:
            break
    assert [e["id"] for e in seen] == expected
    assert [e["sequence"] for e in seen] == sorted(e["sequence"] for e in seen)
    for envelope in seen:
        assert_valid(envelope["type"], envelope)
    empty = client.get("/api/v1/exchange/events", params={"after": after}, headers=partner.headers).json()
    assert empty == {"events": [], "next_cursor": after, "has_more": False}
    only = client.get("/api/v1/exchange/events", params={"after": cursor, "type": "crossing.exited"}, headers=partner.headers).json()
    assert [e["type"] for e in only["events"]] == ["crossing.exited", "crossing.exited"]
    assert client.get("/api/v1/exchange/events", params={"type": "crossing.lost"}, headers=partner.headers).status_code == 422
    assert client.get("/api/v1/exchange/events", params={"limit": 5000}, headers=partner.headers).status_code == 422
    assert client.get("/api/v1/exchange/events", params={"after": cursor}, headers=auth("admin")).status_code == 200


def test_the_schemas_are_served_as_kept_in_the_repository(client, auth):
    partner = register_partner(client, auth)
    names = [s["name"] for s in client.get("/api/v1/exchange/schemas", headers=partner.headers).json()]
    assert "crossing.released" in names and "pre_arrival_notice" in names
    r = client.get("/api/v1/exchange/schemas/crossing.released.json", headers=partner.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    assert r.json() == json.loads((SCHEMA_DIR / "crossing.released.json").read_text())
    assert client.get("/api/v1/exchange/schemas/pre_arrival_notice.json", headers=auth("operator")).status_code == 200
    missing = client.get("/api/v1/exchange/schemas/..%2Fconfig.json", headers=partner.headers)
    assert missing.status_code == 404
    assert client.get("/api/v1/exchange/schemas/nothing.json", headers=partner.headers).status_code == 404


def test_webhook_changes_and_replays_are_audited_without_the_secret(client, auth):
    partner = register_partner(client, auth)
    put_webhook(client, auth, partner.code, secret="a-very-secret-secret-123")
    entries = client.get("/api/v1/audit", params={"entity_type": "webhook"}, headers=auth("admin"))
    assert entries.status_code == 200
    assert any(e["action"] == "create" and e["change"]["partner"] == partner.code for e in entries.json())
    assert "a-very-secret-secret-123" not in entries.text

"""Public look-ups without a token: no personal data, 'not found' for unknown numbers, a rate limit."""

from __future__ import annotations

import json

import pytest

from chekara.api.rate_limit import limiter
from chekara.config import get_settings


@pytest.fixture(autouse=True)
def fresh_limiter():
    limiter.reset()
    yield
    limiter.reset()


def test_public_checkpoints_need_no_token_and_show_queues(client):
    r = client.get("/api/v1/public/checkpoints")
    assert r.status_code == 200
    by_code = {c["code"]: c for c in r.json()}
    assert {"AK-JOL", "TORUGART", "DOSTUK"} <= set(by_code)
    ak_jol = by_code["AK-JOL"]
    assert ak_jol["opening_hours"] == "24/7" and ak_jol["open"] is True
    assert set(ak_jol["vehicles_waiting"]) == {"inbound", "outbound", "total"}
    assert by_code["TORUGART"]["opening_hours"].startswith("Mo-Fr")
    assert ak_jol["name"]["ky"] and ak_jol["name"]["ru"]


def test_unknown_and_malformed_declarations(client):
    r = client.get("/api/v1/public/declarations/TR-0000-NOPE")
    assert r.status_code == 404 and r.json()["error"]["message"] == "not found"
    assert client.get("/api/v1/public/declarations/a%20b").status_code == 422


def test_a_declaration_shows_its_status_and_nothing_personal(client, auth):
    from tests.integration.checkpoint_ops_helpers import declaration

    body = declaration("PUB-0001")
    created = client.post("/api/v1/declarations", json=body, headers=auth("officer"))
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    r = client.get(f"/api/v1/public/declarations/{number.lower()}")
    assert r.status_code == 200
    assert r.json() == {"number": number, "status": "registered"}
    text = json.dumps(r.json())
    for private in ("Kashgar", "Bishkek Fresh", "01123ABC", "01 123 ABC", "apples", "10000"):
        assert private not in text


def test_more_than_the_limit_a_minute_is_429(client, monkeypatch, within_one_minute):
    monkeypatch.setattr(get_settings(), "public_rate_limit_per_min", 5)
    codes = [client.get("/api/v1/public/declarations/NONE-1").status_code for _ in range(7)]
    assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]
    r = client.get("/api/v1/public/checkpoints")
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    assert r.json()["error"]["code"] == "rate_limited"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, monkeypatch, within_one_minute):
    from fastapi.testclient import TestClient

    from chekara.config import Settings

    monkeypatch.setattr(get_settings(), "public_rate_limit_per_min", 3)
    monkeypatch.setattr(get_settings(), "trusted_proxies", Settings(trusted_proxies="10.0.0.5").trusted_proxies)
    proxy = TestClient(client.app, client=("10.0.0.5", 41000))
    stranger = TestClient(client.app, client=("198.51.100.7", 41000))

    def codes(via: TestClient, forwarded_for: str, n: int) -> list[int]:
        path = "/api/v1/public/checkpoints"
        return [via.get(path, headers={"X-Forwarded-For": forwarded_for}).status_code for _ in range(n)]

    # Two citizens behind the proxy: a bucket each.
    assert codes(proxy, "203.0.113.1", 4) == [200, 200, 200, 429]
    assert codes(proxy, "203.0.113.2", 3) == [200, 200, 200]
    # A peer that is not a trusted proxy cannot pick its bucket with the header.
    assert codes(stranger, "203.0.113.3", 3) == [200, 200, 200]
    assert codes(stranger, "203.0.113.4", 1) == [429]

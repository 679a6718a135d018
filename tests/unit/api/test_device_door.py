"""The devices' door answers a bodiless /osmand request in front of the middleware, with the app's own error answers."""

from __future__ import annotations

import pytest
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from chekara.api import device_door
from chekara.api.device_door import ChekaraApp, is_device_fix
from chekara.api.errors import RETRY_AFTER_S, install_error_handlers
from chekara.api.rate_limit import TooManyRequests
from chekara.errors import Unauthorized
from tests.unit.api.test_database_unavailable import UNAVAILABLE


def _scope(method="GET", path="/osmand", headers=()):
    return {"type": "http", "method": method, "path": path, "headers": list(headers)}


def test_only_bodiless_osmand_requests_take_the_door():
    assert is_device_fix(_scope())
    assert is_device_fix(_scope("POST", headers=[(b"content-length", b"0")]))
    assert not is_device_fix(_scope("POST", headers=[(b"content-length", b"120")]))  # a body: the route, body limit and all
    assert not is_device_fix(_scope("POST", headers=[(b"transfer-encoding", b"chunked")]))
    assert not is_device_fix(_scope(path="/osmand/"))
    assert not is_device_fix(_scope("PUT"))
    assert not is_device_fix({**_scope(), "type": "websocket"})


@pytest.fixture()
def door(monkeypatch):
    """An app whose door's answer is whatever the test raises or returns; what reached it is kept."""
    seen: list[dict] = []
    outcome: dict = {}

    async def answer(request, params):
        seen.append(params)
        if "raise" in outcome:
            raise outcome["raise"]
        return outcome.get("return", device_door.OSMAND_OK)

    monkeypatch.setattr(device_door, "answer_osmand", answer)
    app = ChekaraApp()
    install_error_handlers(app)
    return TestClient(app, raise_server_exceptions=False), seen, outcome


def test_the_door_parses_the_query_as_starlette_does_and_answers_ok(door):
    client, seen, _ = door
    response = client.get("/osmand?id=osm_a&lat=42.5&lon=74.6&speed=&lat=42.7&note=a%20b+c")
    assert response.status_code == 200 and response.text == "OK"
    assert response.headers["content-type"].startswith("text/plain")
    assert seen == [{"id": "osm_a", "lat": "42.7", "lon": "74.6", "speed": "", "note": "a b c"}]


@pytest.mark.parametrize("case", UNAVAILABLE)
def test_database_unavailable_through_the_door_is_503_with_retry_after(door, case):
    client, _, outcome = door
    outcome["raise"] = UNAVAILABLE[case]
    response = client.get("/osmand?id=x")
    assert response.status_code == 503 and response.headers["retry-after"] == str(RETRY_AFTER_S)
    assert response.json()["error"]["code"] == "unavailable"


def test_our_errors_and_unexpected_ones_get_the_apps_answers(door):
    client, _, outcome = door
    outcome["raise"] = Unauthorized("id not issued", field="id")
    response = client.get("/osmand?id=x")
    assert response.status_code == 401 and response.json()["error"]["field"] == "id"
    outcome["raise"] = TooManyRequests("too many")
    response = client.get("/osmand?id=x")
    assert response.status_code == 429 and response.headers["retry-after"] == "60"
    outcome["raise"] = ZeroDivisionError("a bug")
    response = client.get("/osmand?id=x")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal"
    outcome.pop("raise")
    outcome["return"] = PlainTextResponse("other", status_code=400)
    assert client.get("/osmand?id=x").text == "other"


def test_everything_else_goes_through_the_app(door):
    client, seen, _ = door
    assert client.get("/osmand/").status_code == 404
    assert client.post("/osmand", content=b"lat=1").status_code == 404  # this bare app has no /osmand route
    assert seen == []


def test_an_oversized_query_is_414_naming_it_before_it_is_parsed(door):
    client, seen, _ = door
    response = client.get("/osmand?id=osm_a&lat=42.5&junk=" + "x" * 5_000)
    assert response.status_code == 414
    assert response.json()["error"]["field"] == "query" and "4096" in response.json()["error"]["message"]
    assert seen == []
    assert client.get("/osmand?id=osm_a&note=" + "x" * 3_000).status_code == 200  # long but plausible

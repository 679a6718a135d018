"""Setting up data over a real server's API, the way a client would: a caller, and a convoy with an alert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.tracks import TrackBuilder

Call = Callable[..., Any]


def caller(url: str, tokens: dict[str, str], default_role: str) -> Call:
    """call(method, path, role=default_role, **httpx_kw) -> the JSON answer, asserting a 200 or 201."""
    def call(method: str, path: str, role: str = default_role, **kw) -> Any:
        response = httpx.request(method, url + path, headers={"Authorization": f"Bearer {tokens[role]}"}, timeout=60, **kw)
        assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
        return response.json()

    return call


def convoy_with_an_alert(call: Call, device_id: str, owner: str, declaration_number: str) -> tuple[dict, dict]:
    """A trip on BISHKEK-OSH whose tracker drives 5 min along it, then 5 min 3 km off it: a route-deviation alert.

    `owner` is the name of the device token that posts the fixes (role "device" in `call`'s tokens).
    """
    call("POST", "/api/v1/devices", json={"device_id": device_id, "owner": owner})
    corridor = call("GET", "/api/v1/corridors/BISHKEK-OSH")
    start = datetime.now(UTC) - timedelta(hours=2)
    trip = call("POST", "/api/v1/trips", json={
        "declaration_number": declaration_number, "vehicle_plates": ["01 555 AAA"],
        "devices": [{"device_id": device_id, "role": "vehicle"}],
        "origin": corridor["properties"]["origin"], "destination": corridor["properties"]["destination"],
        "corridor": "BISHKEK-OSH", "planned_departure": start.isoformat(),
        "deadline": (start + timedelta(hours=20)).isoformat(),
    })
    track = TrackBuilder(corridor["geometry"]["coordinates"], start, device_id)
    call("POST", "/api/v1/positions", role="device", json=track.drive(5).drive(5, offset_m=3000).fixes)
    (alert,) = call("GET", f"/api/v1/alerts?trip_id={trip['id']}")
    return trip, alert

"""Shared set-up for the tracking tests: devices, a trip on a seeded corridor, a track builder."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.tracks import TrackBuilder

_numbers = itertools.count(1)


@dataclass
class Convoy:
    trip_id: int
    corridor: dict
    escort: str
    truck: str
    start: datetime
    #: The escort phone's OsmAnd identifier, issued at registration (its /osmand credential).
    escort_osmand_id: str = ""

    def track(self, device: str | None = None, **kw) -> TrackBuilder:
        return TrackBuilder(self.corridor["geometry"]["coordinates"], self.start, device or self.truck, **kw)


def make_convoy(client, auth, corridor_code: str = "BISHKEK-OSH", start: datetime | None = None,
                deadline: datetime | None = None) -> Convoy:
    n = next(_numbers)
    auth("device")
    escort, truck = f"ESC-{n}", f"TRK-{n}"
    osmand_ids = {}
    for device_id, kind in ((escort, "escort_phone"), (truck, "tracker")):
        r = client.post("/api/v1/devices", json={"device_id": device_id, "kind": kind, "owner": "test-device"}, headers=auth("operator"))
        assert r.status_code == 201, r.text
        osmand_ids[device_id] = r.json()["osmand_id"]
    corridor = client.get(f"/api/v1/corridors/{corridor_code}", headers=auth("operator")).json()
    start = start or datetime.now(UTC) - timedelta(hours=3)
    r = client.post("/api/v1/trips", headers=auth("operator"), json={
        "declaration_number": f"TR-2026-{n:05d}",
        "vehicle_plates": ["01 123 ABC"],
        "devices": [{"device_id": escort, "role": "escort"}, {"device_id": truck, "role": "vehicle", "plate": "01123ABC"}],
        "origin": corridor["properties"]["origin"], "destination": corridor["properties"]["destination"],
        "corridor": corridor_code,
        "planned_departure": (start - timedelta(minutes=30)).isoformat(),
        "deadline": (deadline or start + timedelta(hours=20)).isoformat(),
    })
    assert r.status_code == 201, r.text
    return Convoy(r.json()["id"], corridor, escort, truck, start, osmand_ids[escort])


def post(client, auth, fixes):
    r = client.post("/api/v1/positions", json=fixes, headers=auth("device"))
    assert r.status_code == 200, r.text
    return r.json()


def alerts_of(client, auth, trip_id, type_=None):
    params = {"trip_id": trip_id, **({"type": type_} if type_ else {})}
    return client.get("/api/v1/alerts", params=params, headers=auth("operator")).json()


@pytest.fixture
def convoy(client, auth):
    return make_convoy(client, auth)

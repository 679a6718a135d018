"""The live map's snapshot: positions events move convoys (newest wins), other events and lost ones reload it."""

from __future__ import annotations

import asyncio

import orjson

from chekara.api import live_snapshot
from chekara.api.live_snapshot import Convoy, LiveSnapshot


class FakeHub:
    def __init__(self):
        self.watchers = []
        self.barriers = 0

    def watch(self, watcher):
        self.watchers.append(watcher)

    async def barrier(self):
        self.barriers += 1

    def send(self, kind, data):
        for watcher in self.watchers:
            watcher({"kind": kind, "data": data})


def _convoy(trip_id, at="2026-12-03T10:00:00.000000+00:00", lon=74.0, lat=42.0):
    return Convoy({"trip_id": trip_id, "status": "in_transit", "declaration_number": f"D{trip_id}", "vehicle_plates": [],
                   "last_fix_at": at, "speed_kmh": 50.0, "heading_deg": None, "corridor_id": 1, "corridor": "C",
                   "open_alerts": 0}, lon, lat)


def _snapshot(monkeypatch, loads):
    hub = FakeHub()
    snapshot = LiveSnapshot(hub, sessions=None)
    calls = []

    def load(self):
        calls.append(1)
        return loads(len(calls))

    monkeypatch.setattr(LiveSnapshot, "_load", load)
    return hub, snapshot, calls


def _answer(snapshot):
    return orjson.loads(asyncio.run(snapshot.feature_collection()))


def test_positions_move_convoys_and_only_to_newer_fixes(monkeypatch):
    hub, snapshot, calls = _snapshot(monkeypatch, lambda n: {1: _convoy(1), 2: _convoy(2)})
    assert [f["id"] for f in _answer(snapshot)["features"]] == [1, 2] and calls == [1]
    hub.send("positions", {"trips": [1], "at": [[1, "2026-12-03T10:00:05.000000+00:00", 74.1, 42.1, 60.0, 90.0]]})
    hub.send("positions", {"trips": [1], "at": [[1, "2026-12-03T10:00:03.000000+00:00", 70.0, 40.0, 1.0, 1.0]]})  # older
    hub.send("positions", {"trips": [9], "at": [[9, "2026-12-03T10:00:05.000000+00:00", 1.0, 1.0, None, None]]})  # not in transit
    answer = _answer(snapshot)
    first = answer["features"][0]
    assert first["geometry"]["coordinates"] == [74.1, 42.1]
    assert first["properties"]["last_fix_at"] == "2026-12-03T10:00:05.000000+00:00" and first["properties"]["speed_kmh"] == 60.0
    assert [f["id"] for f in answer["features"]] == [1, 2] and calls == [1]  # no reload for positions


def test_trip_alert_truncated_and_reconnect_events_reload(monkeypatch):
    hub, snapshot, calls = _snapshot(monkeypatch, lambda n: {i: _convoy(i) for i in range(1, n + 1)})
    _answer(snapshot)
    for kind, data in [("trip", {"id": 2}), ("alert", {"id": 5}), ("positions", {"trips": [1], "fixes": 900}),
                       ("hub.listener_connected", {})]:
        hub.send(kind, data)
        before = len(calls)
        _answer(snapshot)
        assert len(calls) == before + 1, kind
    hub.send("crossing", {"step": "opened"})  # says nothing about convoys
    before = len(calls)
    _answer(snapshot)
    assert len(calls) == before


def test_events_arriving_during_a_reload_are_applied_after_it(monkeypatch):
    hub = FakeHub()
    snapshot = LiveSnapshot(hub, sessions=None)

    def load(self):  # a positions event commits while the rows are being read
        hub.send("positions", {"trips": [1], "at": [[1, "2026-12-03T10:00:09.000000+00:00", 75.0, 43.0, 10.0, 0.0]]})
        return {1: _convoy(1)}

    monkeypatch.setattr(LiveSnapshot, "_load", load)
    (feature,) = _answer(snapshot)["features"]
    assert feature["geometry"]["coordinates"] == [75.0, 43.0]


def test_an_old_snapshot_is_read_again(monkeypatch):
    hub, snapshot, calls = _snapshot(monkeypatch, lambda n: {1: _convoy(1)})
    _answer(snapshot)
    monkeypatch.setattr(live_snapshot, "MAX_AGE_S", -1.0)
    _answer(snapshot)
    assert len(calls) == 2 and hub.barriers == 2

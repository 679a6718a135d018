"""The live map's FeatureCollection, kept per server process and moved by the events of committed fixes.

Building 2,000 convoys' features in PostgreSQL costs 30–60 ms of the database's time per request,
and the situation map asks every 2 s from every operator's screen, while the same database takes
thousands of fixes a second. Instead, each server process keeps the features and applies the
"positions" events the ingest pipeline publishes at commit (each names the trip's newest position):

- a positions event moves the convoys it names (the newer fix wins, so order does not matter);
- a trip or alert event (departure, arrival, an alert raised or resolved), a positions event too
  large to name every convoy, a reconnected listener (events may have been lost) or an age over
  MAX_AGE_S mark the snapshot stale: the next request reloads it from the database;
- before answering, a request waits for the event hub's barrier, so every fix committed before the
  request arrived has been applied: the answer shows each convoy at its newest committed fix, as
  the database would.

Events that arrive while a reload runs are kept and applied after it, so none falls in between.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chekara.api.event_hub import EventHub
from chekara.services.events import iso_utc

#: A snapshot older than this is reloaded even without an event (a change made outside the app).
MAX_AGE_S = 30.0
#: Event kinds that change a convoy's status, plates or open alerts: reload.
RELOADING_KINDS = frozenset({"trip", "alert", "hub.listener_connected"})

_CONVOYS = text(
    """
    WITH open_alerts AS (
        SELECT trip_id, count(*) AS n FROM alerts
        WHERE status <> 'resolved' AND trip_id IS NOT NULL GROUP BY trip_id
    )
    SELECT t.id, t.status, t.declaration_number, t.vehicle_plates, t.last_fix_at, t.last_speed_kmh,
           t.last_heading_deg, t.corridor_id, c.code, COALESCE(a.n, 0), ST_X(t.last_point), ST_Y(t.last_point)
    FROM trips t JOIN corridors c ON c.id = t.corridor_id LEFT JOIN open_alerts a ON a.trip_id = t.id
    WHERE t.status = 'in_transit' AND t.last_point IS NOT NULL
    """
)


@dataclass
class Convoy:
    properties: dict[str, Any]
    lon: float
    lat: float
    encoded: bytes | None = None

    def feature(self) -> bytes:
        if self.encoded is None:
            self.encoded = orjson.dumps({
                "type": "Feature", "id": self.properties["trip_id"],
                "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
                "properties": self.properties,
            })
        return self.encoded

    def move(self, last_fix_at: str, lon: float, lat: float, speed_kmh, heading_deg) -> None:
        """To a newer fix only: ISO times in one format order as the instants do."""
        if last_fix_at <= (self.properties["last_fix_at"] or ""):
            return
        self.lon, self.lat, self.encoded = lon, lat, None
        self.properties.update(last_fix_at=last_fix_at, speed_kmh=speed_kmh, heading_deg=heading_deg)


def load_convoys(session: Session) -> dict[int, Convoy]:
    convoys = {}
    for (trip_id, status, number, plates, last_fix_at, speed, heading, corridor_id, corridor, alerts,
         lon, lat) in session.execute(_CONVOYS):
        convoys[trip_id] = Convoy({
            "trip_id": trip_id, "status": status, "declaration_number": number, "vehicle_plates": plates,
            "last_fix_at": iso_utc(last_fix_at) if last_fix_at else None, "speed_kmh": speed,
            "heading_deg": heading, "corridor_id": corridor_id, "corridor": corridor, "open_alerts": alerts,
        }, lon, lat)
    return convoys


def feature_collection(convoys: dict[int, Convoy]) -> bytes:
    """The GeoJSON FeatureCollection of these convoys, in trip id order."""
    features = [convoys[trip_id].feature() for trip_id in sorted(convoys)]
    return b'{"type":"FeatureCollection","features":[' + b",".join(features) + b"]}"


class LiveSnapshot:
    def __init__(self, hub: EventHub, sessions) -> None:
        """`sessions()`: a context manager giving a Session (for the reloads, run in a worker thread)."""
        self._hub = hub
        self._sessions = sessions
        self._convoys: dict[int, Convoy] = {}
        self._stale = True
        self._loaded_at = 0.0
        self._during_load: list[dict[str, Any]] | None = None  # events that arrive while a reload runs
        self._reloading: asyncio.Lock | None = None
        self.reloads = 0
        hub.watch(self.on_event)

    def on_event(self, event: dict[str, Any]) -> None:
        if self._during_load is not None:
            self._during_load.append(event)
        else:
            self._apply(event)

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "positions":
            at = (event.get("data") or {}).get("at")
            if at is None:  # too many convoys for one notification: read them all again
                self._stale = True
                return
            for trip_id, last_fix_at, lon, lat, speed, heading in at:
                convoy = self._convoys.get(trip_id)
                if convoy is not None:  # a convoy not in transit yet arrives with its departure's trip event
                    convoy.move(last_fix_at, lon, lat, speed, heading)
        elif kind in RELOADING_KINDS:
            self._stale = True

    async def feature_collection(self) -> bytes:
        """The GeoJSON of every convoy in transit, as of every commit before this call."""
        await self._hub.barrier()
        if self._reloading is None:
            self._reloading = asyncio.Lock()
        async with self._reloading:  # one reload at a time; the requests that waited see its result
            if self._stale or time.monotonic() - self._loaded_at > MAX_AGE_S:
                await self._reload()
        return feature_collection(self._convoys)

    async def _reload(self) -> None:
        self._during_load, self._stale = [], False
        started = time.monotonic()
        try:
            self._convoys = await run_in_threadpool(self._load)
        except BaseException:
            self._stale = True
            raise
        finally:
            arrived, self._during_load = self._during_load, None
            for event in arrived:
                self._apply(event)
        self._loaded_at = started
        self.reloads += 1

    def _load(self) -> dict[int, Convoy]:
        with self._sessions() as session:
            return load_convoys(session)

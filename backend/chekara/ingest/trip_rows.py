"""The trips a batch touches, read and written as plain rows: one locking SELECT, one UPDATE (through the driver: db/driver.py).

The ORM's Trip joins its corridor, checkpoints and devices (geometries
included) and writes back row by row; for a batch with fixes of a thousand
trips that cost ~0.5 ms per trip. Here the pipeline reads only the columns
detection needs, locks the rows in id order (two batches, or a batch and the
sweeper, never deadlock on them), and writes the changed columns of every
trip back in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from chekara.db import driver
from chekara.db.models import Trip
from chekara.ingest import written_states

_COLUMNS = (
    "SELECT t.id, t.status, t.corridor_id, c.half_width_m, c.updated_at, t.origin_id, t.destination_id,"
    " t.deadline, t.declaration_number, {state}, t.last_fix_at, t.distance_m"
)
_STATE = "convert_from(t.detector_state, 'UTF8')"
# The state's text only where this process does not hold it at the row's version (ingest/written_states.py).
_SELECT = (
    _COLUMNS.format(state=f"CASE WHEN k.version = t.xmin THEN NULL ELSE {_STATE} END")
    + ", td.device_id, td.role, k.version = t.xmin"
    " FROM trip_devices td JOIN trips t ON t.id = td.trip_id JOIN corridors c ON c.id = t.corridor_id"
    " LEFT JOIN unnest(CAST(%(kept_trips)s AS int[]), CAST(%(kept_versions)s AS xid[])) AS k(trip_id, version)"
    " ON k.trip_id = t.id"
    " WHERE td.device_id = ANY(CAST(%(devices)s AS int[])) AND t.status IN ('planned', 'in_transit')"
    " ORDER BY t.id FOR UPDATE OF t"
)
# The sweeper's page of active trips: the ones a batch holds are skipped (swept next time).
_SELECT_ACTIVE = text(
    _COLUMNS.format(state=_STATE) + " FROM trips t JOIN corridors c ON c.id = t.corridor_id"
    " WHERE t.status IN ('planned', 'in_transit') AND t.id > :after"
    " ORDER BY t.id LIMIT :limit FOR UPDATE OF t SKIP LOCKED"
)

# The rows travel as one JSON document: one parameter, parsed by the server, instead of
# nine arrays that the driver escapes element by element (0.8 s per 1,000 trips). The states
# travel beside it, as bytea in binary (%(states)b: no escaping, no parsing), the n-th state
# with the n-th row: inside the document, PostgreSQL's JSON parser read every state's text,
# half of the UPDATE's cost (migration 0014).
_UPDATE = (
    "UPDATE trips SET detector_state = s.state, distance_m = v.distance_m,"
    " last_fix_at = COALESCE(v.last_fix_at, trips.last_fix_at),"
    " last_point = COALESCE(ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), trips.last_point),"
    " last_speed_kmh = CASE WHEN v.last_fix_at IS NULL THEN trips.last_speed_kmh ELSE v.speed END,"
    " last_heading_deg = CASE WHEN v.last_fix_at IS NULL THEN trips.last_heading_deg ELSE v.heading END,"
    " last_progress_m = COALESCE(v.progress, trips.last_progress_m), updated_at = now()"
    " FROM ROWS FROM (json_to_recordset(CAST(%(rows)s AS json)) AS (id int, distance_m float8,"
    " last_fix_at timestamptz, lon float8, lat float8, speed float8, heading float8, progress float8))"
    " WITH ORDINALITY AS v(id, distance_m, last_fix_at, lon, lat, speed, heading, progress, n)"
    " JOIN unnest(%(states)b::bytea[]) WITH ORDINALITY AS s(state, n) ON s.n = v.n"
    " WHERE trips.id = v.id RETURNING trips.id, trips.xmin::text"
)


@dataclass
class TripRow:
    """What detection reads and writes of one trip (the ORM Trip is loaded only to change its status)."""

    id: int
    status: str
    corridor_id: int
    corridor_half_width_m: float
    corridor_version: datetime
    origin_id: int
    destination_id: int
    deadline: datetime
    declaration_number: str
    detector_state: dict[str, Any]
    last_fix_at: datetime | None
    distance_m: float
    #: The newest accepted fix of this batch, if it is newer than last_fix_at: (lon, lat, speed, heading, progress).
    newest: tuple[float, float, float | None, float | None, float | None] | None = None
    roles: dict[int, str] = field(default_factory=dict)


def lock_trips_of(session: Session, device_pks: set[int]) -> dict[int, TripRow]:
    """The active trips of these devices by device pk, their rows locked until commit.

    The detector state is the one this process wrote, if the row still holds it (written_states.py);
    otherwise it comes as its JSON text (convert_from: a bytea in the text protocol would come
    hex-encoded, twice its size, and cost the read what the write saved) and is parsed with orjson
    (the driver's json module took 15 % of the ingest thread's time)."""
    written = written_states.this_process()
    kept = written.take_for(device_pks)
    rows = driver.execute(session, _SELECT, {
        "devices": driver.array_literal(sorted(device_pks)),
        "kept_trips": driver.array_literal(kept), "kept_versions": driver.array_literal(k.version for k in kept.values()),
    })
    trips: dict[int, TripRow] = {}
    by_device: dict[int, TripRow] = {}
    used = 0
    for row in rows:
        trip = trips.get(row[0])
        if trip is None:
            held = row[14]  # this process holds the state the row holds
            trip = trips[row[0]] = _trip_row(row, kept[row[0]].state if held else None)
            used += bool(held)
        device_pk, role = row[12], row[13]
        trip.roles[device_pk] = role
        by_device[device_pk] = trip
    written.count(used=used, read=len(trips) - used)
    return by_device


def _trip_row(row, held_state: dict[str, Any] | None = None) -> TripRow:
    """A trip from its row; its state the one this process holds (held_state), or else the row's text parsed."""
    (trip_id, status, corridor_id, half_width, version, origin_id, destination_id, deadline, number, state,
     last_fix_at, distance_m) = row[:12]
    if held_state is None:
        held_state = orjson.loads(state) if state else {}
    return TripRow(
        trip_id, status, corridor_id, half_width, version, origin_id, destination_id, deadline, number,
        held_state, last_fix_at, distance_m or 0.0,
    )


def lock_active_trips(session: Session, after_id: int, limit: int) -> list[TripRow]:
    """Up to `limit` planned or in-transit trips with ids above after_id, locked; those locked elsewhere skipped."""
    return [_trip_row(row) for row in session.execute(_SELECT_ACTIVE, {"after": after_id, "limit": limit})]


def write_trips(session: Session, trips: list[TripRow]) -> None:
    """One UPDATE for every trip of the batch: detector state, distance and (if newer) the last position."""
    if not trips:
        return
    rows, states = [], []
    for t in trips:
        states.append(orjson.dumps(t.detector_state))
        row = {"id": t.id, "distance_m": t.distance_m}
        if t.newest is not None:
            lon, lat, speed, heading, progress = t.newest
            row |= {"last_fix_at": t.last_fix_at, "lon": lon, "lat": lat, "speed": speed, "heading": heading,
                    "progress": progress}
        rows.append(row)
    versions = driver.execute(session, _UPDATE, {"rows": orjson.dumps(rows).decode(), "states": states})
    by_id = {t.id: t for t in trips}
    written_states.this_process().keep(
        (trip_id, version, by_id[trip_id].detector_state, by_id[trip_id].roles) for trip_id, version in versions)
    # The UPDATE went behind the ORM's back: a Trip this session already holds must reload.
    for held in [o for o in session.identity_map.values() if isinstance(o, Trip) and o.id in by_id]:
        session.expire(held)


def orm_trip(session: Session, trip: TripRow) -> Trip:
    """The ORM Trip, for the rare status change (departure, arrival) whose services take one."""
    return session.get(Trip, trip.id)

"""Migration 0014 turns trips' detector states from json into bytea (their JSON text) and back, losing nothing."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from chekara.db.migrate import alembic_config, upgrade_to_head
from chekara.db.models import Trip
from tests.database import create_scratch_database, database_url, drop_scratch_database, seed_database

#: A state as 0013 stored it: nested detectors, a device id outside ASCII, exact floats.
STATE = {"detectors": {"gps_anomaly": {"devices": {"ESC-ü-1": {"ref": {"ts": "2026-12-04T00:00:00.000001+00:00",
                                                                      "lon": 74.5698765, "lat": 42.8746213}}}}},
         "last_ts": {"ESC-ü-1": "2026-12-04T00:00:00.000001+00:00"}, "odometer": {"ESC-ü-1": {"distance_m": 1234.5}}}
TRIP = ("INSERT INTO trips (declaration_number, status, corridor_id, origin_id, destination_id, planned_departure,"
        " deadline, vehicle_plates, detector_state, distance_m, created_by, created_at, updated_at)"
        " SELECT 'MIG-0014', 'in_transit', c.id, c.origin_id, c.destination_id, now(), now() + interval '1 day', '{}',"
        " CAST(:state AS json), 0, '', now(), now() FROM corridors c ORDER BY c.id LIMIT 1")
COLUMN = ("SELECT atttypid::regtype::text, attcompression::text FROM pg_attribute"
          " WHERE attrelid = 'trips'::regclass AND attname = 'detector_state'")


def test_states_survive_the_change_to_bytea_and_back():
    name = create_scratch_database("chekara_state_bytea")
    engine = create_engine(database_url(name))
    try:
        seed_database(engine)
        command.downgrade(alembic_config(name), "0013")
        with engine.begin() as conn:
            conn.execute(text(TRIP), {"state": json.dumps(STATE)})
        upgrade_to_head(database=name)
        with engine.connect() as conn:
            assert conn.execute(text(COLUMN)).one() == ("bytea", "l")  # the type change dropped lz4: set again
        with Session(engine) as session:
            assert session.scalars(select(Trip.detector_state)).one() == STATE
        command.downgrade(alembic_config(name), "0013")
        with engine.connect() as conn:
            assert conn.execute(text(COLUMN)).one() == ("json", "l")
            assert json.loads(conn.scalar(text("SELECT detector_state::text FROM trips"))) == STATE
        upgrade_to_head(database=name)
    finally:
        engine.dispose()
        drop_scratch_database(name)

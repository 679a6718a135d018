"""A process uses the detector state it wrote only while the trip's row still holds it (ingest/written_states.py).

The whole tracking suite runs through the kept states (each post after a trip's first one takes
its state from memory); these tests pin down when it must not: another writer changed the row,
or the transaction that read the state failed.
"""

from __future__ import annotations

import orjson
from sqlalchemy import text

from chekara.ingest import written_states
from chekara.ingest.trip_rows import lock_trips_of
from tests.integration.tracking_fixtures import convoy, post  # noqa: F401

FAR_M = 1_000_000.0


def _row_state(db_session, trip_id: int) -> dict:
    return orjson.loads(db_session.execute(
        text("SELECT convert_from(detector_state, 'UTF8') FROM trips WHERE id = :id"), {"id": trip_id}).scalar_one())


def _distance_m(db_session, trip_id: int) -> float:
    return db_session.execute(text("SELECT distance_m FROM trips WHERE id = :id"), {"id": trip_id}).scalar_one()


def _counts(client, auth) -> tuple[int, int]:
    """(states used from memory, states read from rows) as GET /api/v1/ingest/stats counts them."""
    stats = client.get("/api/v1/ingest/stats", headers=auth("admin")).json()
    return stats["states_kept_used"], stats["states_read"]


def test_the_state_kept_is_the_state_the_row_holds_and_the_next_post_uses_it(client, auth, convoy, db_session):
    fixes = convoy.track().drive(4).fixes
    post(client, auth, fixes[:10])
    used, read = _counts(client, auth)
    post(client, auth, fixes[10:20])
    assert _counts(client, auth) == (used + 1, read)
    (kept,) = written_states.this_process().take_for(_device_pks(db_session, convoy)).values()
    assert kept.state == _row_state(db_session, convoy.trip_id)


def test_a_state_another_writer_changed_is_read_from_the_row(client, auth, convoy, db_session):
    fixes = convoy.track().drive(4).fixes
    post(client, auth, fixes[:10])
    state = _row_state(db_session, convoy.trip_id)
    state["odometer"][convoy.truck]["distance_m"] = FAR_M  # as the sweeper or another process might write it
    db_session.execute(text("UPDATE trips SET detector_state = convert_to(:state, 'UTF8') WHERE id = :id"),
                       {"state": orjson.dumps(state).decode(), "id": convoy.trip_id})
    used, read = _counts(client, auth)
    post(client, auth, fixes[10:20])
    assert _counts(client, auth) == (used, read + 1)
    assert _distance_m(db_session, convoy.trip_id) > FAR_M  # went on from the row's odometer, not the kept one


def test_a_state_read_in_a_transaction_that_failed_is_read_again_from_the_row(client, auth, convoy, db_session):
    fixes = convoy.track().drive(4).fixes
    post(client, auth, fixes[:10])
    savepoint = db_session.begin_nested()
    trips = lock_trips_of(db_session, set(_device_pks(db_session, convoy)))
    next(iter(trips.values())).detector_state["odometer"][convoy.truck]["distance_m"] = FAR_M  # changed in place
    savepoint.rollback()
    used, read = _counts(client, auth)
    post(client, auth, fixes[10:20])
    assert _counts(client, auth) == (used, read + 1)
    assert _distance_m(db_session, convoy.trip_id) < FAR_M


def test_with_no_states_kept_every_state_is_read(client, auth, convoy, monkeypatch):
    monkeypatch.setattr(written_states.this_process(), "capacity", 0)  # CHEKARA_INGEST_KEPT_STATES=0
    fixes = convoy.track().drive(4).fixes
    post(client, auth, fixes[:10])
    used, read = _counts(client, auth)
    post(client, auth, fixes[10:20])
    assert _counts(client, auth) == (used, read + 1)


def _device_pks(db_session, convoy) -> list[int]:
    return list(db_session.execute(text("SELECT device_id FROM trip_devices WHERE trip_id = :id"),
                                   {"id": convoy.trip_id}).scalars())

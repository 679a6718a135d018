import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chekara.db.models import AuditEntry
from chekara.domain.roles import Actor
from chekara.services import audit, outbox

ACTOR = Actor("auditor-test", "admin")


def _write_three(db_session):
    for i in range(3):
        audit.record(db_session, ACTOR, "update", "test", str(i), {"value": i, "amount": "12.50"})
    db_session.commit()


def test_the_chain_holds_over_real_rows(db_session):
    _write_three(db_session)
    assert audit.verify(db_session) is None


def test_update_and_delete_are_refused_by_the_database(db_session):
    _write_three(db_session)
    last = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    for statement in (
        text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"),
        text("DELETE FROM audit_log WHERE id = :id"),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            with db_session.begin_nested():
                db_session.execute(statement, {"id": last.id})
    with pytest.raises(DBAPIError, match="append-only"):
        with db_session.begin_nested():
            db_session.execute(text("TRUNCATE audit_log"))


def test_verify_finds_a_row_changed_behind_the_trigger(db_session):
    _write_three(db_session)
    ids = list(db_session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    target = ids[-2]
    # As a superuser could: switch triggers off for this transaction and edit the row.
    db_session.execute(text("SET LOCAL session_replication_role = replica"))
    db_session.execute(text("UPDATE audit_log SET change = '{\"value\": 42}' WHERE id = :id"), {"id": target})
    db_session.execute(text("SET LOCAL session_replication_role = origin"))
    db_session.expire_all()
    broken = audit.verify(db_session)
    assert broken is not None and broken.entry_id == target


def test_verify_finds_a_deleted_row(db_session):
    _write_three(db_session)
    ids = list(db_session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    db_session.execute(text("SET LOCAL session_replication_role = replica"))
    db_session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[-2]})
    db_session.execute(text("SET LOCAL session_replication_role = origin"))
    broken = audit.verify(db_session)
    assert broken is not None and broken.entry_id == ids[-1]


def test_state_changing_requests_name_who_and_what(client, auth, db_session):
    client.put("/api/v1/rates/EUR", json={"kgs_per_unit": "99.99", "effective_date": "2026-07-01"}, headers=auth("admin"))
    entries = client.get("/api/v1/audit?entity_type=exchange_rate", headers=auth("admin")).json()
    newest = entries[0]
    assert newest["actor"] == "test-admin" and newest["role"] == "admin"
    assert newest["entity_id"] == "EUR@2026-07-01"
    assert newest["change"]["after"] == "99.99"


def test_an_entry_after_a_rolled_back_savepoint_chains_to_the_one_before_it(db_session):
    """The chain's head is kept in the session while its transaction holds the lock; a savepoint
    rolled back takes its entry with it, and the next entry chains to the one before."""
    kept = audit.record(db_session, ACTOR, "update", "test", "kept", {})
    savepoint = db_session.begin_nested()
    audit.record(db_session, ACTOR, "update", "test", "undone", {})
    savepoint.rollback()
    after = audit.record(db_session, ACTOR, "update", "test", "after", {})
    db_session.commit()
    assert (after.id, after.prev_hash) == (kept.id + 1, kept.hash)
    assert audit.verify(db_session) is None


def test_the_next_transaction_reads_the_head_another_session_moved(seeded):
    with Session(seeded) as mine, Session(seeded) as theirs:
        audit.record(mine, ACTOR, "update", "test", "mine-1", {})
        mine.commit()
        between = audit.record(theirs, ACTOR, "update", "test", "theirs", {})
        theirs.commit()
        after = audit.record(mine, ACTOR, "update", "test", "mine-2", {})
        mine.commit()
        assert (after.id, after.prev_hash) == (between.id + 1, between.hash)
        assert audit.verify(mine) is None


def test_a_transaction_takes_the_lock_and_reads_the_head_once(db_session, seeded):
    """A sweep raising hundreds of alerts appends hundreds of entries in one transaction: the lock
    and the head are the transaction's, not each entry's (flushes in between included)."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *rest):
        statements.append(statement)

    def counts() -> tuple[int, int]:
        return (sum("pg_advisory_xact_lock" in s for s in statements),
                sum(s.startswith("SELECT audit_log.id, audit_log.hash") for s in statements))

    event.listen(seeded, "before_cursor_execute", seen)
    try:
        for i in range(5):
            audit.record(db_session, ACTOR, "update", "test", str(i), {"value": i})
            outbox.emit(db_session, "alert.raised", {"alert_id": i})  # the outbox takes the same lock
        in_one = counts()
        db_session.commit()
        audit.record(db_session, ACTOR, "update", "test", "next", {})
        in_two = counts()
    finally:
        event.remove(seeded, "before_cursor_execute", seen)
    assert in_one == (1, 1) and in_two == (2, 2)
    assert audit.verify(db_session) is None

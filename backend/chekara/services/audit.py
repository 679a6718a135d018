"""Appending to the audit log and verifying its hash chain.

record() is called by every service that changes state, inside the same
transaction as the change, so a change and its audit entry commit together.
A transaction-scoped advisory lock serialises appends: each entry needs the
hash of the one before it. While a transaction holds the lock nobody else can
append, so it takes the lock once and reads the chain's head once, then keeps
the head of its own appends in the session (a sweep raising 400 alerts: three
statements an alert fewer); both are forgotten when any transaction of the
session ends, a savepoint's included.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, SessionTransaction

from chekara.db.models import AuditEntry
from chekara.domain.audit_chain import GENESIS_HASH, AuditRecord, ChainBreak, chain_hash, first_break
from chekara.domain.roles import Actor

#: Arbitrary constant naming the audit log's advisory lock.
_AUDIT_LOCK_KEY = 0x636865_6B61  # "cheka"


#: session.info keys: the append lock is held (for the transaction), and the chain's head as
#: (id, hash) once this transaction has read or appended it.
_LOCK_HELD = "audit_lock_held"
_HEAD = "audit_chain_head"


@event.listens_for(Session, "after_transaction_end")
def _forget_lock_and_head(session: Session, transaction: SessionTransaction) -> None:
    """The lock ends with the transaction, and a rolled-back savepoint takes its entries with it.

    A flush's own inner transaction, which ends with every flush, is neither."""
    if transaction.parent is not None and not transaction.nested:
        return
    session.info.pop(_LOCK_HELD, None)
    session.info.pop(_HEAD, None)


def _json_ready(change: dict[str, Any]) -> dict[str, Any]:
    """The change as it will read back from JSONB (Decimals, dates as strings)."""
    return json.loads(json.dumps(change, default=str))


def serialise_appends(session: Session) -> None:
    """Hold the append lock until this transaction ends.

    The outbox (services.outbox) takes the same lock: its sequence then
    increases in commit order, and one lock for both can never be taken in
    two orders (no deadlock between an audited change and an emitted event).
    """
    if session.info.get(_LOCK_HELD):
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    session.info[_LOCK_HELD] = True


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str | int,
    change: dict[str, Any],
) -> AuditEntry:
    """Append one entry; the caller commits."""
    serialise_appends(session)
    prev_id, prev_hash = _chain_head(session)
    entry_record = AuditRecord(
        id=prev_id + 1,
        at=datetime.now(UTC),
        actor=actor.name,
        role=actor.role,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        change=_json_ready(change),
    )
    entry = AuditEntry(**asdict(entry_record), prev_hash=prev_hash, hash=chain_hash(prev_hash, entry_record))
    session.add(entry)
    session.flush()
    session.info[_HEAD] = (entry.id, entry.hash)
    return entry


def _chain_head(session: Session) -> tuple[int, str]:
    """(id, hash) of the newest entry; the caller holds the append lock."""
    if _HEAD not in session.info:
        last = session.execute(
            select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        session.info[_HEAD] = (last.id, last.hash) if last else (0, GENESIS_HASH)
    return session.info[_HEAD]


def _stored_chain(session: Session, batch_size: int = 5_000) -> Iterator[tuple[AuditRecord, str, str]]:
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch_size))
    record_fields = [f.name for f in fields(AuditRecord)]
    for entry in rows.scalars():
        record = AuditRecord(**{name: getattr(entry, name) for name in record_fields})
        yield record, entry.prev_hash, entry.hash


def verify(session: Session) -> ChainBreak | None:
    """Recompute the whole chain; the first broken entry, or None when it holds."""
    return first_break(_stored_chain(session))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0

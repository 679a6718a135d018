"""Appending to the audit log and verifying its hash chain.

record() is called by every service that changes state, inside the same
transaction as the change, so a change and its audit entry commit together.
A transaction-scoped advisory lock serialises appends: each entry needs the
hash of the one before it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from chekara.db.models import AuditEntry
from chekara.domain.audit_chain import GENESIS_HASH, AuditRecord, ChainBreak, chain_hash, first_break
from chekara.domain.roles import Actor

#: Arbitrary constant naming the audit log's advisory lock.
_AUDIT_LOCK_KEY = 0x636865_6B61  # "cheka"


def _json_ready(change: dict[str, Any]) -> dict[str, Any]:
    """The change as it will read back from JSONB (Decimals, dates as strings)."""
    return json.loads(json.dumps(change, default=str))


def serialise_appends(session: Session) -> None:
    """Hold the append lock until this transaction ends.

    The outbox (services.outbox) takes the same lock: its sequence then
    increases in commit order, and one lock for both can never be taken in
    two orders (no deadlock between an audited change and an emitted event).
    """
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})


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
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (last.id, last.hash) if last else (0, GENESIS_HASH)
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
    return entry


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

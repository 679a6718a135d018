"""The hash chain of the audit log (pure: no database).

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
own canonical content, so changing, removing or reordering any entry breaks
every hash after it. The first entry chains to GENESIS_HASH.

>>> e = AuditRecord(1, datetime(2026, 1, 1, tzinfo=UTC), "ops", "admin", "create", "rate", "USD", {"kgs": "84.80"})
>>> len(chain_hash(GENESIS_HASH, e))
64
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity_type: str
    entity_id: str
    change: dict[str, Any]


def canonical_content(record: AuditRecord) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON, time in UTC to the microsecond."""
    body = {
        "id": record.id,
        "at": record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": record.actor,
        "role": record.role,
        "action": record.action,
        "entity_type": record.entity_type,
        "entity_id": record.entity_id,
        "change": record.change,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_content(record))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first entry whose stored hashes do not match the recomputed chain."""

    entry_id: int
    reason: str


def first_break(entries: Iterable[tuple[AuditRecord, str, str]]) -> ChainBreak | None:
    """Walk (record, stored prev_hash, stored hash) in id order; None when the chain holds."""
    expected_prev = GENESIS_HASH
    expected_id: int | None = None
    for record, stored_prev, stored_hash in entries:
        if expected_id is not None and record.id != expected_id:
            return ChainBreak(record.id, f"entry id {record.id} follows {expected_id - 1}: entries are missing")
        if stored_prev != expected_prev:
            return ChainBreak(record.id, "prev_hash does not match the hash of the entry before it")
        recomputed = chain_hash(stored_prev, record)
        if recomputed != stored_hash:
            return ChainBreak(record.id, "content does not match its hash (the entry was changed)")
        expected_prev = stored_hash
        expected_id = record.id + 1
    return None

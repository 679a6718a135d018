from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chekara.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash, first_break


def _chain(n: int) -> list[tuple[AuditRecord, str, str]]:
    entries, prev = [], GENESIS_HASH
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    for i in range(1, n + 1):
        record = AuditRecord(i, start + timedelta(seconds=i), "ops", "admin", "update", "rate", "USD", {"n": i})
        h = chain_hash(prev, record)
        entries.append((record, prev, h))
        prev = h
    return entries


def test_an_untouched_chain_holds():
    assert first_break(_chain(5)) is None
    assert first_break([]) is None


def test_a_changed_entry_is_named():
    entries = _chain(5)
    record, prev, h = entries[2]
    entries[2] = (replace(record, change={"n": 999}), prev, h)
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3
    assert "changed" in broken.reason


def test_a_removed_entry_is_noticed_at_the_next_one():
    entries = _chain(5)
    del entries[1]
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3


def test_a_removed_first_entry_is_noticed():
    broken = first_break(_chain(3)[1:])
    assert broken is not None and broken.entry_id == 2


def test_rehashing_one_entry_still_breaks_the_next():
    entries = _chain(4)
    record, prev, _ = entries[1]
    forged = replace(record, actor="someone-else")
    entries[1] = (forged, prev, chain_hash(prev, forged))
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3


def test_the_hash_does_not_depend_on_key_order_or_time_zone():
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    a = AuditRecord(1, at, "ops", "admin", "create", "x", "1", {"a": 1, "b": 2})
    b = AuditRecord(1, at.astimezone(ZoneInfo("Asia/Bishkek")), "ops", "admin", "create", "x", "1", {"b": 2, "a": 1})
    assert chain_hash(GENESIS_HASH, a) == chain_hash(GENESIS_HASH, b)

"""The exact bytes of an event: canonical, the same every time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chekara.domain.exchange import Envelope, envelope_bytes
from chekara.domain.exchange.envelope import iso_utc


def _envelope(**data) -> Envelope:
    return Envelope(id="e1", sequence=5, type="crossing.released", schema_version=1,
                    occurred_at=datetime(2026, 5, 2, 14, 40, tzinfo=timezone(timedelta(hours=6))), data=data)


def test_bytes_are_sorted_compact_utf8_and_stable():
    body = envelope_bytes(_envelope(b=1, a="Ак-Жол"))
    assert body == envelope_bytes(_envelope(a="Ак-Жол", b=1))
    assert body.startswith(b'{"data":{"a":"\xd0\x90')  # UTF-8 as is, not \u escapes
    assert b" " not in body
    assert json.loads(body)["occurred_at"] == "2026-05-02T08:40:00Z"


def test_times_are_utc_with_z():
    assert iso_utc(datetime(2026, 5, 2, 8, 40, 0, 123, tzinfo=UTC)) == "2026-05-02T08:40:00.000123Z"
    with pytest.raises(ValueError):
        iso_utc(datetime(2026, 5, 2, 8, 40))

"""Exchange with the neighbouring customs, the pure part: event types, envelopes, signatures, backoff, notice checks.

No database and no HTTP here (docs/EXCHANGE.md describes the whole exchange):

- ``event_types``: the outbound event types and their schema versions;
- ``envelope``: the exact bytes a partner receives for an event;
- ``signing``: HMAC-SHA256 signatures of those bytes, with a timestamp against replays;
- ``backoff``: how long a failed delivery waits before the next attempt;
- ``notice_checks``: a partner's announced weight and seals against ours.
"""

from .backoff import retry_delay_s
from .envelope import Envelope, envelope_bytes
from .event_types import EVENT_TYPES, SCHEMA_VERSION, EventType
from .notice_checks import SealComparison, compare_seals, normalize_seal_id, weight_differs
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, sign, signature_header, verify

__all__ = [
    "EVENT_TYPES",
    "Envelope",
    "EventType",
    "SCHEMA_VERSION",
    "SIGNATURE_HEADER",
    "SealComparison",
    "SignatureError",
    "TIMESTAMP_HEADER",
    "compare_seals",
    "envelope_bytes",
    "normalize_seal_id",
    "retry_delay_s",
    "sign",
    "signature_header",
    "verify",
    "weight_differs",
]

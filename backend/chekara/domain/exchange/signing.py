"""Signatures of webhook deliveries: HMAC-SHA256 under the webhook's secret.

The signed message is the timestamp, a dot, and the body exactly as sent:
``f"{timestamp}.".encode() + body``. Signing the timestamp with the body
means a recorded delivery cannot be replayed later under a fresh timestamp;
the receiver refuses timestamps older than a tolerance (300 s) and
de-duplicates by event id within it.

Headers: ``X-Chekara-Timestamp: <unix seconds>`` and
``X-Chekara-Signature: sha256=<hex>``.

>>> signature_header(b"secret", 1767225600, b'{"a":1}')
'sha256=96a067a1c95eb143fc00b9097bcfcbcd5456adda508c443ff219748e764dbed7'
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Chekara-Signature"
TIMESTAMP_HEADER = "X-Chekara-Timestamp"
#: A receiver refuses a delivery signed longer ago (or further ahead) than this, seconds.
DEFAULT_TOLERANCE_S = 300
_SCHEME = "sha256="


class SignatureError(ValueError):
    """A delivery whose signature does not hold: wrong secret, changed body, stale or bad timestamp."""


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of '<timestamp>.<body>' under secret."""
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    return _SCHEME + sign(secret, timestamp, body)


def verify(secret: bytes, timestamp_header: str, signature: str, body: bytes, now_s: float,
           tolerance_s: float = DEFAULT_TOLERANCE_S) -> None:
    """What a receiver does with a delivery: raise SignatureError unless it is genuine and fresh."""
    try:
        timestamp = int(timestamp_header)
    except (TypeError, ValueError) as exc:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not unix seconds: {timestamp_header!r}") from exc
    if abs(now_s - timestamp) > tolerance_s:
        raise SignatureError(f"the timestamp is {now_s - timestamp:+.0f} s away from now (tolerance {tolerance_s} s)")
    if not signature.startswith(_SCHEME):
        raise SignatureError(f"{SIGNATURE_HEADER} must start with {_SCHEME!r}")
    if not hmac.compare_digest(signature[len(_SCHEME):], sign(secret, timestamp, body)):
        raise SignatureError("the signature does not match the body and timestamp")

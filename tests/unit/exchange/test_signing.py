"""Signatures: the worked example of docs/EXCHANGE.md, and what a receiver must refuse."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from chekara.domain.exchange import SignatureError, sign, signature_header, verify

SECRET = b"kz-kgd-shared-secret-2026"
TIMESTAMP = 1767225600  # 2026-01-01T00:00:00Z
BODY = b'{"data":{"crossing_id":1},"id":"0b7c2b8e-3f52-4d3e-9c3a-2f0e6f1d9a11","type":"crossing.released"}'
DOCS = Path(__file__).resolve().parents[3] / "docs" / "EXCHANGE.md"


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, TIMESTAMP, BODY) == expected
    assert signature_header(SECRET, TIMESTAMP, BODY) == "sha256=" + expected


def test_the_worked_example_in_the_documentation_holds():
    text = DOCS.read_text()
    secret = re.search(r"secret:\s+`([^`]+)`", text).group(1).encode()
    timestamp = int(re.search(r"X-Chekara-Timestamp: (\d+)", text).group(1))
    body = re.search(r"body \(exact bytes\):\n\n```\n(.+?)\n```", text, re.S).group(1).encode()
    header = re.search(r"X-Chekara-Signature: (sha256=[0-9a-f]{64})", text).group(1)
    assert signature_header(secret, timestamp, body) == header
    verify(secret, str(timestamp), header, body, now_s=timestamp + 10)


def test_a_genuine_fresh_delivery_verifies():
    verify(SECRET, str(TIMESTAMP), signature_header(SECRET, TIMESTAMP, BODY), BODY, now_s=TIMESTAMP + 299)


@pytest.mark.parametrize("change", ["body", "secret", "timestamp", "stale", "future", "scheme", "not_a_number"])
def test_a_receiver_refuses(change):
    secret, ts, body, now = SECRET, str(TIMESTAMP), BODY, TIMESTAMP + 1
    header = signature_header(SECRET, TIMESTAMP, BODY)
    if change == "body":
        body = BODY.replace(b"1", b"2", 1)
    elif change == "secret":
        secret = b"another-secret-entirely"
    elif change == "timestamp":  # a replay under a fresh timestamp: the signature covers the timestamp
        ts, now = str(TIMESTAMP + 600), TIMESTAMP + 601
    elif change == "stale":
        now = TIMESTAMP + 301
    elif change == "future":
        now = TIMESTAMP - 301
    elif change == "scheme":
        header = header.replace("sha256=", "sha1=")
    elif change == "not_a_number":
        ts = "yesterday"
    with pytest.raises(SignatureError):
        verify(secret, ts, header, body, now_s=now)

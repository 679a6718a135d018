"""The access log masks credentials carried in query strings."""

from __future__ import annotations

import logging

from chekara.api.access_log import MaskSecretsFilter, mask_secrets


def test_credential_values_are_masked_and_the_rest_is_kept():
    assert mask_secrets("/api/v1/stream?token=chk_abc&x=1") == "/api/v1/stream?token=***&x=1"
    assert mask_secrets("/api/v1/stream?ticket=Zx-9_") == "/api/v1/stream?ticket=***"
    assert mask_secrets("/?lat=42.1&ID=secret-device&lon=74") == "/?lat=42.1&ID=***&lon=74"
    assert mask_secrets("/osmand?deviceid=abc") == "/osmand?deviceid=***"
    assert mask_secrets("/api/v1/trips?trip_id=7&identity=1") == "/api/v1/trips?trip_id=7&identity=1"


def test_uvicorns_access_record_is_masked():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/stream?token=chk_secret", "1.1", 401), None,
    )
    assert MaskSecretsFilter().filter(record)
    assert "chk_secret" not in record.getMessage() and "token=***" in record.getMessage()

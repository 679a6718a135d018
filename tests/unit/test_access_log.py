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


def test_answered_device_reports_make_no_record_and_failures_are_logged_masked():
    from chekara.api.access_log import ACCESS_LOGGER, mask_secrets_in_access_log

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.lines = []

        def emit(self, record):
            self.lines.append(record.getMessage())

    made = []
    logger = logging.getLogger(ACCESS_LOGGER)
    keep, level = Keep(), logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(lambda *a, **k: made.append(a) or factory(*a, **k))
    try:
        mask_secrets_in_access_log()
        mask_secrets_in_access_log()  # twice (each app in a process): still one wrapper
        form = '%s - "%s %s HTTP/%s" %d'
        logger.info(form, "10.0.0.1:1", "GET", "/osmand?id=osm_secret&lat=42", "1.1", 200)
        logger.info(form, "10.0.0.1:1", "POST", "/api/v1/positions", "1.1", 200)
        assert made == [] and keep.lines == []  # not even built
        logger.info(form, "10.0.0.1:1", "GET", "/osmand?id=osm_secret&lat=42", "1.1", 401)
        logger.info(form, "10.0.0.1:1", "GET", "/api/v1/trips", "1.1", 200)
        assert keep.lines == ['10.0.0.1:1 - "GET /osmand?id=***&lat=42 HTTP/1.1" 401',
                              '10.0.0.1:1 - "GET /api/v1/trips HTTP/1.1" 200']
    finally:
        logging.setLogRecordFactory(factory)
        logger.removeHandler(keep)
        logger.setLevel(level)

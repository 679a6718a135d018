"""Access logs keep no secrets: query values that carry a credential are masked before a line is written.

uvicorn logs every request line with its query string. No page of ours puts a token in a URL, and
the event stream's tickets are single-use; but a client may still send one (an old page, a script,
?token= which the stream now refuses), and OsmAnd trackers send their device identifier, itself a
credential, as ?id= or ?deviceid=.

>>> mask_secrets("/api/v1/stream?token=chk_abc&x=1")
'/api/v1/stream?token=***&x=1'
"""

from __future__ import annotations

import logging
import re

#: Query parameters whose values are credentials (case-insensitive).
SECRET_QUERY_PARAMETERS = ("token", "access_token", "ticket", "id", "deviceid")

_SECRET_VALUE = re.compile(r"([?&](?:" + "|".join(SECRET_QUERY_PARAMETERS) + r")=)[^&#\s\"]*", re.IGNORECASE)

#: The logger uvicorn writes request lines to.
ACCESS_LOGGER = "uvicorn.access"


def mask_secrets(text: str) -> str:
    return _SECRET_VALUE.sub(r"\1***", text)


class MaskSecretsFilter(logging.Filter):
    """Masks secret query values in a record's arguments (uvicorn passes the path as one of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(a) if isinstance(a, str) else a for a in record.args)
        return True


#: Device telemetry: thousands of answered reports a second, each already stored with its
#: arrival time (positions.received_at); only their failures go to the access log.
TELEMETRY_PATHS = ("/osmand", "/api/v1/positions")


class SkipAnsweredTelemetryFilter(logging.Filter):
    """Drops the request lines of successful device reports (uvicorn's args: client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and args[4] == 200 and isinstance(args[2], str):
            return not args[2].startswith(TELEMETRY_PATHS)
        return True


_filter = MaskSecretsFilter()
_telemetry_filter = SkipAnsweredTelemetryFilter()


def mask_secrets_in_access_log() -> None:
    """Install the filters once per process (a logger keeps one copy of the same filter)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addFilter(_telemetry_filter)  # first: a dropped line is not masked for nothing
    logger.addFilter(_filter)

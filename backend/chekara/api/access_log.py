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


def is_answered_telemetry(args: object) -> bool:
    """uvicorn's request-line arguments (client, method, path, version, status) of a successful device report."""
    return (isinstance(args, tuple) and len(args) == 5 and args[4] == 200 and isinstance(args[2], str)
            and args[2].startswith(TELEMETRY_PATHS))


def _skipping_answered_telemetry(info):
    """The access logger's `info`, returning before a record is made for a successful device report.

    A filter sees a record only after the logger has built it: at one fix per request, building
    and dropping a record per request was 5 % of the server's event loop (py-spy)."""

    def logged(msg, *args, **kwargs):
        if not is_answered_telemetry(args):
            info(msg, *args, **kwargs)

    logged.skips_answered_telemetry = True
    return logged


_filter = MaskSecretsFilter()


def mask_secrets_in_access_log() -> None:
    """Install the mask (a logger keeps one copy of the same filter) and the skip of answered device reports, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addFilter(_filter)
    if not getattr(logger.info, "skips_answered_telemetry", False):
        logger.info = _skipping_answered_telemetry(logger.info)

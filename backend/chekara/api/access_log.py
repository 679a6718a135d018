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


_filter = MaskSecretsFilter()


def mask_secrets_in_access_log() -> None:
    """Install the filter once per process (a logger keeps one copy of the same filter)."""
    logging.getLogger(ACCESS_LOGGER).addFilter(_filter)

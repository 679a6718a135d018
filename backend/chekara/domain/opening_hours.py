"""When a checkpoint is open: "24/7", or days and hours in Bishkek time, e.g. "Mon-Fri 09:00-18:00".

>>> is_open("Mon-Fri 09:00-18:00", datetime(2026, 12, 5, 6, 0, tzinfo=UTC))  # Saturday
False
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time  # noqa: F401 - UTC for the doctest
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_PATTERN = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)-(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d:\d\d)-(\d\d:\d\d)$")


class OpeningHoursError(ValueError):
    pass


def check_opening_hours(text: str) -> str:
    if text == "24/7" or _PATTERN.match(text):
        return text
    raise OpeningHoursError(f"{text!r} is neither '24/7' nor like 'Mon-Fri 09:00-18:00'")


def is_open(text: str, at: datetime) -> bool:
    if check_opening_hours(text) == "24/7":
        return True
    first, last, opens, closes = _PATTERN.match(text).groups()  # type: ignore[union-attr]
    local = at.astimezone(BISHKEK)
    day = local.weekday()
    if not DAYS.index(first) <= day <= DAYS.index(last):
        return False
    return time.fromisoformat(opens) <= local.time() < time.fromisoformat(closes)

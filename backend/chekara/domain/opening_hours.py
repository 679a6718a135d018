"""When a checkpoint is open, in OpenStreetMap's opening_hours syntax, read in Bishkek time.

Parsing and evaluation are the maintained `opening-hours-py` library's (the
OSM reference grammar): ranges that wrap midnight ("Mo-Su 22:00-06:00") or the
week ("Fr-Mo 09:00-18:00") are open when they should be. The older house form
("Mon-Fri 09:00-18:00") is accepted and converted by `to_osm`.

>>> is_open("Mo-Fr 09:00-18:00", datetime(2026, 12, 5, 6, 0, tzinfo=UTC))  # Saturday
False
>>> is_open("Mo-Su 22:00-06:00", datetime(2026, 12, 5, 20, 0, tzinfo=UTC))  # 02:00 Sunday in Bishkek
True
"""

from __future__ import annotations

import re
from datetime import UTC, datetime  # noqa: F401 - UTC for the doctest
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

BISHKEK = ZoneInfo("Asia/Bishkek")

#: Three-letter day names of the house form before OSM syntax, and their OSM two-letter names.
_HOUSE_DAYS = {"Mon": "Mo", "Tue": "Tu", "Wed": "We", "Thu": "Th", "Fri": "Fr", "Sat": "Sa", "Sun": "Su"}
_HOUSE_DAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")


class OpeningHoursError(ValueError):
    pass


def to_osm(text: str) -> str:
    """The house form ("Mon-Fri 09:00-18:00") written in OSM syntax ("Mo-Fr 09:00-18:00"); OSM text unchanged."""
    return _HOUSE_DAY.sub(lambda m: _HOUSE_DAYS[m.group(1)], text.strip())


@lru_cache(maxsize=256)
def _parsed(text: str) -> opening_hours.OpeningHours:
    try:
        return opening_hours.OpeningHours(text)
    except opening_hours.ParserError as exc:
        raise OpeningHoursError(f"{text!r} is not OpenStreetMap opening_hours syntax, e.g. 'Mo-Fr 09:00-18:00'") from exc


def check_opening_hours(text: str) -> str:
    """The text in OSM syntax, converted from the house form if need be; OpeningHoursError if it does not parse."""
    osm = to_osm(text)
    _parsed(osm)
    return osm


def is_open(text: str, at: datetime) -> bool:
    """Open at the instant `at` (tz-aware); the hours are Bishkek wall-clock time."""
    local = at.astimezone(BISHKEK).replace(tzinfo=None)
    return _parsed(check_opening_hours(text)).is_open(local)

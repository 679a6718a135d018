"""Days as the checkpoints live them: stored times are UTC, days are Asia/Bishkek days.

>>> from datetime import date
>>> [t.isoformat() for t in day_bounds_utc(date(2026, 1, 5))]
['2026-01-04T18:00:00+00:00', '2026-01-05T18:00:00+00:00']
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """The start of day and of the next day in Bishkek, as UTC instants."""
    start = datetime.combine(day, time.min, tzinfo=BISHKEK)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def bishkek_day(instant: datetime) -> date:
    """The Bishkek calendar day of an aware instant."""
    return instant.astimezone(BISHKEK).date()


def today_in_bishkek() -> date:
    return datetime.now(BISHKEK).date()

"""Answer deadlines in working hours: Monday to Friday, 09:00–18:00 in Bishkek, public holidays off.

An SLA of 4 working hours for an inquiry taken on Friday at 16:30 falls due
on Monday at 11:30.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")


@dataclass(frozen=True)
class WorkingCalendar:
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    #: Fixed-date public holidays as (month, day).
    holidays: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and (day.month, day.day) not in self.holidays

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (a tz-aware instant); returned in UTC."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        local = start.astimezone(BISHKEK)
        remaining = timedelta(hours=hours)
        day = local.date()
        cursor = local
        for _ in range(3660):  # ten years of days: far beyond any SLA
            if self.is_working_day(day):
                opening = datetime.combine(day, self.opens, BISHKEK)
                closing = datetime.combine(day, self.closes, BISHKEK)
                begin = max(cursor, opening)
                if begin < closing:
                    available = closing - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(ZoneInfo("UTC"))
                    remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0, 0), BISHKEK)
        raise ValueError("no working time found")


def calendar_from(holidays: Iterable[str], opens: str = "09:00", closes: str = "18:00") -> WorkingCalendar:
    """Holidays as 'MM-DD' strings, hours as 'HH:MM'."""
    parsed = frozenset((int(h[:2]), int(h[3:5])) for h in holidays)
    return WorkingCalendar(time.fromisoformat(opens), time.fromisoformat(closes), parsed)

"""Answer deadlines in working hours: Monday to Friday, 09:00–18:00 in Bishkek, public holidays off.

Public holidays come from the maintained `holidays` package (Kyrgyzstan: the
movable Orozo Ait and Kurman Ait, the New Year and May holiday weeks, days off
moved by decree); local additions (a decree the package does not know yet)
come from knowledge/topics.toml.

An SLA of 4 working hours for an inquiry taken on Friday at 16:30 falls due
on Monday at 11:30.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BISHKEK = ZoneInfo("Asia/Bishkek")


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays in `year` (days off), as the `holidays` package knows them."""
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    #: ISO country code whose public holidays are days off; None for none.
    country: str | None = "KG"
    #: Local additions every year, as (month, day).
    extra_yearly: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    #: Local additions once (a decree's day off).
    extra_dates: frozenset[date] = field(default_factory=frozenset)

    def is_holiday(self, day: date) -> bool:
        if (day.month, day.day) in self.extra_yearly or day in self.extra_dates:
            return True
        return self.country is not None and day in public_holidays(self.country, day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

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


def calendar_from(
    extra_holidays: Iterable[str] = (), opens: str = "09:00", closes: str = "18:00", country: str | None = "KG",
) -> WorkingCalendar:
    """Local additions as 'MM-DD' (every year) or 'YYYY-MM-DD' (once), hours as 'HH:MM'."""
    extra = list(extra_holidays)
    yearly = frozenset((int(h[:2]), int(h[3:5])) for h in extra if len(h) == 5)
    once = frozenset(date.fromisoformat(h) for h in extra if len(h) == 10)
    if any(len(h) not in (5, 10) for h in extra):
        raise ValueError(f"holidays must be 'MM-DD' or 'YYYY-MM-DD': {extra}")
    return WorkingCalendar(time.fromisoformat(opens), time.fromisoformat(closes), country, yearly, once)

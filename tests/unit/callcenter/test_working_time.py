from datetime import UTC, date, datetime

import pytest

from chekara.domain.callcenter.working_time import BISHKEK, WorkingCalendar, calendar_from

CAL = calendar_from()


def bishkek(*args):
    return datetime(*args, tzinfo=BISHKEK)


@pytest.mark.parametrize("start, hours, due", [
    (bishkek(2026, 12, 1, 10, 0), 4, bishkek(2026, 12, 1, 14, 0)),      # Tuesday, within the day
    (bishkek(2026, 12, 1, 16, 30), 4, bishkek(2026, 12, 2, 11, 30)),    # spills into the next morning
    (bishkek(2026, 12, 4, 16, 30), 4, bishkek(2026, 12, 7, 11, 30)),    # Friday -> Monday
    (bishkek(2026, 12, 5, 12, 0), 1, bishkek(2026, 12, 7, 10, 0)),      # taken on Saturday
    (bishkek(2026, 12, 1, 7, 0), 1, bishkek(2026, 12, 1, 10, 0)),       # before opening
    (bishkek(2026, 12, 1, 18, 0), 1, bishkek(2026, 12, 2, 10, 0)),      # exactly at closing
    (bishkek(2026, 3, 19, 17, 0), 2, bishkek(2026, 3, 23, 10, 0)),      # Orozo Ait (Friday 20 March 2026), Nooruz on Saturday
    (bishkek(2026, 5, 26, 17, 0), 2, bishkek(2026, 5, 28, 10, 0)),      # Kurman Ait, Wednesday 27 May 2026
    (bishkek(2026, 12, 31, 17, 0), 2, bishkek(2027, 1, 8, 10, 0)),      # the New Year holiday week, 1-7 January
    (bishkek(2026, 12, 1, 9, 0), 16, bishkek(2026, 12, 2, 16, 0)),      # two working days less two hours
])
def test_deadlines_in_working_hours(start, hours, due):
    assert CAL.add_working_hours(start, hours) == due.astimezone(UTC)


@pytest.mark.parametrize("day", [date(2025, 3, 30), date(2026, 3, 20), date(2025, 6, 6), date(2026, 5, 27)])
def test_movable_holidays_are_days_off(day):
    # Orozo Ait and Kurman Ait follow the lunar calendar: a different date every year.
    assert CAL.is_holiday(day) and not CAL.is_working_day(day)


def test_local_additions_every_year_and_once():
    cal = calendar_from(["12-03", "2026-12-04"])
    assert not cal.is_working_day(date(2026, 12, 3)) and not cal.is_working_day(date(2027, 12, 3))
    assert not cal.is_working_day(date(2026, 12, 4)) and cal.is_working_day(date(2025, 12, 4))
    assert CAL.is_working_day(date(2026, 12, 3))


def test_malformed_addition_is_refused():
    with pytest.raises(ValueError):
        calendar_from(["3 March"])


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_hours(datetime(2026, 12, 1, 10), 1)

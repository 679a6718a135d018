from datetime import UTC, datetime

import pytest

from chekara.domain.callcenter.working_time import BISHKEK, WorkingCalendar, calendar_from

CAL = calendar_from(["01-01", "03-21"])


def bishkek(*args):
    return datetime(*args, tzinfo=BISHKEK)


@pytest.mark.parametrize("start, hours, due", [
    (bishkek(2026, 12, 1, 10, 0), 4, bishkek(2026, 12, 1, 14, 0)),      # Tuesday, within the day
    (bishkek(2026, 12, 1, 16, 30), 4, bishkek(2026, 12, 2, 11, 30)),    # spills into the next morning
    (bishkek(2026, 12, 4, 16, 30), 4, bishkek(2026, 12, 7, 11, 30)),    # Friday -> Monday
    (bishkek(2026, 12, 5, 12, 0), 1, bishkek(2026, 12, 7, 10, 0)),      # taken on Saturday
    (bishkek(2026, 12, 1, 7, 0), 1, bishkek(2026, 12, 1, 10, 0)),       # before opening
    (bishkek(2026, 12, 1, 18, 0), 1, bishkek(2026, 12, 2, 10, 0)),      # exactly at closing
    (bishkek(2026, 3, 20, 17, 0), 2, bishkek(2026, 3, 23, 10, 0)),      # Friday, then Nooruz on Saturday anyway
    (bishkek(2026, 12, 31, 17, 0), 2, bishkek(2027, 1, 4, 10, 0)),      # New Year holiday, then the weekend
    (bishkek(2026, 12, 1, 9, 0), 16, bishkek(2026, 12, 2, 16, 0)),      # two working days less two hours
])
def test_deadlines_in_working_hours(start, hours, due):
    assert CAL.add_working_hours(start, hours) == due.astimezone(UTC)


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_hours(datetime(2026, 12, 1, 10), 1)

from datetime import datetime

import pytest

from chekara.domain.opening_hours import BISHKEK, OpeningHoursError, check_opening_hours, is_open, to_osm


def bishkek(*args):
    return datetime(*args, tzinfo=BISHKEK)


@pytest.mark.parametrize("hours, at, expected", [
    ("24/7", bishkek(2026, 12, 6, 3, 0), True),
    ("Mo-Fr 09:00-18:00", bishkek(2026, 12, 4, 17, 59), True),       # Friday
    ("Mo-Fr 09:00-18:00", bishkek(2026, 12, 4, 18, 0), False),       # closing time is closed
    ("Mo-Fr 09:00-18:00", bishkek(2026, 12, 5, 12, 0), False),       # Saturday
    # A range that wraps midnight: open late evening and early morning, closed at noon.
    ("Mo-Su 22:00-06:00", bishkek(2026, 12, 2, 23, 30), True),
    ("Mo-Su 22:00-06:00", bishkek(2026, 12, 3, 5, 59), True),
    ("Mo-Su 22:00-06:00", bishkek(2026, 12, 3, 12, 0), False),
    # A range that wraps the week: Friday to Monday, not Tuesday to Thursday.
    ("Fr-Mo 09:00-18:00", bishkek(2026, 12, 4, 10, 0), True),        # Friday
    ("Fr-Mo 09:00-18:00", bishkek(2026, 12, 6, 10, 0), True),        # Sunday
    ("Fr-Mo 09:00-18:00", bishkek(2026, 12, 7, 10, 0), True),        # Monday
    ("Fr-Mo 09:00-18:00", bishkek(2026, 12, 8, 10, 0), False),       # Tuesday
    ("Fr-Mo 09:00-18:00", bishkek(2026, 12, 10, 10, 0), False),      # Thursday
    # The house form before OSM syntax is read the same way.
    ("Fri-Mon 09:00-18:00", bishkek(2026, 12, 6, 10, 0), True),
    ("Mon-Sun 22:00-06:00", bishkek(2026, 12, 3, 2, 0), True),
    # Seasonal, as Karkyra's post would be written: May to October.
    ("May-Oct Mo-Su 08:00-20:00", bishkek(2026, 7, 1, 10, 0), True),
    ("May-Oct Mo-Su 08:00-20:00", bishkek(2026, 12, 1, 10, 0), False),
])
def test_is_open(hours, at, expected):
    assert is_open(hours, at) is expected


def test_instants_are_read_in_bishkek_time():
    # 20:00 UTC on Saturday is 02:00 on Sunday in Bishkek (UTC+6).
    from datetime import UTC
    assert is_open("Su 00:00-06:00", datetime(2026, 12, 5, 20, 0, tzinfo=UTC))


def test_house_form_is_converted_to_osm():
    assert to_osm("Mon-Fri 09:00-18:00") == "Mo-Fr 09:00-18:00"
    assert check_opening_hours("Fri-Mon 09:00-18:00") == "Fr-Mo 09:00-18:00"
    assert check_opening_hours("24/7") == "24/7"


@pytest.mark.parametrize("text", ["sometimes", "Mo-Fr 25:00-26:00", ""])
def test_malformed_hours_are_refused(text):
    with pytest.raises(OpeningHoursError):
        check_opening_hours(text)

"""Travel direction from the declaration, and Bishkek days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chekara.domain.bishkek_time import bishkek_day, day_bounds_utc
from chekara.domain.travel_direction import TravelDirection, travel_direction


def test_direction_follows_the_declared_entry_and_exit():
    assert travel_direction(1, entry_checkpoint_id=1, exit_checkpoint_id=2) is TravelDirection.inbound
    assert travel_direction(2, entry_checkpoint_id=1, exit_checkpoint_id=2) is TravelDirection.outbound
    assert travel_direction(3, entry_checkpoint_id=1, exit_checkpoint_id=2) is TravelDirection.unknown
    assert travel_direction(2, entry_checkpoint_id=None, exit_checkpoint_id=2) is TravelDirection.outbound
    assert travel_direction(1, entry_checkpoint_id=None, exit_checkpoint_id=None) is TravelDirection.unknown


def test_a_bishkek_day_starts_at_18_utc_the_day_before():
    start, end = day_bounds_utc(date(2026, 1, 5))
    assert start == datetime(2026, 1, 4, 18, tzinfo=UTC) and end == datetime(2026, 1, 5, 18, tzinfo=UTC)
    assert bishkek_day(datetime(2026, 1, 4, 18, 30, tzinfo=UTC)) == date(2026, 1, 5)
    assert bishkek_day(datetime(2026, 1, 4, 17, 59, tzinfo=UTC)) == date(2026, 1, 4)

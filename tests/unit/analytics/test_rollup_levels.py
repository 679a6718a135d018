"""Which rollup level answers a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chekara.domain.analytics.rollup_levels import choose_level, day_range, on_day_boundaries

MIDNIGHT = datetime(2026, 10, 1, tzinfo=UTC)


def test_whole_utc_days_read_the_daily_level_anything_else_the_hourly():
    assert choose_level(MIDNIGHT, MIDNIGHT + timedelta(days=30), "fixes", None) == "day"
    assert choose_level(MIDNIGHT, MIDNIGHT + timedelta(days=1), "trips", None) == "day"
    assert choose_level(MIDNIGHT, MIDNIGHT + timedelta(hours=23), "fixes", None) == "hour"
    assert choose_level(MIDNIGHT + timedelta(hours=1), MIDNIGHT + timedelta(days=30), "dwell", None) == "hour"


def test_midnight_is_utc_midnight():
    bishkek = timezone(timedelta(hours=6))
    assert not on_day_boundaries(datetime(2026, 10, 1, tzinfo=bishkek), datetime(2026, 10, 2, tzinfo=bishkek))
    assert on_day_boundaries(datetime(2026, 10, 1, 6, tzinfo=bishkek), datetime(2026, 10, 2, 6, tzinfo=bishkek))
    assert day_range(MIDNIGHT, MIDNIGHT + timedelta(days=2)) == (MIDNIGHT.date(), (MIDNIGHT + timedelta(days=2)).date())


def test_distinct_trips_along_a_corridor_need_the_hourly_sets():
    assert choose_level(MIDNIGHT, MIDNIGHT + timedelta(days=30), "trips", "OSH-DOSTUK") == "hour"
    assert choose_level(MIDNIGHT, MIDNIGHT + timedelta(days=30), "speed", "OSH-DOSTUK") == "day"

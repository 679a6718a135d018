"""Calendar months of positions: parsing, bounds, partitions, when a month is closed, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chekara.domain.archive.months import (
    closed_after,
    is_closed,
    is_partition_name,
    month_bounds,
    month_days,
    months_ahead,
    parse_month,
    partition_month,
    partition_name,
    retention_allows,
)


@pytest.mark.parametrize("text", ["2026-1", "26-01", "2026-13", "2026-00", "2026/01", "", "0000-01", "2026-01-01"])
def test_a_month_is_yyyy_mm(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_bounds_days_and_partition_names_across_the_year_end():
    december = parse_month("2026-12")
    assert month_bounds(december) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert len(month_days(december)) == 31 and len(month_days(parse_month("2028-02"))) == 29
    assert partition_name(december) == "positions_2026_12" and partition_month("positions_2026_12") == december
    assert is_partition_name("positions_default") and is_partition_name("positions_2026_12")
    assert not is_partition_name("positions") and partition_month("positions_default") is None
    assert months_ahead(datetime(2026, 12, 31, 23, tzinfo=UTC), 2) == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


def test_a_month_closes_when_ingest_can_no_longer_accept_its_fixes():
    october = parse_month("2026-10")
    # Ingest refuses fixes older than 7 days; one more day for batches in flight.
    assert closed_after(october, 7.0) == datetime(2026, 11, 9, tzinfo=UTC)
    assert not is_closed(october, datetime(2026, 11, 8, 23, 59, tzinfo=UTC), 7.0)
    assert is_closed(october, datetime(2026, 11, 9, tzinfo=UTC), 7.0)


def test_retention_keeps_the_newest_months_and_zero_keeps_everything():
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert not retention_allows(date(2001, 1, 1), now, 0)
    # Three months kept: December, November, October; September may go.
    assert retention_allows(date(2026, 9, 1), now, 3) and not retention_allows(date(2026, 10, 1), now, 3)
    assert retention_allows(date(2025, 12, 1), now, 12) and not retention_allows(date(2026, 1, 1), now, 12)

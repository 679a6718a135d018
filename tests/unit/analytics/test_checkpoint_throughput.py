"""Checkpoint throughput by hour and Bishkek day, processing-time distribution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chekara.domain.analytics.checkpoint_throughput import (
    CrossingTimes,
    histogram_labels,
    processing_distribution,
    throughput,
)

T0 = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # 06:00 in Bishkek


def crossing(direction: str, entered_h: float, exited_h: float | None, read: bool = True) -> CrossingTimes:
    entered = T0 + timedelta(hours=entered_h)
    exited = None if exited_h is None else T0 + timedelta(hours=exited_h)
    return CrossingTimes(direction, entered, exited, exited if read else None)


def test_hourly_rows_cover_every_hour_and_direction():
    rows = throughput([crossing("inbound", 0.5, 2.25), crossing("outbound", 1.1, None)], "hour", T0, T0 + timedelta(hours=3))
    assert len(rows) == 3 * 3
    counts = {(r.period_start.hour, r.direction): (r.entries, r.exits) for r in rows}
    assert counts[(0, "inbound")] == (1, 0)
    assert counts[(2, "inbound")] == (0, 1)
    assert counts[(1, "outbound")] == (1, 0)
    assert sum(r.entries for r in rows) == 2 and sum(r.exits for r in rows) == 1


def test_days_are_bishkek_days():
    # 17:30 UTC on the 5th is 23:30 in Bishkek (the 5th); 18:30 UTC is 00:30 on the 6th.
    crossings = [crossing("inbound", 17.5, 17.75), crossing("inbound", 18.5, 19)]
    rows = [r for r in throughput(crossings, "day", T0, T0 + timedelta(days=2)) if r.direction == "inbound"]
    by_day = {r.day.isoformat(): r.entries for r in rows}
    assert by_day["2026-01-05"] == 1 and by_day["2026-01-06"] == 1
    assert rows[0].period_start == datetime(2026, 1, 4, 18, tzinfo=UTC)


def test_events_outside_the_window_do_not_count():
    rows = throughput([crossing("unknown", -2, -1)], "hour", T0, T0 + timedelta(hours=1))
    assert sum(r.entries + r.exits for r in rows) == 0


def test_processing_distribution_and_histogram():
    d = processing_distribution([10, 20, 40, 90, 600])
    assert d.processed == 5
    assert d.median_min == 40
    assert d.p90_min == pytest.approx(396)
    assert d.histogram == {"<15": 1, "15-30": 1, "30-60": 1, "60-120": 1, "120-240": 0, "240-480": 0, "480+": 1}
    assert list(d.histogram) == histogram_labels()
    assert processing_distribution([]).median_min is None


def test_processing_time_needs_an_exit_read():
    assert crossing("inbound", 0, 1, read=False).processing_min is None
    assert crossing("inbound", 0, 1.5).processing_min == 90

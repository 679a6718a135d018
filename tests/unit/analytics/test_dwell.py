"""Dwell: the additive per-fix dwell, zone visits, distributions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chekara.domain.analytics.dwell import DWELL_CAP_S, ZoneFix, dwell_summary, fix_dwell_s, zone_visits

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_each_fix_owns_the_time_to_the_next_capped_and_the_last_owns_nothing():
    assert fix_dwell_s([0, 10, 25, 25 + DWELL_CAP_S + 1]) == [10.0, 15.0, float(DWELL_CAP_S), 0.0]
    assert fix_dwell_s([]) == []


def test_a_late_fix_splits_an_interval_and_the_total_stays_additive():
    before = fix_dwell_s([0, 100, 200])
    after = fix_dwell_s([0, 40, 100, 200])
    # Fix 0 loses 60 s to the late fix at 40, which gains them: the sum is unchanged.
    assert before[0] - after[0] == 60 and after[1] == 60
    assert sum(before) == sum(after)


def test_a_late_fix_across_a_long_gap_adds_dwell_the_cap_had_dropped():
    before = fix_dwell_s([0, 1000])
    after = fix_dwell_s([0, 500, 1000])
    assert sum(before) == DWELL_CAP_S
    assert sum(after) == 1000


def test_visits_are_runs_of_one_zone_per_device():
    fixes = [
        ZoneFix(1, 10, at(0), None),
        ZoneFix(1, 10, at(1), 5), ZoneFix(1, 10, at(2), 5), ZoneFix(1, 10, at(30), 5),
        ZoneFix(1, 10, at(31), None),
        ZoneFix(1, 10, at(50), 5),  # back again: a second visit, still open at the end
        ZoneFix(2, 11, at(3), 5), ZoneFix(2, 11, at(8), 6), ZoneFix(2, 11, at(9), None),
    ]
    visits = zone_visits(fixes)
    assert [(v.device_id, v.zone_id, v.dwell_s, v.fixes, v.closed) for v in visits] == [
        (1, 5, 29 * 60.0, 3, True),
        (1, 5, 0.0, 1, False),
        (2, 5, 0.0, 1, True),
        (2, 6, 0.0, 1, True),
    ]


def test_a_device_whose_fixes_end_inside_has_an_open_visit():
    (visit,) = zone_visits([ZoneFix(1, None, at(0), 3), ZoneFix(1, None, at(20), 3)])
    assert not visit.closed and visit.dwell_s == 1200


def test_summary_median_and_p90_interpolate():
    summary = dwell_summary([600, 1200, 1800, 2400, 3000, 3600, 4200, 4800, 5400, 6000])
    assert summary.visits == 10
    assert summary.median_s == 3300
    assert summary.p90_s == pytest.approx(5460)
    assert summary.max_s == 6000
    assert dwell_summary([]).median_s is None

"""bench/load.py's rate window by window: where a phase stalled (a sweep holding the trips, say) shows as a dip."""

from __future__ import annotations

from bench.load import Tally


def test_acknowledgements_are_counted_in_the_window_they_came_in():
    tally = Tally(started=100.0, seconds=30.5)
    tally.acknowledged_at = [100.0, 105.0, 109.99, 110.0, 125.0, 129.9, 130.2]
    # Three whole windows; the last half-window (130.0-130.5) is left out.
    assert tally.rates_by_window(10.0) == [0.3, 0.1, 0.2]


def test_a_phase_shorter_than_a_window_has_none():
    tally = Tally(started=0.0, seconds=4.0)
    tally.acknowledged_at = [1.0, 2.0]
    assert tally.rates_by_window(10.0) == []

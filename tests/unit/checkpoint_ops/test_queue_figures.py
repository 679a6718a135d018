"""Queue figures: percentiles and the estimated wait of a vehicle arriving now."""

from __future__ import annotations

import pytest

from chekara.domain.queue_figures import percentile, queue_figures


@pytest.mark.parametrize(
    "values, q, expected",
    [([], 50, None), ([42], 50, 42.0), ([42], 90, 42.0), ([10, 20], 50, 15.0), ([30, 10, 20], 50, 20.0),
     ([10, 20, 30, 40], 90, 37.0), ([10, 20, 30, 40], 0, 10.0), ([10, 20, 30, 40], 100, 40.0),
     (list(range(1, 11)), 90, 9.1)],
)
def test_percentiles_interpolate_between_ranks(values, q, expected):
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


def test_a_percentile_out_of_range_is_an_error():
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_nothing_processed_means_no_estimate():
    f = queue_figures(inside=5, processing_minutes=[], window_hours=6, lanes=4)
    assert (f.median_min, f.p90_min, f.estimated_wait_min, f.estimate_basis) == (None, None, None, "no data")
    assert f.inside == 5 and f.exits_per_hour == 0


@pytest.mark.parametrize(
    "inside, wait, basis",
    [(0, 40.0, "free lane"), (3, 40.0, "free lane"), (4, 80.0, "lanes busy"), (7, 80.0, "lanes busy"),
     (8, 120.0, "lanes busy"), (21, 240.0, "lanes busy")],
)
def test_the_newcomer_waits_a_median_per_round_of_busy_lanes(inside, wait, basis):
    f = queue_figures(inside=inside, processing_minutes=[30, 40, 50], window_hours=2, lanes=4)
    assert (f.estimated_wait_min, f.estimate_basis) == (wait, basis)


def test_a_quiet_window_does_not_inflate_the_wait():
    # One vehicle in six hours: the exit rate is low because few came, not because the lanes are slow.
    f = queue_figures(inside=1, processing_minutes=[50], window_hours=6, lanes=2)
    assert (f.estimated_wait_min, f.exits_per_hour) == (50.0, 0.17)


def test_figures_are_rounded_to_a_tenth_of_a_minute():
    f = queue_figures(inside=0, processing_minutes=[12.34, 20.0], window_hours=1, lanes=1)
    assert f.median_min == 16.2 and f.p90_min == 19.2  # 16.17 and 19.234


def test_the_window_and_lanes_must_be_positive():
    with pytest.raises(ValueError):
        queue_figures(inside=0, processing_minutes=[1], window_hours=0, lanes=1)
    with pytest.raises(ValueError):
        queue_figures(inside=0, processing_minutes=[1], window_hours=1, lanes=0)

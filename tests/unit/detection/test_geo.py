import pytest

from chekara.domain.detection.geo import haversine_m


def test_one_degree_of_latitude():
    assert haversine_m(74.0, 42.0, 74.0, 43.0) == pytest.approx(111_195, abs=1)


def test_bishkek_to_osh():
    # Bishkek (74.59, 42.87) to Osh (72.80, 40.51): about 300 km as the crow flies
    assert haversine_m(74.59, 42.87, 72.80, 40.51) == pytest.approx(300_000, rel=0.02)


def test_same_point_is_zero_and_symmetric():
    assert haversine_m(74.6, 42.87, 74.6, 42.87) == 0.0
    assert haversine_m(74.6, 42.87, 75.0, 42.0) == haversine_m(75.0, 42.0, 74.6, 42.87)

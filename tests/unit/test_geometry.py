import pytest
from shapely.geometry import LineString, Point

from chekara.domain.geometry import SEGMENT_LENGTH_M, circle, distance_m, length_m, split_line

# Bishkek -> Balykchy, roughly: about 150 km.
BISHKEK_BALYKCHY = LineString([(74.60, 42.87), (75.30, 42.83), (75.75, 42.65), (76.19, 42.46)])


def test_length_of_a_degree_of_latitude_is_about_111_km():
    assert length_m(LineString([(74.8, 41.0), (74.8, 42.0)])) == pytest.approx(111_000, rel=0.003)


def test_split_line_gives_pieces_of_about_5_km_that_cover_the_line():
    pieces = split_line(BISHKEK_BALYKCHY)
    total = length_m(BISHKEK_BALYKCHY)
    assert len(pieces) == pytest.approx(total / SEGMENT_LENGTH_M, abs=1)
    assert pieces[0].start_m == 0
    for before, after in zip(pieces, pieces[1:]):
        assert after.start_m > before.start_m
        assert Point(before.line.coords[-1]).distance(Point(after.line.coords[0])) < 1e-9
    assert sum(length_m(p.line) for p in pieces) == pytest.approx(total, rel=1e-6)
    assert all(length_m(p.line) <= SEGMENT_LENGTH_M * 1.21 for p in pieces)


def test_split_line_keeps_the_end_point():
    pieces = split_line(BISHKEK_BALYKCHY)
    assert pieces[-1].line.coords[-1] == pytest.approx(BISHKEK_BALYKCHY.coords[-1])


def test_a_short_line_is_one_piece():
    line = LineString([(74.6, 42.87), (74.61, 42.87)])
    assert len(split_line(line)) == 1


def test_circle_has_the_radius_in_metres():
    centre = Point(74.6, 42.87)
    ring = circle(centre, 1000)
    for x, y in list(ring.exterior.coords)[:-1]:
        assert distance_m(centre, Point(x, y)) == pytest.approx(1000, rel=0.002)


def test_split_line_refuses_a_non_positive_length():
    with pytest.raises(ValueError):
        split_line(BISHKEK_BALYKCHY, 0)

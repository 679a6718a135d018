from datetime import datetime

import pytest

from .tracks import fix


def test_outside_corridor_is_strictly_beyond_the_half_width():
    assert fix(0, corridor_distance_m=500.1, half_width_m=500.0).outside_corridor
    assert not fix(0, corridor_distance_m=500.0, half_width_m=500.0).outside_corridor
    assert not fix(0, corridor_distance_m=None).outside_corridor


def test_naive_timestamps_and_unknown_roles_are_refused():
    good = fix(0)
    with pytest.raises(ValueError):
        type(good)(**{**good.__dict__, "ts": datetime(2024, 5, 1, 8, 0)})
    with pytest.raises(ValueError):
        fix(0, role="driver")

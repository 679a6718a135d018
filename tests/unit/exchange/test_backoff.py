"""The retry schedule: doubling from the base, capped."""

from __future__ import annotations

import pytest

from chekara.domain.exchange import retry_delay_s


def test_the_default_schedule_doubles_from_5_s_up_to_15_min():
    delays = [retry_delay_s(n, base_s=5, cap_s=900) for n in range(1, 12)]
    assert delays == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    # Eleven failures before the 12th (last) attempt: 66 min of trying.
    assert sum(delays) == 3975


def test_the_test_schedule_is_short():
    assert [retry_delay_s(n, 0.2, 1.0) for n in (1, 2, 3, 4)] == [0.2, 0.4, 0.8, 1.0]


def test_a_huge_attempt_count_does_not_overflow():
    assert retry_delay_s(10_000, 5, 900) == 900


@pytest.mark.parametrize("args", [(0, 5, 900), (1, 0, 900), (1, 10, 5)])
def test_nonsense_is_refused(args):
    with pytest.raises(ValueError):
        retry_delay_s(*args)

"""The detector states a process keeps after writing them (ingest/written_states.py): taken when read,
kept again when written, bounded in number and in age."""

from __future__ import annotations

from chekara.ingest.written_states import WrittenStates


def test_a_kept_state_is_taken_once_for_a_device_of_its_trip():
    states = WrittenStates(capacity=10)
    state = {"detectors": {}}
    states.keep([(7, "1001", state, [70, 71])], now=0.0)
    taken = states.take_for([71, 99], now=1.0)
    assert list(taken) == [7] and taken[7].version == "1001" and taken[7].state is state
    # Taken out: a transaction that fails after reading it leaves nothing behind to match.
    assert states.take_for([70, 71], now=2.0) == {}
    assert len(states) == 0


def test_both_devices_of_a_trip_take_its_state_once():
    states = WrittenStates(capacity=10)
    states.keep([(7, "1001", {}, [70, 71])], now=0.0)
    assert list(states.take_for([70, 71], now=1.0)) == [7]


def test_a_device_moved_to_another_trip_takes_that_trip_s_state():
    states = WrittenStates(capacity=10)
    states.keep([(7, "1001", {"trip": 7}, [70])], now=0.0)
    states.keep([(8, "1002", {"trip": 8}, [70])], now=1.0)
    assert {trip: kept.state for trip, kept in states.take_for([70], now=2.0).items()} == {8: {"trip": 8}}


def test_the_least_recently_written_trips_go_first_past_the_capacity():
    states = WrittenStates(capacity=2)
    for trip in (1, 2, 3):
        states.keep([(trip, str(trip), {}, [trip * 10])], now=float(trip))
    states.keep([(2, "22", {}, [20])], now=4.0)  # written again: now the newest
    states.keep([(4, "4", {}, [40])], now=5.0)
    assert sorted(states.take_for([10, 20, 30, 40], now=6.0)) == [2, 4]


def test_a_state_older_than_the_age_limit_is_not_used():
    states = WrittenStates(capacity=10, max_age_s=60.0)
    states.keep([(1, "1", {}, [10])], now=0.0)
    states.keep([(2, "2", {}, [20])], now=30.0)
    assert list(states.take_for([10, 20], now=70.0)) == [2]


def test_old_states_are_dropped_when_others_are_written():
    states = WrittenStates(capacity=10, max_age_s=60.0)
    states.keep([(1, "1", {}, [10])], now=0.0)
    states.keep([(2, "2", {}, [20])], now=61.0)
    assert len(states) == 1


def test_capacity_zero_keeps_nothing():
    states = WrittenStates(capacity=0)
    states.keep([(1, "1", {}, [10])], now=0.0)
    assert len(states) == 0 and states.take_for([10], now=0.0) == {}

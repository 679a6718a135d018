from chekara.domain.detection import AlertRaised, AlertResolved, OverdueDetector

from .tracks import TH, Tick, assert_batch_invariant, at, iso, replay, types

DET = OverdueDetector()
DEADLINE = at(3600)


def late(t_s: float) -> Tick:
    return Tick(t_s, {"deadline": DEADLINE, "arrived": False, "in_transit": True})


def test_past_the_deadline_raises_once():
    _, events = replay(DET, [late(3000), late(3601), late(4000), late(9000)])
    assert types(events) == [("AlertRaised", "overdue")]
    assert events[0].ts == at(3601)
    assert events[0].key is None
    assert events[0].evidence == {"deadline_ts": iso(3600), "overdue_s": 1.0}


def test_exactly_at_the_deadline_is_on_time():
    assert replay(DET, [late(3600)])[1] == []


def test_arrival_resolves():
    state, events = replay(DET, [late(4000)])
    state, resolved = DET.on_arrival(state, at(5400), TH)
    assert types(resolved) == [("AlertResolved", "overdue")]
    assert resolved[0].ts == at(5400)
    assert resolved[0].evidence == {"deadline_ts": iso(3600), "arrived_ts": iso(5400), "overdue_s": 1800.0,
                                    "reason": "arrived"}
    assert DET.on_arrival(state, at(5500), TH) == (state, [])


def test_arrived_in_the_clock_context_resolves_too():
    steps = [late(4000), Tick(6000, {"deadline": DEADLINE, "arrived": True, "arrived_ts": at(5400)}),
             Tick(6100, {"deadline": DEADLINE, "arrived": True})]
    _, events = replay(DET, steps)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    assert events[1].evidence["arrived_ts"] == iso(5400)


def test_arrived_before_the_deadline_raises_nothing():
    steps = [late(3000), Tick(4000, {"deadline": DEADLINE, "arrived": True, "arrived_ts": at(3500)})]
    assert replay(DET, steps)[1] == []


def test_no_deadline_raises_nothing():
    assert replay(DET, [Tick(10**6, {"deadline": None, "arrived": False})])[1] == []


def test_an_extended_deadline_resolves_and_can_be_missed_again():
    extended = at(7200)
    steps = [late(4000), Tick(4100, {"deadline": extended, "arrived": False}),
             Tick(7300, {"deadline": extended, "arrived": False})]
    _, events = replay(DET, steps)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised]
    assert events[1].evidence["reason"] == "deadline_extended"
    assert events[1].evidence["new_deadline_ts"] == iso(7200)
    assert events[2].evidence == {"deadline_ts": iso(7200), "overdue_s": 100.0}


def test_one_batch_or_many_give_the_same_events():
    steps = [late(t) for t in range(3000, 6000, 300)] + [Tick(6000, {"deadline": DEADLINE, "arrived": True})]
    events = assert_batch_invariant(DET, steps)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]

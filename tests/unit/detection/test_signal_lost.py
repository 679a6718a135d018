from chekara.domain.detection import AlertRaised, AlertResolved, SignalLostDetector

from .tracks import Tick, assert_batch_invariant, fix, iso, replay, track, types

DET = SignalLostDetector()
IN_TRANSIT = {"in_transit": True}


def test_ten_minutes_of_silence_raises_and_the_next_fix_resolves():
    steps = track(0, 300, 30) + [Tick(600, IN_TRANSIT), Tick(900, IN_TRANSIT), Tick(1200, IN_TRANSIT),
                                 fix(1500), Tick(1600, IN_TRANSIT)]
    _, events = replay(DET, steps)
    assert types(events) == [("AlertRaised", "signal_lost"), ("AlertResolved", "signal_lost")]
    raised, resolved = events
    assert raised.ts.isoformat() == iso(900)
    assert raised.key == "trk-1"
    assert raised.evidence["last_fix_ts"] == iso(300)
    assert raised.evidence["silent_s"] == 600.0
    assert (raised.evidence["lon"], raised.evidence["lat"]) == (fix(300).lon, fix(300).lat)
    assert resolved.ts.isoformat() == iso(1500)
    assert resolved.evidence == {"device_id": "trk-1", "role": "vehicle", "gap_s": 1200.0,
                                 "last_fix_ts": iso(300), "resumed_ts": iso(1500)}


def test_exactly_ten_minutes_raises_and_one_second_less_does_not():
    assert types(replay(DET, [fix(0), Tick(600, IN_TRANSIT)])[1]) == [("AlertRaised", "signal_lost")]
    assert replay(DET, [fix(0), Tick(599, IN_TRANSIT)])[1] == []


def test_only_one_alert_per_gap():
    steps = [fix(0)] + [Tick(t, IN_TRANSIT) for t in range(600, 3600, 60)] + [fix(3600)]
    _, events = replay(DET, steps)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]


def test_a_new_gap_raises_a_new_alert():
    steps = [fix(0), Tick(700, IN_TRANSIT), fix(800), Tick(1300, IN_TRANSIT), Tick(1400, IN_TRANSIT)]
    _, events = replay(DET, steps)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised]


def test_not_in_transit_raises_nothing():
    assert replay(DET, [fix(0), Tick(5000, {"in_transit": False})])[1] == []
    assert replay(DET, [fix(0), Tick(5000)])[1] == []


def test_no_fix_yet_raises_nothing():
    assert replay(DET, [Tick(5000, IN_TRANSIT)])[1] == []


def test_each_device_is_watched():
    # the escort phone keeps reporting; the truck's tracker goes quiet at 60 s
    steps = track(0, 60, 30) + track(0, 900, 30, device_id="esc-1", role="escort")
    steps = sorted(steps, key=lambda f: f.ts) + [Tick(900, IN_TRANSIT)]
    _, events = replay(DET, steps)
    assert [(type(e), e.key) for e in events] == [(AlertRaised, "trk-1")]
    assert events[0].evidence["silent_s"] == 840.0


def test_extra_context_is_ignored():
    steps = [fix(0), Tick(600, {"in_transit": True, "deadline": None, "arrived": False})]
    assert len(replay(DET, steps)[1]) == 1


def test_one_batch_or_many_give_the_same_events():
    steps = track(0, 300, 30) + [Tick(t, IN_TRANSIT) for t in range(330, 1500, 60)] + track(1500, 1800, 30) \
        + [Tick(2500, IN_TRANSIT), fix(2600, device_id="esc-1", role="escort"), Tick(3300, IN_TRANSIT)]
    events = assert_batch_invariant(DET, steps)
    assert [(type(e), e.key) for e in events] == [(AlertRaised, "trk-1"), (AlertResolved, "trk-1"),
                                                  (AlertRaised, "trk-1"), (AlertRaised, "esc-1")]


def test_a_slow_tracker_is_given_its_interval_beyond_a_minute():
    fixes = track(0, 900, 300)  # every 300 s: its limit is 600 + 240 s
    assert replay(DET, fixes + [Tick(900 + 839, IN_TRANSIT)])[1] == []
    _, events = replay(DET, fixes + [Tick(900 + 840, IN_TRANSIT)])
    assert types(events) == [("AlertRaised", "signal_lost")]
    assert events[0].evidence["limit_s"] == 840.0


def test_a_device_reporting_every_minute_keeps_the_ten_minutes():
    fixes = track(0, 300, 60)
    assert types(replay(DET, fixes + [Tick(900, IN_TRANSIT)])[1]) == [("AlertRaised", "signal_lost")]

from dataclasses import replace

import pytest

from chekara.domain.detection import AlertRaised, AlertResolved, GpsAnomalyDetector, is_anomalous
from chekara.domain.detection.geo import haversine_m

from .tracks import TH, assert_batch_invariant, fix, iso, replay, track, types

DET = GpsAnomalyDetector()


def flags(fixes, thresholds=TH):
    """is_anomalous for each fix, as the pipeline would ask before on_fix."""
    state, out = DET.initial_state(), []
    for f in fixes:
        out.append(is_anomalous(state, f, thresholds))
        state, _ = DET.on_fix(state, f, thresholds)
    return out


def driving(start_s=0, end_s=60):
    """60 km/h north: 166.7 m every 10 s."""
    return track(start_s, end_s, 10, north_m=lambda t: t * 60 / 3.6)


def test_first_fix_is_accepted():
    assert flags([fix(0, north_m=1e6)]) == [False]
    assert replay(DET, [fix(0)])[1] == []


def test_a_jump_is_flagged_raised_and_resolved_by_the_next_normal_fix():
    fixes = driving(0, 60) + [fix(70, north_m=5_000.0)] + driving(80, 100)
    assert flags(fixes) == [False] * 7 + [True] + [False] * 3
    _, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "gps_anomaly"), ("AlertResolved", "gps_anomaly")]
    raised, resolved = events
    assert raised.ts.isoformat() == iso(70)
    assert raised.key == "trk-1"
    jump = haversine_m(fixes[6].lon, fixes[6].lat, fixes[7].lon, fixes[7].lat)
    assert raised.evidence["jump_m"] == round(jump, 1)
    assert raised.evidence["implied_speed_kmh"] == round(jump / 10 * 3.6, 1)
    assert raised.evidence["dt_s"] == 10.0
    assert raised.evidence["prev_fix_ts"] == iso(60)
    assert (raised.evidence["lon"], raised.evidence["lat"]) == (fixes[7].lon, fixes[7].lat)
    assert resolved.ts.isoformat() == iso(80)
    assert resolved.evidence["anomalous_fixes"] == 1
    assert resolved.evidence["first_fix_ts"] == iso(70) == resolved.evidence["last_fix_ts"]
    assert resolved.evidence["reanchored"] is False


def test_the_anomalous_fix_does_not_move_the_reference():
    # 80 s after the last good fix the truck is 1.3 km further: plausible from
    # the good fix (60 km/h), not from the jump 5 km away.
    fixes = driving(0, 60) + [fix(70, north_m=5_000.0), fix(140, north_m=140 * 60 / 3.6)]
    assert flags(fixes)[-2:] == [True, False]


def test_exactly_the_threshold_speed_is_not_anomalous():
    a, b = fix(0), fix(10, north_m=500.0)
    speed = haversine_m(a.lon, a.lat, b.lon, b.lat) / 10 * 3.6  # 180 km/h, to the float
    assert flags([a, b], replace(TH, anomaly_speed_kmh=speed)) == [False, False]
    assert flags([a, b], replace(TH, anomaly_speed_kmh=speed - 1e-9)) == [False, True]


def test_just_above_and_just_below_180_kmh():
    assert flags([fix(0), fix(10, north_m=510.0)]) == [False, True]  # 183.6 km/h
    assert flags([fix(0), fix(10, north_m=490.0)]) == [False, False]  # 176.4 km/h


def test_duplicate_timestamps_are_one_second_apart():
    assert flags([fix(0), fix(0)]) == [False, False]  # same point: 0 km/h
    assert flags([fix(0), fix(0, north_m=40.0)]) == [False, False]  # 144 km/h
    assert flags([fix(0), fix(0, north_m=100.0)]) == [False, True]  # 360 km/h


def test_a_burst_is_one_alert():
    fixes = driving(0, 30) + [fix(40, east_m=5_000.0), fix(50, east_m=-9_000.0), fix(60, north_m=30_000.0)] \
        + driving(70, 90)
    assert flags(fixes) == [False] * 4 + [True] * 3 + [False] * 3
    _, events = replay(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    ev = events[1].evidence
    assert ev["anomalous_fixes"] == 3
    assert ev["first_fix_ts"] == iso(40)
    assert ev["last_fix_ts"] == iso(60)
    # every jump is measured from the last accepted fix (500 m north at 30 s)
    assert ev["max_jump_m"] == pytest.approx(29_500.0, abs=0.1)
    assert ev["max_implied_speed_kmh"] == pytest.approx(29_500.0 / 30 * 3.6, abs=0.1)


def test_a_wrong_first_fix_is_replaced_after_three_agreeing_fixes():
    # the first fix is 50 km off; the real track then agrees with itself
    fixes = [fix(0, north_m=50_000.0)] + driving(10, 60)
    assert flags(fixes) == [False, True, True, False, False, False, False]
    _, events = replay(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    assert events[1].evidence["reanchored"] is True
    assert events[1].evidence["anomalous_fixes"] == 2


def test_devices_are_judged_separately():
    fixes = [fix(0, device_id="trk-1"), fix(5, device_id="esc-1", role="escort", north_m=20_000.0),
             fix(10, device_id="trk-1", north_m=100.0), fix(15, device_id="esc-1", role="escort", north_m=20_050.0)]
    assert flags(fixes) == [False] * 4


def test_is_anomalous_does_not_change_the_state():
    state, _ = replay(DET, driving(0, 30))
    before = repr(state)
    is_anomalous(state, fix(40, north_m=9_000.0), TH)
    assert repr(state) == before


def test_screen_flags_every_fix_as_is_anomalous_does():
    """The pipeline's one call per fix flags what is_anomalous flagged before on_fix (the state and events
    are on_fix's own: on_fix is screen without the flag, and the tests above hold them), over jumps,
    a burst that re-anchors and two devices."""
    fixes = driving(0, 60) + [fix(70, north_m=5_000.0)] + driving(80, 100) \
        + [fix(110, east_m=9_000.0), fix(120, east_m=9_050.0), fix(130, east_m=9_100.0), fix(140, east_m=9_150.0)] \
        + [fix(145, device_id="esc-1", role="escort", north_m=20_000.0)]
    screened, state = [], DET.initial_state()
    for f in fixes:
        asked = is_anomalous(state, f, TH)
        state, _, anomalous = DET.screen(state, f, TH)
        assert anomalous == asked
        screened.append(anomalous)
    assert screened == flags(fixes)
    assert screened.count(True) >= 3 and screened.count(False) >= 10


def test_one_batch_or_many_give_the_same_events():
    fixes = [fix(0, north_m=50_000.0)] + driving(10, 60) + [fix(70, north_m=5_000.0)] + driving(80, 120) \
        + [fix(130, east_m=9_000.0), fix(140, east_m=-9_000.0)] + driving(150, 200)
    events = assert_batch_invariant(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved] * 3


# ---- what a receiver error explains raises nothing; what it cannot, raises --------------------------------------


def test_a_multipath_fix_is_flagged_but_raises_nothing():
    # 600 m off the road for one fix at 10 s: "216 km/h", yet only a reflection (single fix, 600 m)
    fixes = driving(0, 60) + [fix(70, north_m=70 * 60 / 3.6, east_m=600.0)] + driving(80, 120)
    assert flags(fixes)[7] is True
    assert replay(DET, fixes)[1] == []


def test_a_jump_just_above_180_kmh_two_km_off_the_track_raises_when_the_next_fix_shows_it():
    # a tracker every 60 s at 72 km/h (1.2 km a minute); at 300 s it reports 3.2 km ahead of its last fix:
    # 192 km/h, 2 km ahead of where it is (the fix at 360 s says where that was)
    fixes = track(0, 240, 60, north_m=lambda t: t * 20.0) + [fix(300, north_m=8_000.0)] \
        + track(360, 480, 60, north_m=lambda t: t * 20.0)
    assert flags(fixes) == [False] * 5 + [True] + [False] * 3
    _, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "gps_anomaly"), ("AlertResolved", "gps_anomaly")]
    raised = events[0]
    assert raised.ts.isoformat() == iso(360)  # known once the track is back
    assert raised.evidence["first_fix_ts"] == iso(300)
    assert raised.evidence["off_track_m"] == pytest.approx(2_000.0, abs=5.0)


@pytest.mark.parametrize("off_m, alerts", [(950.0, False), (1_050.0, True)])
def test_the_alert_needs_a_kilometre_off_the_track(off_m, alerts):
    fixes = driving(0, 60) + [fix(70, north_m=70 * 60 / 3.6, east_m=off_m)] + driving(80, 120)
    assert flags(fixes)[7] is True  # flagged either way: kept from the other detectors
    _, events = replay(DET, fixes)
    assert bool(events) is alerts
    if alerts:
        assert events[0].ts.isoformat() == iso(80) and events[0].evidence["off_track_m"] == pytest.approx(off_m, abs=1)

from dataclasses import replace

from chekara.domain.detection import AlertRaised, AlertResolved, RouteDeviationDetector

from .tracks import TH, assert_batch_invariant, fix, iso, replay, shifted, track, types

DET = RouteDeviationDetector()


def leave_for_10_min() -> list:
    """Inside for 1 min, 3 km off the corridor (3.2 km at its farthest) for 10 min, back inside."""
    before = track(0, 50, 10, corridor_distance_m=100.0)
    outside = track(60, 650, 10, corridor_distance_m=3000.0, east_m=3000.0)
    outside[30] = fix(360, corridor_distance_m=3200.0, east_m=3200.0)
    after = track(660, 720, 10, corridor_distance_m=100.0)
    return before + outside + after


def test_three_km_for_ten_minutes_raises_once_and_resolves_on_return():
    _, events = replay(DET, leave_for_10_min())
    assert types(events) == [("AlertRaised", "route_deviation"), ("AlertResolved", "route_deviation")]
    raised, resolved = events
    # 7th outside fix: 7 fixes (>= 3) and 60 s (>= 60) since the first outside fix at 60 s
    assert raised.ts.isoformat() == iso(120)
    assert raised.key is None
    assert raised.evidence["first_fix_ts"] == iso(60)
    assert raised.evidence["duration_s"] == 60.0
    assert raised.evidence["max_distance_m"] == 3000.0
    assert raised.evidence["max_outside_m"] == 2500.0
    assert resolved.ts.isoformat() == iso(660)
    ev = resolved.evidence
    assert ev["max_distance_m"] == 3200.0
    assert ev["max_outside_m"] == 2700.0
    assert ev["first_fix_ts"] == iso(60)
    assert ev["last_fix_ts"] == iso(650)
    assert ev["returned_ts"] == iso(660)
    assert ev["duration_s"] == 590.0
    assert ev["outside_fixes"] == 60
    assert (ev["lon"], ev["lat"]) == (fix(360, east_m=3200.0).lon, fix(360, east_m=3200.0).lat)


def test_twenty_second_excursion_raises_nothing():
    fixes = track(0, 30, 10, corridor_distance_m=0.0) + track(40, 60, 10, corridor_distance_m=800.0) \
        + track(70, 300, 10, corridor_distance_m=0.0)
    assert replay(DET, fixes)[1] == []


def test_exactly_three_fixes_and_sixty_seconds_raises():
    fixes = [fix(0, corridor_distance_m=900.0), fix(30, corridor_distance_m=900.0),
             fix(60, corridor_distance_m=900.0)]
    _, events = replay(DET, fixes)
    assert len(events) == 1 and isinstance(events[0], AlertRaised)
    assert events[0].evidence["duration_s"] == 60.0
    assert events[0].evidence["outside_fixes"] == 3


def test_just_below_the_duration_raises_nothing():
    fixes = [fix(0, corridor_distance_m=900.0), fix(30, corridor_distance_m=900.0),
             fix(59, corridor_distance_m=900.0), fix(60, corridor_distance_m=0.0)]
    assert replay(DET, fixes)[1] == []


def test_two_fixes_are_not_enough_however_long():
    fixes = [fix(0, corridor_distance_m=900.0), fix(600, corridor_distance_m=900.0)]
    assert replay(DET, fixes)[1] == []
    _, events = replay(DET, fixes + [fix(610, corridor_distance_m=900.0)])
    assert types(events) == [("AlertRaised", "route_deviation")]
    assert events[0].evidence["duration_s"] == 610.0


def test_on_the_edge_is_inside():
    fixes = track(0, 120, 10, corridor_distance_m=500.0, half_width_m=500.0)
    assert replay(DET, fixes)[1] == []


def test_fixes_without_corridor_are_ignored_and_do_not_break_the_streak():
    fixes = [fix(0, corridor_distance_m=900.0), fix(20, corridor_distance_m=None),
             fix(40, corridor_distance_m=900.0), fix(60, corridor_distance_m=900.0)]
    state, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "route_deviation")]
    assert events[0].evidence["outside_fixes"] == 3
    only_none = replay(DET, [fix(0, corridor_distance_m=None)])
    assert only_none == (DET.initial_state(), [])


def test_a_fix_back_inside_before_the_threshold_resets_the_streak():
    fixes = track(0, 50, 10, corridor_distance_m=900.0) + [fix(55, corridor_distance_m=10.0)] \
        + track(60, 110, 10, corridor_distance_m=900.0)
    assert replay(DET, fixes)[1] == []


def test_resolution_only_after_a_raise():
    _, events = replay(DET, leave_for_10_min() + track(730, 800, 10, corridor_distance_m=50.0))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]


def test_second_deviation_raises_a_new_alert():
    trip = leave_for_10_min()
    _, events = replay(DET, trip + shifted(trip, 1000))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised, AlertResolved]


def escort_and_truck(truck_out, escort_out, end_s=900):
    fixes = []
    for t in range(0, end_s + 1, 10):
        fixes.append(fix(t, corridor_distance_m=2000.0 if truck_out(t) else 100.0))
        fixes.append(fix(t + 5, device_id="esc-1", role="escort",
                         corridor_distance_m=1500.0 if escort_out(t) else 100.0))
    return fixes


def test_the_truck_leaving_while_the_escort_stays_on_the_route_raises():
    fixes = escort_and_truck(lambda t: 100 <= t < 400, lambda t: False)
    _, events = replay(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    assert events[0].ts.isoformat() == iso(160)
    assert events[1].evidence["device_ids"] == ["trk-1"]
    assert events[1].evidence["duration_s"] == 290.0


def test_a_convoy_leaving_together_is_one_alert_until_the_last_is_back():
    fixes = escort_and_truck(lambda t: 100 <= t < 400, lambda t: 100 <= t < 500)
    events = assert_batch_invariant(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    raised, resolved = events
    assert raised.evidence["device_ids"] == ["trk-1"]
    assert resolved.ts.isoformat() == iso(505)  # the escort's first fix back inside
    ev = resolved.evidence
    assert ev["device_ids"] == ["trk-1", "esc-1"]
    assert ev["first_fix_ts"] == iso(100)
    assert ev["last_fix_ts"] == iso(495)
    assert ev["outside_fixes"] == 30 + 40
    assert ev["max_distance_m"] == 2000.0


def test_one_batch_or_many_give_the_same_events():
    events = assert_batch_invariant(DET, leave_for_10_min())
    assert len(events) == 2


def test_thresholds_are_configurable():
    strict = replace(TH, deviation_min_fixes=2, deviation_min_s=10)
    fixes = [fix(0, corridor_distance_m=900.0), fix(10, corridor_distance_m=900.0)]
    assert types(replay(DET, fixes, strict)[1]) == [("AlertRaised", "route_deviation")]

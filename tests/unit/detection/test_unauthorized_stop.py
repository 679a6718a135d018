import pytest

from chekara.domain.detection import AlertRaised, AlertResolved, UnauthorizedStopDetector

from .tracks import assert_batch_invariant, fix, iso, lonlat, replay, track, types

DET = UnauthorizedStopDetector()
STOP_N = 10_000.0  # the stop is 10 km north of the base point


def drive(start_s: float, end_s: float, from_n: float) -> list:
    """Driving north at 72 km/h (200 m every 10 s), from from_n metres."""
    return track(start_s, end_s, 10, north_m=lambda t: from_n + (t - start_s) * 20.0)


def jitter(t: float) -> float:
    """+-30 m of GPS noise around the stop."""
    return 30.0 if int(t // 30) % 2 == 0 else -30.0


def stop_for(minutes: float, **kw) -> list:
    """Drive to STOP_N, stand there (every 30 s, with jitter) for `minutes`, drive on."""
    stand_s = minutes * 60
    arrive = drive(0, 480, STOP_N - 10_000.0)  # its last fix is 400 m before the stop
    stand = track(500, 500 + stand_s, 30, north_m=lambda t: STOP_N + jitter(t), **kw)
    leave = drive(500 + stand_s + 10, 500 + stand_s + 100, STOP_N + 400.0)
    return arrive + stand + leave


def test_twenty_minute_stop_raises_then_resolves_when_moving_away():
    _, events = replay(DET, stop_for(20))
    assert types(events) == [("AlertRaised", "unauthorized_stop"), ("AlertResolved", "unauthorized_stop")]
    raised, resolved = events
    assert raised.ts.isoformat() == iso(500 + 900)
    assert raised.key == "trk-1"
    assert raised.evidence["start_ts"] == iso(500)
    assert raised.evidence["duration_s"] == 900.0
    lon, lat = lonlat(STOP_N)
    assert raised.evidence["lon"] == pytest.approx(lon, abs=1e-6)
    assert raised.evidence["lat"] == pytest.approx(lat, abs=1e-5)  # mean of +-30 m jitter: ~1 m
    assert resolved.ts.isoformat() == iso(500 + 1200 + 10)
    ev = resolved.evidence
    assert ev["start_ts"] == iso(500)
    assert ev["end_ts"] == iso(1700)
    assert ev["duration_s"] == 1200.0
    assert ev["moved_ts"] == iso(1710)
    assert ev["fixes"] == 41
    assert ev["device_id"] == "trk-1"


def test_exactly_fifteen_minutes_raises():
    _, events = replay(DET, stop_for(15))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    assert events[1].evidence["duration_s"] == 900.0


def test_fourteen_minutes_fifty_nine_seconds_raises_nothing():
    fixes = track(0, 870, 30, north_m=0.0) + [fix(899), fix(910, north_m=1000.0)]
    assert replay(DET, fixes)[1] == []
    assert types(replay(DET, fixes[:-1] + [fix(900)])[1]) == [("AlertRaised", "unauthorized_stop")]


def test_a_gap_in_the_middle_does_not_end_the_stop():
    fixes = track(0, 300, 30, north_m=0.0) + [fix(1000, north_m=40.0), fix(1030, north_m=900.0)]
    _, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "unauthorized_stop"), ("AlertResolved", "unauthorized_stop")]
    assert events[0].ts.isoformat() == iso(1000)
    assert events[0].evidence["duration_s"] == 1000.0
    assert events[1].evidence["end_ts"] == iso(1000)


def test_a_gap_after_which_the_vehicle_is_elsewhere_ends_the_stop():
    fixes = track(0, 300, 30, north_m=0.0) + track(1000, 1800, 30, north_m=5000.0)
    _, events = replay(DET, fixes)
    # the first stop lasted 300 s; the second one starts at 1000 s and lasts 800 s
    assert events == []


def test_the_radius_is_measured_from_the_anchor():
    inside = track(0, 960, 30, north_m=lambda t: 0.0 if t == 0 else 149.0)
    assert types(replay(DET, inside)[1]) == [("AlertRaised", "unauthorized_stop")]
    outside = track(0, 960, 30, north_m=lambda t: 0.0 if t < 480 else 151.0)
    assert replay(DET, outside)[1] == []  # two stops of 450 s and 480 s


def test_a_stop_in_a_stop_zone_is_authorised():
    assert replay(DET, stop_for(30, in_stop_zone="Kara-Balta rest area"))[1] == []


def test_a_stop_in_a_checkpoint_geofence_is_authorised():
    assert replay(DET, stop_for(30, in_checkpoint="KG-AKJOL"))[1] == []


def test_a_stop_that_starts_in_a_zone_and_straddles_its_edge_is_authorised():
    fixes = track(0, 1800, 30, north_m=lambda t: 0.0 if t < 120 else 100.0,
                  in_stop_zone=lambda t: "Kara-Balta rest area" if t < 120 else None)
    assert replay(DET, fixes)[1] == []


def test_a_stop_that_reaches_into_a_zone_before_the_threshold_is_authorised():
    fixes = track(0, 1800, 30, in_stop_zone=lambda t: "Kara-Balta rest area" if t == 600 else None)
    assert replay(DET, fixes)[1] == []


def test_a_zone_fix_after_the_raise_does_not_resolve():
    fixes = track(0, 1800, 30, in_stop_zone=lambda t: "Kara-Balta rest area" if t >= 1200 else None)
    _, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "unauthorized_stop")]


def test_the_escort_is_not_tracked():
    assert replay(DET, track(0, 1800, 30, role="escort", device_id="esc-1"))[1] == []


def test_each_vehicle_has_its_own_stop():
    a = track(0, 960, 30, device_id="trk-a")
    b = track(5, 965, 30, device_id="trk-b", north_m=lambda t: (t - 5) * 10.0)  # b moves on
    fixes = sorted(a + b, key=lambda f: f.ts)
    _, events = replay(DET, fixes)
    assert [(type(e), e.key) for e in events] == [(AlertRaised, "trk-a")]


def test_one_batch_or_many_give_the_same_events():
    events = assert_batch_invariant(DET, stop_for(20) + track(2000, 3000, 30, north_m=20_000.0))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised]


# ---- what noisy and sparse trackers can show ----------------------------------------------------------------


def test_a_multipath_fix_during_a_stop_does_not_end_it():
    stand = track(0, 1200, 30, north_m=lambda t: 400.0 if t == 600 else 0.0, speed_kmh=0.0)
    _, events = replay(DET, stand + [fix(1230, north_m=1_000.0, speed_kmh=60.0)])
    assert types(events) == [("AlertRaised", "unauthorized_stop"), ("AlertResolved", "unauthorized_stop")]
    assert events[0].ts.isoformat() == iso(900) and events[0].evidence["start_ts"] == iso(0)


def test_two_far_fixes_in_a_row_do_end_the_stop():
    stand = track(0, 600, 30, speed_kmh=0.0) + track(630, 1500, 30, north_m=400.0, speed_kmh=0.0)
    assert replay(DET, stand)[1] == []  # 630 s here, then 870 s 400 m away: two stops, neither 15 min


def sparse_stop(stand_until_s: float, depart_fix_n: float) -> list:
    """A tracker every 300 s at 72 km/h (20 m/s): reaches 3.6 km at 180 s, stands, leaves at stand_until_s."""
    return [fix(0, speed_kmh=72.0)] + track(300, 900, 300, north_m=3_600.0, speed_kmh=0.0) \
        + [fix(1200, north_m=depart_fix_n, speed_kmh=72.0)]


def test_a_sparse_trackers_16_minute_stop_is_raised_from_its_estimated_start_and_end():
    # stands 180 s .. 1150 s; its fixes show 300 .. 900 (10 min); the departure fix at 1200 is 1 km on
    _, events = replay(DET, sparse_stop(1150, 3_600.0 + 50 * 20.0))
    assert types(events) == [("AlertRaised", "unauthorized_stop"), ("AlertResolved", "unauthorized_stop")]
    raised = events[0]
    assert raised.ts.isoformat() == iso(1200)
    assert raised.evidence["start_ts"] == iso(180) and raised.evidence["anchor_ts"] == iso(300)
    assert raised.evidence["estimated_end_ts"] == iso(1150)
    assert raised.evidence["estimated_duration_s"] == 970.0


def test_a_sparse_trackers_14_minute_stop_raises_nothing():
    # stands 180 s .. 1020 s (14 min): the departure fix at 1200 is 3.6 km on
    assert replay(DET, sparse_stop(1020, 3_600.0 + 180 * 20.0))[1] == []

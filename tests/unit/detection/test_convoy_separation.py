import json
from dataclasses import replace

import pytest

from chekara.domain.detection import AlertRaised, AlertResolved, ConvoySeparationDetector
from chekara.domain.detection.convoy_separation import ESCORT_TRACK_STEP_S
from chekara.domain.detection.geo import haversine_m
from chekara.domain.detection.timestamps import iso_of_micros

from .tracks import TH, assert_batch_invariant, at, fix, iso, lonlat, replay, types

DET = ConvoySeparationDetector()


def convoy(end_s: float, vehicle_north_m, every_s: float = 10, escort_north_m=lambda t: 0.0,
           vehicle_id: str = "trk-1") -> list:
    """Vehicle and escort both reporting every every_s (vehicle first at each instant)."""
    fixes = []
    for i in range(int(end_s // every_s) + 1):
        t = i * every_s
        fixes.append(fix(t, device_id=vehicle_id, north_m=vehicle_north_m(t)))
        fixes.append(fix(t, device_id="esc-1", role="escort", north_m=escort_north_m(t)))
    return fixes


def apart(t: float) -> float:
    """3 km ahead of the escort from 100 s to 580 s (3.5 km at 300 s), together otherwise."""
    if 100 <= t <= 580:
        return 3500.0 if t == 300 else 3000.0
    return 0.0


def test_three_km_for_eight_minutes_raises_and_resolves():
    _, events = replay(DET, convoy(700, apart))
    assert types(events) == [("AlertRaised", "convoy_separation"), ("AlertResolved", "convoy_separation")]
    raised, resolved = events
    assert raised.ts.isoformat() == iso(400)
    assert raised.key == "trk-1"
    assert raised.evidence["first_fix_ts"] == iso(100)
    assert raised.evidence["duration_s"] == 300.0
    assert raised.evidence["max_separation_m"] == 3500.0
    assert raised.evidence["separation_m"] == 3000.0
    assert raised.evidence["escort_device_id"] == "esc-1"
    assert (raised.evidence["vehicle_lon"], raised.evidence["vehicle_lat"]) == lonlat(3000.0)
    assert resolved.ts.isoformat() == iso(590)
    ev = resolved.evidence
    assert ev["first_fix_ts"] == iso(100)
    assert ev["last_fix_ts"] == iso(580)
    assert ev["duration_s"] == 480.0
    assert ev["max_separation_m"] == 3500.0
    assert ev["rejoined_ts"] == iso(590)
    assert ev["separation_m"] == 0.0


def test_exactly_five_minutes_raises():
    _, events = replay(DET, convoy(600, lambda t: 3000.0 if 100 <= t <= 400 else 0.0))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved]
    assert events[0].ts.isoformat() == iso(400)


def test_just_under_five_minutes_raises_nothing():
    assert replay(DET, convoy(600, lambda t: 3000.0 if 100 <= t <= 390 else 0.0))[1] == []


def test_exactly_two_km_is_together():
    fixes = convoy(900, lambda t: 2000.0)
    d = haversine_m(*lonlat(0.0), *lonlat(2000.0))
    assert replay(DET, fixes, replace(TH, separation_m=d))[1] == []
    assert types(replay(DET, fixes, replace(TH, separation_m=d - 1e-6))[1]) == [("AlertRaised", "convoy_separation")]


def test_just_under_two_km_is_together():
    assert replay(DET, convoy(900, lambda t: 1990.0))[1] == []


def test_a_stale_escort_position_is_not_compared():
    # the escort phone falls silent at 50 s; the truck is 3 km away from 100 s
    fixes = [f for f in convoy(1000, lambda t: 3000.0 if t >= 100 else 0.0)
             if f.role == "vehicle" or f.ts <= at(50)]
    assert replay(DET, fixes)[1] == []


def test_fixes_at_most_thirty_seconds_apart_are_compared():
    escort = fix(0, device_id="esc-1", role="escort")
    state, _ = replay(DET, [escort, fix(30, north_m=3000.0)])
    assert "trk-1" in state["separations"]
    state, _ = replay(DET, [escort, fix(31, north_m=3000.0)])
    assert state["separations"] == {}


def test_each_vehicle_has_its_own_alert():
    a = convoy(500, lambda t: 3000.0, vehicle_id="trk-a")
    b = [f for f in convoy(500, lambda t: -3000.0 if t >= 100 else 0.0, vehicle_id="trk-b") if f.role == "vehicle"]
    fixes = sorted(a + b, key=lambda f: f.ts)
    _, events = replay(DET, fixes)
    assert [(type(e), e.key) for e in events] == [(AlertRaised, "trk-a"), (AlertRaised, "trk-b")]
    assert events[0].ts.isoformat() == iso(300) and events[1].ts.isoformat() == iso(400)


def test_the_nearest_escort_counts():
    fixes = convoy(900, lambda t: 3000.0)
    rear = [fix(t, device_id="esc-2", role="escort", north_m=2500.0) for t in range(5, 905, 10)]
    assert replay(DET, sorted(fixes + rear, key=lambda f: f.ts))[1] == []


def test_one_batch_or_many_give_the_same_events():
    fixes = convoy(1500, lambda t: apart(t) if t < 700 else (2500.0 if t > 1000 else 0.0))
    events = assert_batch_invariant(DET, fixes)
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised]


# ---- sparse trucks, moving escorts ------------------------------------------------------------------------


def test_a_sparse_truck_is_measured_between_its_fixes():
    # the escort stands (a fix every 10 s); the truck reports every 300 s driving away at 10.5 m/s:
    # over 2 km apart from 191 s, which only its interpolated track shows
    escort = [fix(t, device_id="esc-1", role="escort", speed_kmh=0.0) for t in range(0, 601, 10)]
    truck = [fix(t, north_m=t * 10.5) for t in (0, 300, 600)]
    _, events = replay(DET, sorted(escort + truck, key=lambda f: (f.ts, f.role)))
    assert types(events) == [("AlertRaised", "convoy_separation")]
    assert events[0].ts.isoformat() == iso(600)
    assert events[0].evidence["first_fix_ts"] == iso(200)


def test_just_under_two_km_while_the_escort_moves_is_not_yet_a_rejoin():
    # a moving escort's phone clock may be 30 s off: 670 m at 80 km/h
    def escort(t: float, north: float) -> object:
        return fix(t, device_id="esc-1", role="escort", north_m=north, speed_kmh=80.0)
    fixes = []
    for t in range(0, 401, 10):
        fixes.append(fix(t, north_m=3_000.0 if t < 200 else 1_600.0))
        fixes.append(escort(t, 0.0))
    _, events = replay(DET, fixes)
    assert types(events) == [("AlertRaised", "convoy_separation")]  # 1.6 km apart at 80 km/h: not over
    assert events[0].ts.isoformat() == iso(300)
    fixes.append(fix(410, north_m=1_200.0))
    fixes.append(escort(410, 0.0))
    assert types(replay(DET, fixes)[1])[-1] == ("AlertResolved", "convoy_separation")


# ---- the stored state stays small -------------------------------------------------------------------------


def test_a_one_hertz_escort_keeps_a_bounded_track():
    # ten minutes of an escort phone at 1 Hz beside a truck at 300 s: the escort's track (kept for the
    # truck's interpolation, stored with the trip) holds one fix per 10 s of the last 360 s, not 360 fixes
    fixes = [fix(t, device_id="esc-1", role="escort", north_m=20.0 * t, speed_kmh=72.0) for t in range(0, 601)]
    fixes += [fix(t, north_m=20.0 * t + 50.0) for t in (0, 300, 600)]
    state = DET.initial_state()
    largest = 0
    for f in sorted(fixes, key=lambda f: (f.ts, f.role)):
        state, _ = DET.on_fix(state, f, TH)
        largest = max(largest, len(json.dumps(state)))
    track = state["escort_tracks"]["esc-1"]
    assert len(track) <= TH.separation_max_interp_s / ESCORT_TRACK_STEP_S + 2
    assert iso_of_micros(track[-1][0]) == iso(600)
    assert largest < 2_600  # bytes of JSON; 36 kB with every fix kept, ~5.5 kB with each kept fix an object


def test_a_phone_at_ten_seconds_keeps_every_fix():
    fixes = [fix(t, device_id="esc-1", role="escort") for t in range(0, 361, 10)]
    state, _ = replay(DET, fixes)
    assert [iso_of_micros(p[0]) for p in state["escort_tracks"]["esc-1"]] == [iso(t) for t in range(0, 361, 10)]


@pytest.mark.parametrize("stored", ["objects", "iso lists"])
def test_a_state_stored_with_an_earlier_form_of_the_track_resumes_as_if_it_never_stopped(stored):
    # A trip in transit across an upgrade: its state was stored when a kept escort fix was an object with an
    # ISO time, or (for a while) a list with one.
    fixes = convoy(900, lambda t: 3000.0 if t >= 400 else 0.0, every_s=10)
    fixes += [fix(t, device_id="trk-2", north_m=3000.0 if t >= 400 else 0.0) for t in range(0, 901, 300)]
    fixes.sort(key=lambda f: (f.ts, f.role))
    cut = len(fixes) // 2
    state, events = replay(DET, fixes[:cut])
    legacy = json.loads(json.dumps(state))
    legacy["escort_tracks"] = {
        escort: [{"ts": iso_of_micros(us), "lon": lon, "lat": lat, "speed_kmh": speed} if stored == "objects"
                 else [iso_of_micros(us), lon, lat, speed] for us, lon, lat, speed in track]
        for escort, track in legacy["escort_tracks"].items()}
    assert legacy["escort_tracks"]["esc-1"] and legacy["escort_tracks"] != state["escort_tracks"]
    _, went_on = replay(DET, fixes[cut:], state=json.loads(json.dumps(state)))
    _, resumed = replay(DET, fixes[cut:], state=legacy)
    assert resumed == went_on and ("AlertRaised", "convoy_separation") in types(events + went_on)

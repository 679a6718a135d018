"""The public API, and the detect step run the way the pipeline will run it."""

import json

import chekara.domain.detection as detection
from chekara.domain.detection import CLOCK_DETECTORS, FIX_DETECTORS, GPS_ANOMALY, is_anomalous

from .tracks import TH, Tick, at, fix


def test_public_names():
    for name in detection.__all__:
        assert hasattr(detection, name), name
    assert [d.type for d in FIX_DETECTORS] == [
        "route_deviation", "unauthorized_stop", "convoy_separation", "signal_lost", "low_battery"]
    assert [d.type for d in CLOCK_DETECTORS] == ["signal_lost", "overdue"]
    assert GPS_ANOMALY.type == "gps_anomaly"


def test_every_initial_state_is_json():
    for d in (GPS_ANOMALY, *FIX_DETECTORS, *CLOCK_DETECTORS):
        assert json.loads(json.dumps(d.initial_state())) == d.initial_state()


def detect(steps, split_every=None):
    """The detect step: anomaly gate, then the fix detectors; clock detectors on ticks."""
    detectors = {d.type: d for d in (GPS_ANOMALY, *FIX_DETECTORS, *CLOCK_DETECTORS)}
    states = {t: d.initial_state() for t, d in detectors.items()}
    events, flagged = [], []
    for i, step in enumerate(steps):
        if split_every and i % split_every == 0:
            states = json.loads(json.dumps(states))
        if isinstance(step, Tick):
            for d in CLOCK_DETECTORS:
                states[d.type], new = d.on_clock(states[d.type], at(step.t_s), TH, **step.context)
                events += new
            continue
        anomalous = is_anomalous(states[GPS_ANOMALY.type], step, TH)
        states[GPS_ANOMALY.type], new = GPS_ANOMALY.on_fix(states[GPS_ANOMALY.type], step, TH)
        events += new
        if anomalous:
            flagged.append(step.ts)
            continue
        for d in FIX_DETECTORS:
            states[d.type], new = d.on_fix(states[d.type], step, TH)
            events += new
    return events, flagged


def a_bad_trip():
    """Everything goes wrong once.

    Escort and truck drive 12 km north (leaving the corridor from 5 to 15 min),
    the truck's tracker jumps 90 km once, they stand still from 10 min on, the
    truck's battery runs down, the escort phone dies at 40 min, and the
    deadline (45 min) passes.
    """
    steps = []
    for t in range(0, 3000, 30):
        north = min(t, 600) * 20.0  # drive 12 km north, then stand still
        off = 3000.0 if 300 <= t < 900 else 100.0
        battery = 50 - t / 60
        truck_north = 90_000.0 if t == 150 else north
        steps.append(fix(t, north_m=truck_north, corridor_distance_m=off, battery_pct=battery))
        if t < 2400:  # the escort phone dies at 40 min
            steps.append(fix(t, device_id="esc-1", role="escort", north_m=north, corridor_distance_m=off))
        steps.append(Tick(t + 15, {"in_transit": True, "deadline": at(2700), "arrived": False}))
    return steps


def test_the_detect_step_in_one_batch_or_many():
    events, flagged = detect(a_bad_trip())
    assert flagged == [at(150)]
    raised = [(e.type, e.key) for e in events if e.__class__.__name__ == "AlertRaised"]
    assert raised == [
        ("gps_anomaly", "trk-1"),
        ("route_deviation", None),
        ("unauthorized_stop", "trk-1"),
        ("low_battery", "trk-1"),
        ("overdue", None),
        ("signal_lost", "esc-1"),
    ]
    for split_every in (1, 5, 17):
        assert detect(a_bad_trip(), split_every) == (events, flagged)

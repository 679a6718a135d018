"""The hard traffic profile: its road, its noise, and the detectors' scores on it (pure: no server).

The seeded evaluation replays hard scenarios through the pure detectors the
way the platform runs them (tests/unit/sim/detection_replay.py: fixes in the
order taken, the sweep seeing only what was uploaded) and scores them with
the simulator's own matching. The goals are the issue's: precision and
recall >= 0.95 for route deviation, unauthorized stop, signal loss, convoy
separation and GPS anomaly, and each alert within 60 s + 3 reporting
intervals of the threshold crossing.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from chekara.sim.evaluation import score
from chekara.sim.profile import HARD, STANDARD, traffic_profile
from chekara.sim.roads import with_roads
from chekara.sim.scenario import generate_scenario
from chekara.sim.spec import AnomalyRates, ScenarioSpec
from tests.unit.sim.detection_replay import TRACKED_TYPES, replay_observed

#: Three hours of hard traffic, five minutes of it live (signal losses end there), a 30 s sweep.
HARD_BASE = dict(convoys=20, history_s=3 * 3600 - 300, live_s=300.0, sweep_interval_s=30.0,
                 catch_up_allowance_s=12.0, tick_s=1.0, profile="hard")
RATES = AnomalyRates(route_deviation=0.3, unauthorized_stop=0.3, signal_loss=0.3, overdue_arrival=0.0,
                     escort_separation=0.3, gps_jump=0.3, weight_discrepancy=0.0, undeclared_vehicle=0.0,
                     plate_mismatch=0.0, transit_never_closed=0.0)
SEEDS = (21, 22, 23, 24)


def test_profiles_by_name():
    assert traffic_profile("hard") is HARD and traffic_profile("standard") is STANDARD
    with pytest.raises(ValueError, match="unknown traffic profile"):
        ScenarioSpec(profile="easy")


def test_the_hard_road_wanders_inside_the_corridor_and_leaves_it_only_briefly(geography):
    roads = with_roads(geography, HARD, random.Random(3))
    longest_outside_m, widest = 0.0, 0.0
    for route in roads.routes:
        s = np.arange(0.0, route.length_m, 5.0)
        x, y = route.points_m(s, np.zeros_like(s))
        distance = route.distance_to_line_m(x, y)
        widest = max(widest, float(distance.max() / route.half_width_m))
        outside = np.concatenate([[0], (distance > route.half_width_m).astype(int), [0]])
        starts, ends = np.flatnonzero(np.diff(outside) == 1), np.flatnonzero(np.diff(outside) == -1)
        if len(starts):
            longest_outside_m = max(longest_outside_m, float((ends - starts).max() * 5.0))
    assert 1.0 < widest <= 1.2  # switchbacks bulge out, no further than 1.2 x the half-width
    # under a minute at the slowest pass speed (25 km/h x 0.85 pace: 5.9 m/s)
    assert 0 < longest_outside_m < 5.9 * 60


def test_hard_fixes_are_noisy_sparse_and_sometimes_late(geography):
    scenario = generate_scenario(ScenarioSpec(seed=SEEDS[0], rates=RATES, **HARD_BASE), geography, "H0")
    intervals = {d.interval_s for c in scenario.convoys for d in c.devices if d.kind == "tracker"}
    assert {10, 300} <= intervals
    assert any(f.speed_kmh is None for f in scenario.fixes)
    late = [f for f in scenario.fixes if f.delivered_s is not None and f.delivered_s > f.t_s + 60]
    assert late, "coverage holes upload their fixes late"
    skews = {d.clock_skew_s for c in scenario.convoys for d in c.devices if d.kind == "escort_phone"}
    assert max(abs(s) for s in skews) <= 30 and len(skews) > 3


def test_hard_anomalies_lie_close_to_their_thresholds(geography):
    scenario = generate_scenario(ScenarioSpec(seed=SEEDS[0], rates=RATES, **HARD_BASE), geography, "H0")
    by_kind: dict[str, list] = {}
    for anomaly in scenario.anomalies:
        by_kind.setdefault(anomaly.kind.value, []).append(anomaly)
    assert all(15.5 * 60 <= a.magnitude["duration_s"] <= 25 * 60 + 1 for a in by_kind["unauthorized_stop"])
    assert all(650 <= a.magnitude["max_distance_m"] <= 3_300 and a.magnitude["outside_s"] <= 330
               for a in by_kind["route_deviation"])
    assert all(2_200 <= a.magnitude["max_separation_m"] <= 4_200 for a in by_kind["escort_separation"])
    # just above 180 km/h from the last fix, and farther off than multipath puts a fix (800 m)
    assert all(185 <= a.magnitude["implied_kmh"] <= 230 and a.magnitude["off_track_m"] >= 1_200
               for a in by_kind["gps_jump"])


@pytest.fixture(scope="module")
def hard_evaluation(geography):
    """The seeded hard runs, replayed through the pure detectors and scored together."""
    evaluations = []
    for seed in SEEDS:
        scenario = generate_scenario(ScenarioSpec(seed=seed, rates=RATES, **HARD_BASE), geography, f"H{seed}")
        truth, seen = replay_observed(scenario, geography, sweep_s=HARD_BASE["sweep_interval_s"])
        truth.anomalies = [replace(a, expected=tuple(e for e in a.expected
                                                     if e.source == "alert" and e.type in TRACKED_TYPES))
                           for a in truth.anomalies]
        evaluations.append(score(truth, seen))
    return evaluations


@pytest.mark.parametrize("signal", TRACKED_TYPES)
def test_the_detectors_reach_095_on_hard_traffic(hard_evaluation, signal):
    tp = sum(e.row(signal).tp for e in hard_evaluation)
    fp = sum(e.row(signal).fp for e in hard_evaluation)
    fn = sum(e.row(signal).fn for e in hard_evaluation)
    assert tp >= 10, (signal, tp)  # enough cases to mean something
    missed = [m for e in hard_evaluation for m in e.missed if m.type == signal]
    false = [o for e in hard_evaluation for o in e.false_alarms if o.type == signal]
    assert tp / (tp + fp) >= 0.95, (signal, tp, fp, false)
    assert tp / (tp + fn) >= 0.95, (signal, tp, fn, missed)


@pytest.mark.parametrize("signal", TRACKED_TYPES)
def test_alerts_come_within_60_s_and_three_reporting_intervals(hard_evaluation, signal):
    delays = [d for e in hard_evaluation for d in e.delays if d.type == signal]
    assert delays
    late = [d for d in delays if not d.within_goal]
    assert len(late) <= 0.05 * len(delays), late

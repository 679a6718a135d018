"""Injected anomalies: each really has the magnitude its ground truth states, measured on what is sent."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from chekara.domain.detection.geo import haversine_m
from chekara.domain.geometry import metric_transformer
from chekara.domain.plates import compare_plates, normalize_plate
from chekara.sim.model import CameraRead, FileDeclaration, OfficerStep, WeighbridgeReading
from chekara.sim.truth import AnomalyKind
from tests.unit.sim.detection_replay import replay

#: GPS noise the fixes carry (a few sigma of the phones' 8 m), metres.
NOISE_M = 40.0


def _of(scenario, kind):
    found = [a for a in scenario.anomalies if a.kind is kind]
    assert found, f"the scenario has no {kind}"
    return found


def _fixes(scenario, device_id=None, group=None, start=-np.inf, end=np.inf):
    return [f for f in scenario.fixes if (device_id is None or f.device_id == device_id)
            and (group is None or f.group == group) and start <= f.t_s <= end]


def _route(scenario, geography, convoy_id):
    convoy = next(c for c in scenario.convoys if c.convoy_id == convoy_id)
    return convoy, next(r for r in geography.routes if (r.corridor, r.origin) == (convoy.corridor, convoy.origin))


def _distance_to_corridor(route, fixes):
    x, y = metric_transformer().transform(np.array([f.lon for f in fixes]), np.array([f.lat for f in fixes]))
    return route.distance_to_line_m(x, y)


def test_a_route_deviation_leaves_the_corridor_as_far_and_as_long_as_its_truth_says(eventful, geography):
    for anomaly in _of(eventful, AnomalyKind.route_deviation):
        convoy, route = _route(eventful, geography, anomaly.convoy_id)
        inside_window = _fixes(eventful, group=anomaly.convoy_id, start=anomaly.start_s, end=anomaly.end_s)
        distance = _distance_to_corridor(route, inside_window)
        assert abs(distance.max() - anomaly.magnitude["max_distance_m"]) < NOISE_M
        assert distance.max() > route.half_width_m + 700  # clear of the 500 m half-width
        assert anomaly.magnitude["outside_s"] >= 3 * 60  # far beyond the 60 s of the rule
        outside = [f.t_s for f, d in zip(inside_window, distance) if d > route.half_width_m]
        assert max(outside) - min(outside) >= anomaly.magnitude["outside_s"] - 2 * 60


def test_an_unauthorized_stop_stands_still_long_away_from_stop_zones_and_checkpoints(eventful, geography):
    for anomaly in _of(eventful, AnomalyKind.unauthorized_stop):
        _, route = _route(eventful, geography, anomaly.convoy_id)
        assert anomaly.magnitude["duration_s"] >= 18 * 60
        for device in anomaly.device_ids:
            fixes = _fixes(eventful, device_id=device, start=anomaly.start_s + 1, end=anomaly.end_s - 1)
            assert fixes[-1].t_s - fixes[0].t_s >= anomaly.magnitude["duration_s"] - 2 * 60
            spread = max(haversine_m(fixes[0].lon, fixes[0].lat, f.lon, f.lat) for f in fixes)
            assert spread < NOISE_M  # well inside the 150 m of a stop
            x, y = metric_transformer().transform(fixes[0].lon, fixes[0].lat)
            for zone in route.stop_zones:
                assert np.hypot(x - zone.x_m, y - zone.y_m) > zone.radius_m + 300
            assert geography.checkpoint_distance_m(np.array([x]), np.array([y]))[0] > 300


def test_a_signal_loss_is_a_silence_of_more_than_ten_minutes_and_a_sweep_ending_in_the_live_part(eventful):
    spec = eventful.spec
    for anomaly in _of(eventful, AnomalyKind.signal_loss):
        (device,) = anomaly.device_ids
        silence = anomaly.magnitude["silence_s"]
        assert silence == anomaly.end_s - anomaly.start_s >= 600 + spec.sweep_interval_s + 120
        assert _fixes(eventful, device_id=device, start=anomaly.start_s + 1, end=anomaly.end_s - 1) == []
        times = {f.t_s for f in _fixes(eventful, device_id=device)}
        assert anomaly.start_s in times and anomaly.end_s in times
        assert spec.observable_from_s <= anomaly.end_s <= spec.latest_end_s


def test_a_gps_jump_lands_kilometres_away_faster_than_any_truck(eventful):
    for anomaly in _of(eventful, AnomalyKind.gps_jump):
        (device,) = anomaly.device_ids
        fixes = _fixes(eventful, device_id=device)
        i = next(k for k, f in enumerate(fixes) if f.t_s == anomaly.start_s)
        before, jump = fixes[i - 1], fixes[i]
        distance = haversine_m(before.lon, before.lat, jump.lon, jump.lat)
        assert abs(distance - anomaly.magnitude["jump_m"]) < anomaly.magnitude["jump_m"] * 0.05 + 500
        assert distance / (jump.t_s - before.t_s) * 3.6 > 250  # the rule: more than 180 km/h
        after = fixes[i + int(anomaly.magnitude["fixes"])]
        assert haversine_m(before.lon, before.lat, after.lon, after.lat) / (after.t_s - before.t_s) * 3.6 < 150


def test_an_escort_falls_more_than_2_km_behind_for_more_than_5_minutes(eventful):
    for anomaly in _of(eventful, AnomalyKind.escort_separation):
        (escort,) = anomaly.device_ids
        assert anomaly.magnitude["max_separation_m"] > 3_000
        escort_fixes = _fixes(eventful, device_id=escort, start=anomaly.start_s, end=anomaly.end_s)
        for expected in (e for e in anomaly.expected if e.source == "alert"):
            truck = _fixes(eventful, device_id=expected.device_id, start=expected.start_s, end=expected.end_s)
            apart = []
            for f in truck:
                nearest = min(escort_fixes, key=lambda e: abs(e.t_s - f.t_s))
                if abs(nearest.t_s - f.t_s) <= 15:
                    apart.append((f.t_s, haversine_m(f.lon, f.lat, nearest.lon, nearest.lat)))
            far = [t for t, d in apart if d > 2_000]
            assert far and far[-1] - far[0] >= 6 * 60


def test_an_overdue_convoy_has_a_deadline_inside_the_live_part_and_arrives_after_it(eventful):
    spec = eventful.spec
    for anomaly in _of(eventful, AnomalyKind.overdue_arrival):
        convoy = next(c for c in eventful.convoys if c.convoy_id == anomaly.convoy_id)
        assert convoy.deadline_s == anomaly.start_s
        assert spec.observable_from_s <= convoy.deadline_s <= spec.latest_end_s - spec.sweep_interval_s
        assert convoy.arrived_s is None or convoy.arrived_s > convoy.deadline_s + spec.sweep_interval_s
        assert convoy.departed_s < convoy.deadline_s


def _crossing_actions(scenario, checkpoint):
    by_crossing = defaultdict(list)
    for a in scenario.actions:
        if isinstance(a, (CameraRead, OfficerStep, WeighbridgeReading)) and a.crossing.endswith(checkpoint):
            by_crossing[a.crossing].append(a)
    return by_crossing


def test_a_weight_discrepancy_is_weighed_8_to_15_percent_off_the_declared_gross(eventful):
    declared = {d.number: d.declared_gross_kg for d in eventful.declarations}
    for anomaly in _of(eventful, AnomalyKind.weight_discrepancy):
        weighings = [a for a in eventful.actions if isinstance(a, WeighbridgeReading) and a.t_s == anomaly.start_s]
        (weighing,) = weighings
        off = (weighing.gross_kg - declared[anomaly.declaration]) / declared[anomaly.declaration] * 100
        assert abs(off - anomaly.magnitude["difference_pct"]) < 0.1 and 8 <= abs(off) <= 15.1
        assert sum(weighing.axle_loads_kg) == weighing.gross_kg and weighing.gross_kg <= 36_000 * 1.01


def test_normal_weighings_stay_within_2_percent_of_the_declaration(eventful):
    declared_by_crossing = {}
    discrepancies = {a.start_s for a in eventful.anomalies if a.kind is AnomalyKind.weight_discrepancy}
    numbers = {d.vehicle_plate: d for d in eventful.declarations}
    for a in eventful.actions:
        if isinstance(a, WeighbridgeReading) and a.t_s not in discrepancies:
            plate = normalize_plate(a.plate_text)
            declaration = next((d for text, d in numbers.items() if normalize_plate(text) == plate), None)
            if declaration is not None:
                declared_by_crossing[a.crossing] = abs(a.gross_kg / declaration.declared_gross_kg - 1)
    assert declared_by_crossing and max(declared_by_crossing.values()) <= 0.021


def test_a_plate_mismatch_shows_the_destination_cameras_another_truck_than_the_declared(eventful):
    filed = {a.declaration.number: a.declaration for a in eventful.actions if isinstance(a, FileDeclaration)}
    for anomaly in _of(eventful, AnomalyKind.plate_mismatch):
        declared = filed[anomaly.declaration].vehicle_plate
        reads = [a for a in eventful.actions if isinstance(a, CameraRead) and a.checkpoint == anomaly.checkpoint
                 and a.t_s == anomaly.start_s]
        (entry,) = reads
        swapped = next(e.plate for e in anomaly.expected if e.type == "undeclared_vehicle")
        assert compare_plates(entry.plate_text, declared) is None
        assert compare_plates(entry.plate_text, swapped) is not None
        steps = [a for a in eventful.actions if isinstance(a, OfficerStep) and a.crossing == entry.crossing]
        assert steps[0].step == "documents_checked" and steps[0].declaration_number == anomaly.declaration


def test_a_transit_never_closed_has_no_exit_at_its_destination_and_a_deadline_in_the_live_part(eventful):
    spec = eventful.spec
    filed = {a.declaration.number: a.declaration for a in eventful.actions if isinstance(a, FileDeclaration)}
    for anomaly in _of(eventful, AnomalyKind.transit_never_closed):
        declaration = filed[anomaly.declaration]
        assert declaration.deadline_s == anomaly.start_s
        assert spec.observable_from_s <= declaration.deadline_s <= spec.latest_end_s
        exits = [a for a in eventful.actions if isinstance(a, CameraRead) and a.checkpoint == anomaly.checkpoint
                 and compare_plates(a.plate_text, declaration.vehicle_plate) is not None]
        assert exits == []


def test_an_undeclared_vehicle_reaches_the_camera_before_any_declaration_names_its_plate(eventful):
    for anomaly in _of(eventful, AnomalyKind.undeclared_vehicle):
        (expected,) = [e for e in anomaly.expected if e.source == "alert"]
        entry = next(a for a in eventful.actions if isinstance(a, CameraRead) and a.t_s == anomaly.start_s
                     and a.checkpoint == anomaly.checkpoint)
        assert compare_plates(entry.plate_text, expected.plate) is not None
        earlier = [a.declaration for a in eventful.actions if isinstance(a, FileDeclaration) and a.t_s <= entry.t_s]
        assert all(compare_plates(entry.plate_text, d.vehicle_plate) is None for d in earlier)


@pytest.fixture(scope="module")
def raised(eventful, geography):
    return replay(eventful, geography, sweep_s=1.0)


FIX_LEVEL = {"route_deviation", "unauthorized_stop", "signal_lost", "gps_anomaly", "convoy_separation"}


def test_the_detectors_raise_exactly_the_injected_fix_level_anomalies(eventful, raised):
    def key(type_, convoy, device):
        return type_, convoy, None if type_ == "route_deviation" else device

    expected = sorted(key(e.type, e.convoy_id, e.device_id) for a in eventful.anomalies for e in a.expected
                      if e.source == "alert" and e.type in FIX_LEVEL)
    got = sorted(key(r.type, r.convoy_id, r.key) for r in raised)
    assert got == expected


def test_each_alert_is_raised_inside_its_anomalys_window(eventful, raised):
    windows = defaultdict(list)
    for a in eventful.anomalies:
        for e in (e for e in a.expected if e.source == "alert"):
            windows[(e.type, e.convoy_id, e.device_id if e.type != "route_deviation" else None)].append(e)
    for r in raised:
        candidates = windows[(r.type, r.convoy_id, r.key)]
        assert any(e.start_s - 60 <= r.t_s <= e.end_s + 60 for e in candidates), (r, candidates)


def test_each_anomaly_that_feeds_a_risk_rule_expects_that_rule_once_on_its_declaration(eventful):
    from chekara.sim.anomalies import RISK_RULE_OF

    hits = [(e.declaration, e.type) for a in eventful.anomalies for e in a.expected if e.source == "risk"]
    assert hits and len(hits) == len(set(hits))
    trip_declaration = {c.convoy_id: c.trucks[0].declaration.number for c in eventful.convoys}
    for anomaly in eventful.anomalies:
        rule = RISK_RULE_OF.get(anomaly.kind)
        number = anomaly.declaration or trip_declaration.get(anomaly.convoy_id)
        assert (rule is None) or (number, rule) in hits
        assert all(not e.timed for e in anomaly.expected if e.source == "risk")

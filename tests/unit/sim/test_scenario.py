"""Scenario generation: deterministic under a seed, well-formed, and quiet when nothing is injected."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

from chekara.domain.detection.geo import haversine_m
from chekara.sim.model import CameraRead, FileDeclaration, OfficerStep, PlanTrip, RegisterDevice, WeighbridgeReading
from chekara.sim.scenario import generate_scenario
from chekara.sim.spec import AnomalyRates, ScenarioSpec
from chekara.sim.truth import AnomalyKind
from tests.unit.sim.conftest import BASE
from tests.unit.sim.detection_replay import replay


def _fingerprint(scenario):
    return ([(f.t_s, f.device_id, f.lon, f.lat, f.speed_kmh) for f in scenario.fixes],
            [repr(a) for a in scenario.actions], [repr(a) for a in scenario.anomalies])


def test_the_same_seed_and_run_tag_give_the_same_scenario_fix_for_fix(geography):
    spec = ScenarioSpec(seed=3, convoys=6, history_s=3600, live_s=60)
    assert _fingerprint(generate_scenario(spec, geography, "R1")) == _fingerprint(generate_scenario(spec, geography, "R1"))


def test_another_seed_gives_another_scenario(geography):
    a = generate_scenario(ScenarioSpec(seed=3, convoys=6, history_s=3600, live_s=60), geography, "R1")
    b = generate_scenario(ScenarioSpec(seed=4, convoys=6, history_s=3600, live_s=60), geography, "R1")
    assert _fingerprint(a)[0] != _fingerprint(b)[0]


def test_another_run_tag_changes_the_trucks_plates_and_ids_but_not_the_traffic_or_its_anomalies(geography):
    spec = ScenarioSpec(seed=3, convoys=12, history_s=3600, live_s=60, mid_route_share=0.3)
    a, b = generate_scenario(spec, geography, "R1"), generate_scenario(spec, geography, "R2")
    assert [(f.t_s, f.lon, f.lat) for f in a.fixes] == [(f.t_s, f.lon, f.lat) for f in b.fixes]
    assert [(type(x), x.t_s) for x in a.actions] == [(type(x), x.t_s) for x in b.actions]
    assert [(x.kind, x.start_s, x.end_s) for x in a.anomalies] == [(x.kind, x.start_s, x.end_s) for x in b.anomalies]
    assert {d.vehicle_plate for d in a.declarations}.isdisjoint({d.vehicle_plate for d in b.declarations})
    assert all("-R1-" in d for d in a.devices) and all("-R2-" in d for d in b.devices)


def test_every_item_lies_within_the_scenario_and_the_actions_are_in_time_order(eventful):
    assert all(0 <= f.t_s <= eventful.spec.end_s for f in eventful.fixes)
    times = [a.t_s for a in eventful.actions]
    assert times == sorted(times) and all(0 <= t <= eventful.spec.end_s for t in times)


def test_a_convoys_paperwork_and_trip_come_before_its_first_fix(eventful):
    first_fix = {}
    for fix in eventful.fixes:
        first_fix.setdefault(fix.group, fix.t_s)
    planned = {a.group: a.t_s for a in eventful.actions if isinstance(a, PlanTrip)}
    registered = defaultdict(list)
    for a in eventful.actions:
        if isinstance(a, RegisterDevice):
            registered[a.group].append(a.t_s)
    for group, t in first_fix.items():
        assert planned[group] <= t and max(registered[group]) <= t


def test_devices_report_every_10_to_60_s_in_whole_seconds_and_never_twice_at_once(quiet):
    by_device = defaultdict(list)
    for fix in quiet.fixes:
        by_device[fix.device_id].append(fix.t_s)
    steps = Counter()
    for times in by_device.values():
        gaps = np.diff(times)
        assert (gaps > 0).all()
        steps.update(int(g) for g in gaps)
    regular = sum(n for step, n in steps.items() if 10 <= step <= 60)
    assert regular / sum(steps.values()) > 0.99  # the rest are short gaps (1-4 min)
    assert max(steps) <= 4 * 60 + 60


def test_speeds_are_those_of_trucks_slower_on_passes_and_no_fix_implies_an_impossible_jump(quiet):
    by_device = defaultdict(list)
    for fix in quiet.fixes:
        by_device[fix.device_id].append(fix)
    implied = []
    for fixes in by_device.values():
        for a, b in zip(fixes, fixes[1:]):
            implied.append(haversine_m(a.lon, a.lat, b.lon, b.lat) / (b.t_s - a.t_s) * 3.6)
    assert max(implied) < 150  # far from the 180 km/h of a GPS anomaly
    moving = [f.speed_kmh for f in quiet.fixes if f.speed_kmh > 5]
    assert 45 < float(np.median(moving)) < 85 and max(moving) < 110


def test_normal_traffic_raises_no_alert_in_the_detectors(quiet, geography):
    assert quiet.anomalies == []
    assert replay(quiet, geography, sweep_s=1.0) == []


@pytest.mark.parametrize("seed", [11, 12])
def test_normal_traffic_stays_quiet_whatever_the_seed(geography, seed):
    scenario = generate_scenario(ScenarioSpec(seed=seed, rates=AnomalyRates.none(), **BASE), geography, "Q")
    assert replay(scenario, geography, sweep_s=1.0) == []


def test_normal_stops_longer_than_15_minutes_are_all_in_stop_zones_or_checkpoints(quiet, geography):
    """What keeps normal traffic from being an unauthorized stop: where the long stops are."""
    zone_sites = [z for r in geography.routes for z in r.stop_zones]
    by_device = defaultdict(list)
    for fix in quiet.fixes:
        if fix.device_id.endswith(("-T1", "-T2", "-T3")):
            by_device[fix.device_id].append(fix)
    long_stops = 0
    for fixes in by_device.values():
        still = [f for f in fixes if f.speed_kmh == 0.0]
        if len(still) < 2:
            continue
        x, y = _metric([f.lon for f in still], [f.lat for f in still])
        for i in range(len(still)):
            inside_zone = any(np.hypot(x[i] - z.x_m, y[i] - z.y_m) <= z.radius_m for z in zone_sites)
            at_checkpoint = geography.checkpoint_distance_m(x[i:i + 1], y[i:i + 1])[0] <= 0
            assert inside_zone or at_checkpoint or _short_stop(still, i)
            long_stops += inside_zone
    assert long_stops > 0  # the convoys do rest


def _metric(lon, lat):
    from chekara.domain.geometry import metric_transformer

    return metric_transformer().transform(np.array(lon), np.array(lat))


def _short_stop(still, i, limit_s=10 * 60):
    """The stationary run around fix i lasts under limit_s (a traffic stop)."""
    device = still[i].device_id
    j = i
    while j > 0 and still[j - 1].device_id == device and still[j].t_s - still[j - 1].t_s <= 60:
        j -= 1
    k = i
    while k + 1 < len(still) and still[k + 1].t_s - still[k].t_s <= 60:
        k += 1
    return still[k].t_s - still[j].t_s < limit_s


def test_every_convoy_files_a_transit_for_each_truck_and_walks_its_crossings_in_the_procedures_order(eventful):
    filed = {a.declaration.number: a.declaration for a in eventful.actions if isinstance(a, FileDeclaration)}
    for convoy in eventful.convoys:
        for truck in convoy.trucks:
            d = filed[truck.declaration.number]
            assert d.kind == "transit" and (d.entry_checkpoint, d.exit_checkpoint) == (convoy.origin, convoy.destination)
            assert d.deadline_s is not None and d.goods_lines
    steps = defaultdict(list)
    for a in eventful.actions:
        if isinstance(a, CameraRead):
            steps[a.crossing].append(a.direction)
        elif isinstance(a, OfficerStep):
            steps[a.crossing].append(a.step)
        elif isinstance(a, WeighbridgeReading):
            steps[a.crossing].append("weighed")
    order = ["entry", "documents_checked", "weighed", "inspected", "released", "exit"]
    for sequence in steps.values():
        assert sequence == order[:len(sequence)]


def test_goods_lines_carry_hs_codes_weights_and_values_in_the_regions_currencies(eventful):
    lines = [line for d in eventful.declarations for line in d.goods_lines]
    assert {line.currency for line in lines} <= {"USD", "EUR", "RUB", "KGS"}
    assert len({line.currency for line in lines}) >= 2
    assert all(len(line.hs_code) == 10 and line.net_kg <= line.gross_kg and line.value > 0 for line in lines)
    for d in eventful.declarations:
        assert sum(line.gross_kg for line in d.goods_lines) < d.declared_gross_kg <= 36_000


def test_some_escort_phones_speak_osmand_once_live_and_only_then(geography):
    spec = ScenarioSpec(seed=2, convoys=30, history_s=600, live_s=4 * 3600, osmand_share=0.5)
    scenario = generate_scenario(spec, geography, "OS")
    osmand = [c for c in scenario.convoys if c.escort.protocol == "osmand"]
    assert osmand and all(c.first_fix_s >= spec.history_s for c in osmand)
    assert all(d.protocol == "json" for c in scenario.convoys for d in c.devices if d.kind == "tracker")


def test_the_kinds_of_anomaly_are_all_injected_at_these_rates(eventful):
    kinds = Counter(a.kind for a in eventful.anomalies)
    # plate misreads no format takes back come with the hard profile's cameras (tests/unit/sim/test_plate_confusions.py)
    assert set(kinds) == set(AnomalyKind) - {AnomalyKind.plate_misread}


def test_no_normal_deadline_is_already_past_when_the_run_starts(geography):
    """Else a trip planned during the catch-up could be swept overdue before its backlog arrives."""
    spec = ScenarioSpec(seed=9, convoys=30, history_s=3 * 3600, live_s=120)
    scenario = generate_scenario(spec, geography, "DL")
    overdue = {a.convoy_id for a in scenario.anomalies if a.kind is AnomalyKind.overdue_arrival}
    never_closed = {a.declaration for a in scenario.anomalies if a.kind is AnomalyKind.transit_never_closed}
    assert all(c.deadline_s >= spec.history_s + 3600 for c in scenario.convoys if c.convoy_id not in overdue)
    assert all(d.deadline_s >= spec.history_s + 3600 for d in scenario.declarations
               if d.deadline_s is not None and d.number not in never_closed)

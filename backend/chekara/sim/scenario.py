"""generate_scenario(): a seeded, pure description of a living border and of what goes wrong on it.

Pure: no I/O, no clock, one random.Random(seed). The same spec, geography
and run tag give the same scenario, fix for fix.

How it is made:

1. traffic: ``spec.convoys`` lanes of traffic; each starts with a convoy on
   a random route (most already under way, the others queueing at their
   origin checkpoint) and, when that convoy has arrived and cleared its
   destination, another leaves from there, until the scenario ends;
2. anomalies that change how convoys move (detours, unauthorized stops,
   an escort falling behind), then what their devices report (signal
   losses, GPS jumps), then deadlines, crossings and walk-in trucks
   (sim.anomalies; each injector returns its ground truth);
3. the timeline: every action (declaration, device, trip, camera read,
   weighing, officer step) and every fix up to the scenario's end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .anomalies import Injector, with_risk_hits
from .convoys import ConvoyDraft, ConvoyFactory
from .crossing import crossing_actions
from .geography import SimGeography
from .model import (
    Action,
    CameraRead,
    Convoy,
    DeclarationPlan,
    FileDeclaration,
    Fix,
    PlanTrip,
    RegisterDevice,
    action_key,
)
from .plate_reads import misread_anomalies
from .roads import with_roads
from .sampling import DeviceTrack, build_fixes, coverage_holes, fix_times
from .spec import ScenarioSpec
from .truth import InjectedAnomaly

#: At most this many convoys follow one another in one lane of traffic.
MAX_LEGS = 26
#: A convoy leaves its destination's queue this long after the previous one cleared it, minutes.
TURNAROUND_MIN = (10.0, 40.0)
#: Trip deadline after the expected arrival (normal convoys), hours; a transit's is later still.
DEADLINE_SLACK_H = (2.0, 5.0)
TRANSIT_DEADLINE_EXTRA_H = 6.0
#: A normal deadline lies at least this long after the run starts, seconds (see generate_scenario).
DEADLINE_FLOOR_S = 3600.0


@dataclass
class Scenario:
    spec: ScenarioSpec
    run_tag: str
    convoys: list[Convoy]
    declarations: list[DeclarationPlan]
    actions: list[Action]
    fixes: list[Fix]
    anomalies: list[InjectedAnomaly]

    @property
    def cameras(self) -> list[str]:
        return sorted({a.camera_id for a in self.actions if isinstance(a, CameraRead)})

    @property
    def devices(self) -> list[str]:
        return [d.device_id for c in self.convoys for d in c.devices]


def _traffic(spec: ScenarioSpec, factory: ConvoyFactory, rng: random.Random) -> list[ConvoyDraft]:
    drafts = []
    routes = list(factory.geo.routes)
    for lane in range(spec.convoys):
        route = rng.choice(routes)
        mid_route = rng.random() < spec.mid_route_share
        appear = rng.uniform(0, 120) if mid_route else rng.uniform(60, 30 * 60)
        for leg in range(MAX_LEGS):
            if appear >= spec.end_s:
                break
            draft = factory.convoy(f"C{lane + 1:02d}{chr(65 + leg)}", route, appear, mid_route)
            drafts.append(draft)
            onward = factory.geo.routes_from(route.destination)
            if not onward or draft.at_destination_s is None:
                break
            route = rng.choice(onward)
            cleared = max(draft.destination_entry_s) + 45 * 60
            appear = cleared + rng.uniform(*TURNAROUND_MIN) * 60
            mid_route = False
    return drafts


def _tracks(draft: ConvoyDraft, spec: ScenarioSpec, rng: random.Random) -> list[DeviceTrack]:
    motions = draft.motions()
    end = min(draft.convoy.last_fix_s, spec.end_s)
    tracks = []
    profile = spec.traffic
    for device in draft.convoy.devices:
        battery = rng.uniform(60, 100) if device.kind == "escort_phone" else None
        times = fix_times(device, draft.convoy.first_fix_s, end, rng, profile)
        holes = coverage_holes(device, draft.convoy.departed_s, end, rng, profile)
        tracks.append(DeviceTrack(device, motions[device.device_id], times, battery_start_pct=battery, holes=holes,
                                  profile=profile))
    return tracks


def generate_scenario(spec: ScenarioSpec, geography: SimGeography, run_tag: str) -> Scenario:
    """The whole scenario; run_tag makes its ids unique on a shared platform (letters and digits)."""
    rng = random.Random(spec.seed)
    # The road of each corridor (the line itself in the standard profile) has a random source of its own.
    geography = with_roads(geography, spec.traffic, random.Random(f"road:{spec.seed}"))
    factory = ConvoyFactory(geography, rng, run_tag.upper(), spec.read_rates, spec.osmand_share, spec.history_s,
                            spec.traffic)
    drafts = _traffic(spec, factory, rng)
    injector = Injector(spec, factory, rng, drafts)

    injector.route_deviations()
    injector.unauthorized_stops()
    if spec.early_alerts:  # put in last: nothing put in after them can delay them
        injector.route_deviations(spec.early_alerts, alerted_by_s=spec.history_s)
        injector.unauthorized_stops(spec.early_alerts, alerted_by_s=spec.history_s)
    anomalies = injector.settle_motion() + injector.escort_separations()
    tracks = {d.convoy_id: _tracks(d, spec, rng) for d in drafts}
    anomalies += injector.signal_losses(tracks) + injector.gps_jumps(tracks)
    trip_deadlines: dict[str, float] = {}
    transit_deadlines: dict[str, float] = {}
    anomalies += injector.overdue_arrivals(trip_deadlines)
    anomalies += injector.weight_discrepancies() + injector.plate_mismatches()
    anomalies += injector.transits_never_closed(transit_deadlines)
    walk_in_plans, walk_in_declarations, walk_in_anomalies = injector.walk_ins()
    anomalies += walk_in_anomalies

    convoys, declarations, actions, fixes = [], [], [], []
    for draft in drafts:
        convoy = draft.convoy
        expected_arrival = draft.at_destination_s or draft.leader.end_s
        # Never already past when the run starts: a trip planned during the catch-up and swept before its
        # backlog arrives would be overdue in the platform's eyes (rightly: it knows nothing of the arrival yet).
        normal = max(expected_arrival + rng.uniform(*DEADLINE_SLACK_H) * 3600, spec.history_s + DEADLINE_FLOOR_S)
        convoy.deadline_s = trip_deadlines.get(convoy.convoy_id, normal)
        trucks = []
        for truck in convoy.trucks:
            number = truck.declaration.number
            deadline = transit_deadlines.get(number, normal + TRANSIT_DEADLINE_EXTRA_H * 3600)
            trucks.append(replace(truck, declaration=replace(truck.declaration, deadline_s=deadline)))
        convoy.trucks = trucks
        convoys.append(convoy)
        declarations.extend(t.declaration for t in trucks)
        actions.extend(FileDeclaration(convoy.planned_s, convoy.convoy_id, t.declaration) for t in trucks)
        actions.extend(RegisterDevice(convoy.planned_s, convoy.convoy_id, d) for d in convoy.devices)
        actions.append(PlanTrip(
            convoy.planned_s, convoy.convoy_id, convoy.convoy_id, trucks[0].declaration.number,
            tuple(t.plate.display for t in trucks), tuple(convoy.devices), convoy.origin, convoy.destination,
            convoy.corridor, convoy.planned_departure_s, convoy.deadline_s,
        ))
        actions.extend(factory.actions(draft))
        for track in tracks[convoy.convoy_id]:
            fixes.extend(build_fixes(track, draft.route, rng, convoy.convoy_id))
    for plan, declaration in zip(walk_in_plans, walk_in_declarations):
        declarations.append(declaration)
        actions.append(FileDeclaration(declaration.filed_s, plan.group, declaration))
        actions.extend(crossing_actions(plan, factory.crossing_rng(plan.key), spec.read_rates)[0])

    anomalies = misread_anomalies(actions, anomalies, spec.latest_end_s)
    indexed = sorted(((action_key(a, i), a) for i, a in enumerate(actions) if a.t_s <= spec.end_s), key=lambda p: p[0])
    # In upload order (store-and-forward backlogs come late), each device's in the order taken.
    fixes = sorted((f for f in fixes if f.delivery_s <= spec.end_s and f.t_s <= spec.end_s + 60),
                   key=lambda f: (f.delivery_s, f.t_s, f.device_id))
    anomalies = with_risk_hits(anomalies, {c.convoy_id: c.trucks[0].declaration.number for c in convoys})
    anomalies.sort(key=lambda a: (a.start_s, a.kind.value))
    anomalies = [replace(a, anomaly_id=f"A{i + 1:03d}") for i, a in enumerate(anomalies)]
    return Scenario(spec, run_tag.upper(), convoys, declarations, [a for _, a in indexed], fixes, anomalies)

"""One convoy's normal day: trucks, escort, paperwork, the drive with its stops, both checkpoints.

A ConvoyDraft is the convoy while the scenario is being generated: the
anomaly injectors (sim.anomalies) add activities to its drive or change its
crossings, then the scenario builds its motion, fixes and actions.

Normal driving stays on the road (the corridor line itself in the standard
profile; a road wandering inside the corridor in the hard one, sim.roads),
stops to rest or refuel only in designated stop zones, and otherwise only
for a few minutes (a queue at road works, a police check) or, in the hard
profile, up to 14 minutes: on the road, or at a roadside cafe 100-400 m off
the corridor line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from . import goods
from .crossing import CrossingPlan, crossing_actions
from .geography import Route, SimCheckpoint, SimGeography
from .model import Action, Convoy, DeclarationPlan, DeviceSpec, Truck
from .motion import Motion, MotionBuilder, escort_lagging
from .plates import PlateFactory, ReadRates, VehiclePlate
from .profile import STANDARD, TrafficProfile
from .terrain import SpeedProfile, speed_profile

#: Share of designated stop zones a convoy stops at, and for how long by kind of zone, minutes.
ZONE_STOP_SHARE = 0.5
ZONE_STOP_MIN = {"rest_area": (20, 45), "truck_park": (15, 40), "fuel": (10, 20), "customs_post": (15, 30)}
#: Stops outside stop zones (road works, a police check, a cafe): how often and how long is the profile's.
#: No traffic stop within this distance of a stop zone or checkpoint, metres (it would be authorised anyway).
TRAFFIC_STOP_CLEARANCE_M = 1_500.0
#: Activities happen where the road lies at least this far inside the corridor's edge, metres.
ROAD_INSIDE_MARGIN_M = 150.0
#: Trucks drive this far apart in a column, metres; the escort this far ahead or behind it.
TRUCK_SPACING_M = (40.0, 80.0)
ESCORT_GAP_M = (80.0, 200.0)
#: Devices keep reporting this long after reaching the destination, minutes.
AFTER_ARRIVAL_MIN = (5.0, 15.0)
#: Nothing unusual in the first and last stretch of a route, metres (checkpoint approaches).
QUIET_ENDS_M = 6_000.0

COMPANIES = {
    "CN": ("Kashgar Silk Road Trading Co.", "Urumqi Tianshan Logistics", "Yiwu Commodities Export Ltd."),
    "KZ": ("Almaty Grain Holding LLP", "Shymkent Trade House", "KazAgro Export JSC"),
    "RU": ("Novosibirsk Food Export LLC", "Ural Polymer Trade JSC", "Chelyabinsk Cargo LLC"),
    "UZ": ("Andijan Fruit Export", "Fergana Textile Group", "Namangan Agro LLC"),
    "KG": ("Bishkek Fresh LLC", "Osh Market Supply", "Dordoi Trade Center", "Naryn Agro LLC", "Kant Cement Plant"),
    "TJ": ("Khujand Trade LLC",),
}


@dataclass
class Activity:
    """Something a convoy does at a place along its route (a stop, a detour)."""

    progress_m: float
    kind: Literal["zone_stop", "traffic_stop", "cafe_stop", "unauthorized_stop", "detour"]
    duration_s: float = 0.0
    detour: tuple[float, int, float, float, float] | None = None  # distance_m, side, out_s, dwell_s, back_s
    anomaly_id: str | None = None
    start_s: float = 0.0
    end_s: float = 0.0


@dataclass
class EscortLag:
    """The escort stops for stop_s from stop_from_s, then catches up catch_up_kmh faster than the trucks."""

    stop_from_s: float
    stop_s: float
    catch_up_kmh: float
    anomaly_id: str


@dataclass
class ConvoyDraft:
    convoy: Convoy
    route: Route
    origin: SimCheckpoint
    destination: SimCheckpoint
    profile: SpeedProfile
    start_progress_m: float
    appear_s: float
    activities: list[Activity]
    truck_offsets_m: list[float]
    escort_offset_m: float
    origin_crossings: list[CrossingPlan]
    destination_entry_s: list[float] = field(default_factory=list)
    #: Per truck: the plate the destination cameras see (a swap), the measured gross there, skip the crossing.
    destination_plate: dict[int, VehiclePlate] = field(default_factory=dict)
    destination_gross_kg: dict[int, int] = field(default_factory=dict)
    destination_skipped: set[int] = field(default_factory=set)
    escort_lag: EscortLag | None = None
    leader: Motion | None = None
    departure_s: float = 0.0
    at_destination_s: float | None = None

    @property
    def convoy_id(self) -> str:
        return self.convoy.convoy_id

    def motions(self) -> dict[str, Motion]:
        """Each device's true motion (the leader's, shifted; the escort's own when it lags)."""
        assert self.leader is not None
        length = self.route.length_m
        out = {truck.tracker.device_id: self.leader.shifted(offset, length)
               for truck, offset in zip(self.convoy.trucks, self.truck_offsets_m)}
        if self.escort_lag is None:
            out[self.convoy.escort.device_id] = self.leader.shifted(self.escort_offset_m, length)
        else:
            lag = self.escort_lag
            out[self.convoy.escort.device_id] = escort_lagging(
                self.leader, self.escort_offset_m, length, lag.stop_from_s, lag.stop_s, lag.catch_up_kmh)
        return out

    def busy_windows(self) -> list[tuple[float, float]]:
        """Time windows already taken by anomalies (another one is not put on top)."""
        windows = [(a.start_s, a.end_s) for a in self.activities if a.anomaly_id]
        if self.escort_lag is not None:
            windows.append((self.escort_lag.stop_from_s, self.escort_lag.stop_from_s + 3 * self.escort_lag.stop_s))
        return windows


def _draw(rng: random.Random, bounds: tuple[float, float]) -> float:
    """A value in bounds; a fixed value draws nothing (a seed's standard scenario stays what it was)."""
    return bounds[0] if bounds[0] == bounds[1] else rng.uniform(*bounds)


class ConvoyFactory:
    """Makes normal convoys; holds what they share within a scenario (random source, plates, run tag)."""

    def __init__(self, geography: SimGeography, rng: random.Random, run_tag: str, reads: ReadRates,
                 osmand_share: float, live_from_s: float, profile: TrafficProfile = STANDARD) -> None:
        self.geo = geography
        self.profile = profile
        self.rng = rng
        self.salt = rng.getrandbits(32)
        self.run_tag = run_tag
        self.reads = reads
        # Plates have a random source of their own, salted with the run tag: two runs of one seed on one
        # platform must not bring the same trucks (a read would join the other run's open crossing), yet
        # they drive the same convoys with the same anomalies.
        self.plates = PlateFactory(random.Random(f"{self.salt}:{run_tag}"))
        self.osmand_share = osmand_share
        self.live_from_s = live_from_s

    # ---- people and paper ------------------------------------------------------------------

    def _company(self, country: str) -> str:
        return self.rng.choice(COMPANIES.get(country, COMPANIES["KG"]))

    def _countries(self, origin: SimCheckpoint, destination: SimCheckpoint) -> tuple[str, str]:
        dispatch = origin.country or "KG"
        to = destination.country or "KG"
        if dispatch == to:  # inland to inland: goods that came from China, moved on under transit
            dispatch = "CN"
        return dispatch, to

    def _truck(self, convoy_id: str, k: int, origin: SimCheckpoint, destination: SimCheckpoint,
               filed_s: float) -> Truck:
        rng = self.rng
        country = self.plates.fleet_country(origin.country)
        plate, trailer = self.plates.plate(country), self.plates.plate(country)
        dispatch, to = self._countries(origin, destination)
        lines, gross = goods.load(dispatch, rng)
        number = f"SIM-{self.run_tag}-{convoy_id}-{k}"
        declaration = DeclarationPlan(
            number=number, kind="transit", filed_s=filed_s, vehicle_plate=plate.display,
            trailer_plate=trailer.display, declared_gross_kg=gross, goods_lines=tuple(lines),
            consignor=self._company(dispatch), consignee=self._company(to), dispatch_country=dispatch,
            destination_country=to, entry_checkpoint=origin.code, exit_checkpoint=destination.code,
            deadline_s=None,
        )
        tracker = DeviceSpec(
            device_id=f"SIM-{self.run_tag}-{convoy_id}-T{k}", kind="tracker", role="vehicle", plate=plate.display,
            interval_s=rng.choice(self.profile.tracker_intervals_s), noise_m=_draw(rng, self.profile.tracker_noise_m),
            protocol="json",
            label=f"truck {plate.display} ({country})",
        )
        return Truck(plate, trailer, declaration, tracker)

    # ---- the drive -------------------------------------------------------------------------

    def _zone_stops(self, route: Route, from_m: float) -> list[Activity]:
        stops = []
        for zone in route.stop_zones:
            if zone.progress_m <= from_m or zone.progress_m >= route.length_m - QUIET_ENDS_M:
                continue
            if self.rng.random() < ZONE_STOP_SHARE:
                low, high = ZONE_STOP_MIN.get(zone.kind, (10, 30))
                stops.append(Activity(zone.progress_m, "zone_stop", self.rng.uniform(low, high) * 60))
        return stops

    def clear_of_zones(self, route: Route, progress_m: float, clearance_m: float) -> bool:
        """True when a place on the route is at least clearance_m from its stop zones and every checkpoint,
        and the road there is well inside the corridor (not on a switchback's bulge: nobody parks there)."""
        x, y = route.points_m(np.array([progress_m]), np.array([0.0]))
        if route.distance_to_line_m(x, y)[0] > route.half_width_m - ROAD_INSIDE_MARGIN_M:
            return False
        for zone in route.stop_zones:
            if np.hypot(x[0] - zone.x_m, y[0] - zone.y_m) < zone.radius_m + clearance_m:
                return False
        return bool(self.geo.checkpoint_distance_m(x, y)[0] > clearance_m)

    def _traffic_stops(self, route: Route, from_m: float) -> list[Activity]:
        """Stops outside stop zones that raise nothing: short ones, in the hard profile 10-14 min ones and cafes."""
        profile = self.profile
        return (self._stops_along(route, from_m, profile.traffic_stops_per_100_km, profile.traffic_stop_min)
                + self._stops_along(route, from_m, profile.long_traffic_stops_per_100_km, profile.long_traffic_stop_min)
                + self._stops_along(route, from_m, profile.cafe_stops_per_100_km, profile.cafe_stop_min, cafe=True))

    def _stops_along(self, route: Route, from_m: float, per_100_km: float, minutes: tuple[float, float],
                     cafe: bool = False) -> list[Activity]:
        stretch = route.length_m - QUIET_ENDS_M - from_m
        if stretch <= 0 or per_100_km <= 0:
            return []
        count = np.random.default_rng(self.rng.getrandbits(32)).poisson(per_100_km * stretch / 100_000)
        stops = []
        for _ in range(count):
            at = self.rng.uniform(from_m, from_m + stretch)
            if not self.clear_of_zones(route, at, TRAFFIC_STOP_CLEARANCE_M):
                continue
            duration = self.rng.uniform(*minutes) * 60
            if not cafe:
                stops.append(Activity(at, "traffic_stop", duration))
                continue
            # A cafe beside the road, 100-400 m from the corridor line: pull off, eat, come back.
            side = self.rng.choice((-1, 1))
            x, y = route.points_m(np.array([at]), np.array([0.0]))
            road_off = float(route.distance_to_line_m(x, y)[0])
            target = self.rng.uniform(*self.profile.cafe_offset_m)
            lateral = self._cafe_lateral(route, at, side, target, road_off)
            if lateral is None:
                continue
            drive_s = max(30.0, lateral / 8.0)  # a side road at about 30 km/h
            stops.append(Activity(at, "cafe_stop", detour=(lateral, side, drive_s, duration, drive_s)))
        return stops

    @staticmethod
    def _cafe_lateral(route: Route, at: float, side: int, target_m: float, road_off_m: float) -> float | None:
        """How far off the road (on one side) a cafe lies that is target_m from the corridor line, or None."""
        for lateral in np.linspace(0.0, target_m + road_off_m, 60):
            x, y = route.points_m(np.array([at]), np.array([side * lateral]))
            if abs(float(route.distance_to_line_m(x, y)[0]) - target_m) < 15:
                return float(max(lateral, 30.0))
        return None

    def build_motion(self, draft: ConvoyDraft) -> None:
        """The leader's motion: wait at the origin, drive with the activities, reach the destination."""
        builder = MotionBuilder(draft.route, draft.appear_s, draft.start_progress_m)
        if draft.origin_crossings:
            builder.wait(draft.departure_s - draft.appear_s)
        for activity in sorted(draft.activities, key=lambda a: a.progress_m):
            builder.drive_to(activity.progress_m, draft.profile)
            activity.start_s = builder.now_s
            if activity.detour is not None:
                builder.detour(*activity.detour)
            else:
                builder.wait(activity.duration_s)
            activity.end_s = builder.now_s
        builder.drive_to(draft.route.length_m, draft.profile)
        draft.at_destination_s = builder.now_s
        builder.wait(self.rng.uniform(*AFTER_ARRIVAL_MIN) * 60 + 45 * 60)  # room for the destination crossing
        draft.leader = builder.build()
        self._update_times(draft)

    def _update_times(self, draft: ConvoyDraft) -> None:
        convoy, leader = draft.convoy, draft.leader
        ahead = max(draft.escort_offset_m, 0.0)
        left = leader.time_at_progress(draft.origin.geofence_radius_m - ahead)
        convoy.departed_s = draft.appear_s if convoy.starts_mid_route else (left or draft.appear_s)
        convoy.arrived_s = leader.time_at_progress(draft.route.length_m - draft.destination.geofence_radius_m - ahead)
        at = draft.at_destination_s or leader.end_s
        draft.destination_entry_s = [at + 60 + 90 * k + self.rng.uniform(0, 60) for k in range(len(convoy.trucks))]
        convoy.last_fix_s = at + self.rng.uniform(*AFTER_ARRIVAL_MIN) * 60

    # ---- a convoy ------------------------------------------------------------------------------

    def convoy(self, convoy_id: str, route: Route, appear_s: float, mid_route: bool) -> ConvoyDraft:
        rng = self.rng
        origin, destination = self.geo.checkpoints[route.origin], self.geo.checkpoints[route.destination]
        planned_s = 0.0 if mid_route else max(appear_s - rng.uniform(15, 40) * 60, 0.0)
        n_trucks = rng.choice((1, 1, 1, 1, 2, 2, 3))
        trucks = [self._truck(convoy_id, k + 1, origin, destination, planned_s) for k in range(n_trucks)]
        escort_protocol = "osmand" if appear_s >= self.live_from_s and rng.random() < self.osmand_share else "json"
        escort = DeviceSpec(
            device_id=f"SIM-{self.run_tag}-{convoy_id}-E", kind="escort_phone", role="escort", plate=None,
            interval_s=rng.choice(self.profile.phone_intervals_s), noise_m=_draw(rng, self.profile.phone_noise_m),
            protocol=escort_protocol, label=f"escort phone, convoy {convoy_id}",
            clock_skew_s=rng.randint(-self.profile.phone_clock_skew_s, self.profile.phone_clock_skew_s)
            if self.profile.phone_clock_skew_s else 0,
        )
        spacing = rng.uniform(*TRUCK_SPACING_M)
        truck_offsets = [-k * spacing for k in range(n_trucks)]
        escort_gap = rng.uniform(*ESCORT_GAP_M)
        escort_offset = escort_gap if rng.random() < 0.5 else -(n_trucks - 1) * spacing - escort_gap
        start_m = rng.uniform(0.05, 0.7) * route.length_m if mid_route else 0.0
        profile = speed_profile(route, rng, pace=rng.uniform(0.85, 1.05))
        activities = self._zone_stops(route, start_m + QUIET_ENDS_M) + self._traffic_stops(route, start_m + QUIET_ENDS_M)

        origin_crossings: list[CrossingPlan] = []
        departure_s = appear_s
        if not mid_route:
            for k, truck in enumerate(trucks):
                origin_crossings.append(CrossingPlan(
                    key=f"{convoy_id}-{k + 1}-{origin.code}", group=convoy_id, run_tag=self.run_tag,
                    checkpoint=origin, plate=truck.plate, entry_s=appear_s + 60 + 90 * k,
                    measured_gross_kg=self._measured(truck.declaration.declared_gross_kg),
                    declaration=truck.declaration.number,
                ))
        convoy = Convoy(
            convoy_id=convoy_id, corridor=route.corridor, origin=origin.code, destination=destination.code,
            trucks=trucks, escort=escort, planned_s=planned_s,
            planned_departure_s=appear_s - rng.uniform(0.5, 3) * 3600 if mid_route else appear_s + 45 * 60,
            first_fix_s=appear_s, departed_s=appear_s, arrived_s=None, last_fix_s=appear_s, deadline_s=0.0,
            starts_mid_route=mid_route, devices=[t.tracker for t in trucks] + [escort],
        )
        draft = ConvoyDraft(
            convoy=convoy, route=route, origin=origin, destination=destination, profile=profile,
            start_progress_m=start_m, appear_s=appear_s, activities=activities, truck_offsets_m=truck_offsets,
            escort_offset_m=escort_offset, origin_crossings=origin_crossings, departure_s=departure_s,
        )
        if origin_crossings:
            draft.departure_s = max(self.origin_exit_s(draft)) + rng.uniform(1, 3) * 60
        self.build_motion(draft)
        return draft

    def _measured(self, declared_kg: int) -> int:
        """A weighbridge's reading of a truck that carries what it declared (fuel, snow, scale: within 2 %)."""
        share = self.profile.normal_weight_share
        return int(declared_kg * (1 + self.rng.uniform(-share, share)))

    def origin_exit_s(self, draft: ConvoyDraft) -> list[float]:
        """When each truck leaves the origin checkpoint (its crossing's exit read)."""
        exits = []
        for plan in draft.origin_crossings:
            _, exit_s = crossing_actions(plan, self.crossing_rng(plan.key), self.reads)
            exits.append(exit_s)
        return exits

    def actions(self, draft: ConvoyDraft) -> list[Action]:
        """The convoy's crossings at both ends, as camera, weighbridge and officer actions."""
        out: list[Action] = []
        for plan in draft.origin_crossings:
            out.extend(crossing_actions(plan, self.crossing_rng(plan.key), self.reads)[0])
        if draft.at_destination_s is None:
            return out
        for k, (truck, entry_s) in enumerate(zip(draft.convoy.trucks, draft.destination_entry_s)):
            if k in draft.destination_skipped:
                continue
            plate = draft.destination_plate.get(k, truck.plate)
            plan = CrossingPlan(
                key=f"{draft.convoy_id}-{k + 1}-{draft.destination.code}", group=draft.convoy_id,
                run_tag=self.run_tag, checkpoint=draft.destination, plate=plate, entry_s=entry_s,
                measured_gross_kg=draft.destination_gross_kg.get(
                    k, self._measured_for(truck.declaration.declared_gross_kg, f"{draft.convoy_id}-{k}")),
                link_declaration=truck.declaration.number if k in draft.destination_plate else None,
                declaration=None if k in draft.destination_plate else truck.declaration.number,
                plate_declared=k not in draft.destination_plate,
            )
            out.extend(crossing_actions(plan, self.crossing_rng(plan.key), self.reads)[0])
        return out

    def _measured_for(self, declared_kg: int, key: str) -> int:
        share = self.profile.normal_weight_share
        return int(declared_kg * (1 + self.crossing_rng(key).uniform(-share, share)))

    def crossing_rng(self, key: str) -> random.Random:
        """A random source of its own per crossing, so its timing is the same however often it is rebuilt."""
        return random.Random(f"{self.salt}:{key}")  # str seeds are hashed with SHA-512: stable across processes


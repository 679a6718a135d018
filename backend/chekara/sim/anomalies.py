"""Injecting anomalies into a scenario, each written down with its ground truth.

Every injector picks convoys (or makes walk-in trucks), changes what they
do, and returns InjectedAnomaly records whose window and magnitude are
measured on the true, noise-free motion after the change (a detour's
distance is its farthest point's distance from the corridor line, as the
platform measures it, not the detour's nominal length).

In the standard profile magnitudes are drawn clear of the platform's
thresholds (DESIGN.md): a deviation reaches 1.5-6 km for minutes, an
unauthorized stop lasts 18-45 min, a signal loss 600 s + a sweep interval +
2-15 min, an escort falls 3+ km behind for 7+ min, a GPS jump lands 5-40 km
away, a weighing differs by 8-15 %: does the whole platform catch plain
cases? In the hard profile (sim.profile) they lie close to the thresholds:
deviations of 0.7-3 km outside for 1.5-5 min, stops of 15.5-25 min,
silences of 10.5-14 min beyond the device's schedule, separations peaking
at 2.2-4 km and over 2 km for 5.5-8 min, jumps implying 185-230 km/h,
weighings 5.2-7 % off. Each anomaly also records when it crosses its
threshold, for the evaluation's alert delays.

Anomalies are kept apart in time within a convoy, so each alert has one
cause. Those the platform can only see with its own clock (signal loss,
overdue arrival, a transit never closed) end inside the live part of the
run, after the catch-up and a sweep (ScenarioSpec.observable_from_s).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from . import goods
from .convoys import QUIET_ENDS_M, Activity, ConvoyDraft, ConvoyFactory, EscortLag
from .crossing import CrossingPlan, crossing_actions
from .model import DeclarationPlan, WeighbridgeReading
from .motion import STEP_S
from .sampling import DeviceTrack, remove_window
from .spec import ScenarioSpec
from .truth import AnomalyKind, ExpectedSignal, InjectedAnomaly

#: Distance between two anomalies along a route, metres, and between their windows, seconds.
ANOMALY_SPACING_M = 12_000.0
ANOMALY_GAP_S = 300.0
#: An unauthorized stop is this far from stop zones and checkpoint geofences, metres.
STOP_CLEARANCE_M = 400.0
#: A detour reaches at least this far beyond the corridor's edge, metres.
DEVIATION_MARGIN_M = 700.0
#: A detour's far end stays this far from any checkpoint geofence (it must not "arrive"), metres.
DETOUR_CLEARANCE_M = 3_000.0
#: The platform's defaults the magnitudes keep clear of (DESIGN.md), and when each anomaly crosses its threshold.
SEPARATION_M = 2_000.0
SEPARATION_MIN_S = 300.0
DEVIATION_MIN_S = 60.0
STOP_MIN_S = 900.0
SIGNAL_LOST_S = 600.0
#: Attempts to place one anomaly before giving up on a convoy.
TRIES = 25


def quota(rate: float, population: int) -> int:
    if rate <= 0 or population <= 0:
        return 0
    return max(1, round(rate * population))


def _overlaps(window: tuple[float, float], busy: Iterable[tuple[float, float]], gap_s: float = ANOMALY_GAP_S) -> bool:
    return any(window[0] < b + gap_s and a < window[1] + gap_s for a, b in busy)


class Injector:
    """Puts anomalies into the drafts of a scenario; one method per kind of anomaly."""

    def __init__(self, spec: ScenarioSpec, factory: ConvoyFactory, rng: random.Random,
                 drafts: list[ConvoyDraft]) -> None:
        self.spec = spec
        self.factory = factory
        self.rng = rng
        self.drafts = drafts
        self.count = 0
        #: Detours and stops put in so far (their truth waits for settle_motion).
        self.placed: list[tuple[ConvoyDraft, Activity]] = []
        #: Windows taken by device-level anomalies (signal loss, jumps), per convoy.
        self.device_busy: dict[str, list[tuple[float, float]]] = {}

    def _id(self, kind: AnomalyKind) -> str:
        """A provisional id (generate_scenario numbers the anomalies in time order at the end)."""
        self.count += 1
        return f"{kind.value}-{self.count}"

    def _shuffled(self) -> list[ConvoyDraft]:
        drafts = list(self.drafts)
        self.rng.shuffle(drafts)
        return drafts

    def _busy(self, draft: ConvoyDraft) -> list[tuple[float, float]]:
        return draft.busy_windows() + self.device_busy.get(draft.convoy_id, [])

    def _pick(self, kind: AnomalyKind, rate: float, place: Callable[[ConvoyDraft, str], InjectedAnomaly | None],
              ) -> list[InjectedAnomaly]:
        """Place quota(rate, convoys) anomalies, trying convoys in random order."""
        wanted = quota(rate, len(self.drafts))
        placed: list[InjectedAnomaly] = []
        for draft in self._shuffled():
            if len(placed) >= wanted:
                break
            anomaly = place(draft, self._id(kind))
            if anomaly is not None:
                placed.append(anomaly)
        return placed

    def _place(self, kind: AnomalyKind, rate: float, place: Callable[[ConvoyDraft, str], bool],
               wanted: int | None = None) -> int:
        """Like _pick, for anomalies whose truth is written later; how many were placed."""
        wanted = quota(rate, len(self.drafts)) if wanted is None else wanted
        placed = 0
        for draft in self._shuffled():
            if placed >= wanted:
                break
            placed += bool(place(draft, self._id(kind)))
        return placed

    # ---- along the route: the convoy's motion changes ------------------------------------------

    def _progress_range(self, draft: ConvoyDraft, needs_s: float, start_by_s: float | None
                        ) -> tuple[float, float] | None:
        """Where along the route an activity lasting needs_s can start (by start_by_s) and end by latest_end_s."""
        leader = draft.leader
        low = draft.start_progress_m + QUIET_ENDS_M
        latest_start = self.spec.latest_end_s - needs_s - 600
        if start_by_s is not None:
            latest_start = min(latest_start, start_by_s)
        if latest_start <= max(draft.convoy.departed_s, leader.start_s):
            return None
        high = min(float(np.interp(latest_start, leader.t_s, leader.progress_m)), draft.route.length_m - QUIET_ENDS_M)
        return (low, high) if high > low else None

    def _add_activity(self, draft: ConvoyDraft, activity: Activity, needs_s: float, clearance_m: float,
                      start_by_s: float | None = None) -> bool:
        span = self._progress_range(draft, needs_s, start_by_s)
        if span is None:
            return False
        taken = [a.progress_m for a in draft.activities if a.anomaly_id]
        zones = [a.progress_m for a in draft.activities if not a.anomaly_id]
        for _ in range(TRIES):
            at = self.rng.uniform(*span)
            if any(abs(at - p) < ANOMALY_SPACING_M for p in taken) or any(abs(at - p) < 3_000 for p in zones):
                continue
            if not self.factory.clear_of_zones(draft.route, at, clearance_m):
                continue
            activity.progress_m = at
            draft.activities.append(activity)
            self.factory.build_motion(draft)
            if activity.end_s <= self.spec.latest_end_s and (start_by_s is None or activity.start_s <= start_by_s):
                self.placed.append((draft, activity))
                return True
            draft.activities.remove(activity)
            self.factory.build_motion(draft)
        return False

    def _drop(self, draft: ConvoyDraft, activity: Activity) -> None:
        draft.activities.remove(activity)
        self.placed.remove((draft, activity))
        self.factory.build_motion(draft)

    def settle_motion(self) -> list[InjectedAnomaly]:
        """Truth of the detours and stops, once every one is in place.

        An activity put in later, earlier along the route, delays those after
        it: only now are their times final. One that now ends after the
        scenario is taken out (the last first: that moves nothing before it),
        and so is a detour a bend of the corridor spoils (see _deviation_truth).
        """
        while True:
            late = [(d, a) for d, a in self.placed if a.end_s > self.spec.latest_end_s]
            if late:
                self._drop(*max(late, key=lambda p: p[1].progress_m))
                continue
            anomalies, folded = [], None
            for draft, activity in self.placed:
                found = self._truth(draft, activity)
                if found is None:
                    folded = (draft, activity)
                    break
                anomalies.append(found)
            if folded is None:
                return anomalies
            self._drop(*folded)

    def _truth(self, draft: ConvoyDraft, activity: Activity) -> InjectedAnomaly | None:
        if activity.kind == "detour":
            return self._deviation_truth(draft, activity)
        start, end = activity.start_s, activity.end_s
        trackers = [t.tracker.device_id for t in draft.convoy.trucks]
        return InjectedAnomaly(
            activity.anomaly_id, AnomalyKind.unauthorized_stop, start, end, {"duration_s": round(end - start, 1)},
            convoy_id=draft.convoy_id, device_ids=tuple(trackers),
            expected=tuple(ExpectedSignal("alert", "unauthorized_stop", start, end, convoy_id=draft.convoy_id,
                                          device_id=t.tracker.device_id, threshold_s=start + STOP_MIN_S,
                                          interval_s=t.tracker.interval_s) for t in draft.convoy.trucks),
        )

    def route_deviations(self, wanted: int | None = None, alerted_by_s: float | None = None) -> int:
        """Detours off the corridor (their truth comes from settle_motion).

        wanted and alerted_by_s: that many more, each far enough off the
        corridor for long enough by alerted_by_s to have been alerted on.
        """
        profile = self.spec.traffic

        def place(draft: ConvoyDraft, anomaly_id: str) -> bool:
            rng = self.rng
            distance = rng.uniform(*profile.deviation_reach_m)
            if profile.deviation_outside_s is None:
                out_s, dwell_s, back_s = rng.uniform(3, 6) * 60, rng.uniform(0, 4) * 60, rng.uniform(3, 6) * 60
            else:
                # Outside the half-width for about `outside` s: out and back across the edge, and a wait there.
                outside = rng.uniform(*profile.deviation_outside_s)
                dwell_s = rng.uniform(0.0, 0.4) * outside
                leg_outside = (outside - dwell_s) / 2
                out_s = back_s = leg_outside * distance / max(distance - draft.route.half_width_m, 50.0)
            side = rng.choice((-1, 1))
            activity = Activity(0.0, "detour", detour=(distance, side, out_s, dwell_s, back_s), anomaly_id=anomaly_id)
            start_by = None if alerted_by_s is None else alerted_by_s - out_s - 90  # outside >= 60 s by then
            return self._add_activity(draft, activity, out_s + dwell_s + back_s, DETOUR_CLEARANCE_M + distance,
                                      start_by)

        return self._place(AnomalyKind.route_deviation, self.spec.rates.route_deviation, place, wanted)

    def _deviation_truth(self, draft: ConvoyDraft, activity: Activity) -> InjectedAnomaly | None:
        """The detour's window and farthest distance, or None when a bend of the corridor spoils it.

        Near a bend the side road can run back towards another stretch of the
        corridor: the convoy is then not far out, or comes back inside and goes
        out again (two deviations for the platform). Such detours are not used.
        """
        times = np.arange(activity.start_s, activity.end_s + STEP_S, 2.0)
        outside = np.zeros(len(times), dtype=bool)
        farthest = 0.0
        for motion in draft.motions().values():
            x, y = motion.positions_m(draft.route, times)
            distance = draft.route.distance_to_line_m(x, y)
            outside |= distance > draft.route.half_width_m
            farthest = max(farthest, float(distance.max()))
        runs = np.flatnonzero(np.diff(outside.astype(int)) == 1).size + int(outside[0])
        profile = self.spec.traffic
        if profile.deviation_outside_s is None:
            if runs != 1 or farthest < draft.route.half_width_m + DEVIATION_MARGIN_M:
                return None
        elif runs != 1 or not profile.deviation_reach_m[0] - 50 <= farthest <= profile.deviation_reach_m[1] + 300:
            return None
        start, end = float(times[outside][0]), float(times[outside][-1])
        if profile.deviation_outside_s is not None and end - start < profile.deviation_outside_s[0] - 10:
            return None
        return InjectedAnomaly(
            activity.anomaly_id, AnomalyKind.route_deviation, start, end,
            {"max_distance_m": round(farthest, 1), "outside_s": round(end - start, 1),
             "detour_m": round(activity.detour[0], 1)},
            convoy_id=draft.convoy_id, device_ids=tuple(d.device_id for d in draft.convoy.devices),
            expected=(ExpectedSignal("alert", "route_deviation", start, end, convoy_id=draft.convoy_id,
                                     threshold_s=start + DEVIATION_MIN_S,
                                     interval_s=min(d.interval_s for d in draft.convoy.devices)),),
        )

    def unauthorized_stops(self, wanted: int | None = None, alerted_by_s: float | None = None) -> int:
        """Stops outside stop zones and checkpoints (their truth comes from settle_motion); see route_deviations."""
        def place(draft: ConvoyDraft, anomaly_id: str) -> bool:
            duration = self.rng.uniform(*self.spec.traffic.stop_min) * 60
            activity = Activity(0.0, "unauthorized_stop", duration_s=duration, anomaly_id=anomaly_id)
            start_by = None if alerted_by_s is None else alerted_by_s - 17 * 60  # standing 15 min by then
            return self._add_activity(draft, activity, duration, STOP_CLEARANCE_M, start_by)

        return self._place(AnomalyKind.unauthorized_stop, self.spec.rates.unauthorized_stop, place, wanted)

    def escort_separations(self) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            leader, route = draft.leader, draft.route
            low = draft.start_progress_m + QUIET_ENDS_M
            high = route.length_m - 40_000
            if high <= low:
                return None
            t_low = leader.time_at_progress(low)
            t_high = min(leader.time_at_progress(high) or math.inf, self.spec.latest_end_s - 40 * 60)
            if t_low is None or t_high <= t_low:
                return None
            profile = self.spec.traffic
            for _ in range(TRIES):
                stop_from = self.rng.uniform(t_low, t_high)
                lag = EscortLag(stop_from, self.rng.uniform(*profile.escort_stop_min) * 60, profile.catch_up_kmh,
                                anomaly_id)
                if profile.separation_over_min[1] < 1e6:
                    lag = self._near_threshold_lag(draft, stop_from, anomaly_id)
                draft.escort_lag = lag
                found = self._separation_truth(draft, lag)
                if found is not None and found.end_s <= self.spec.latest_end_s and not _overlaps(
                        (found.start_s, found.end_s), [(a.start_s, a.end_s) for a in draft.activities]):
                    return found
                draft.escort_lag = None
            return None

        return self._pick(AnomalyKind.escort_separation, self.spec.rates.escort_separation, place)

    def _near_threshold_lag(self, draft: ConvoyDraft, stop_from: float, anomaly_id: str) -> EscortLag:
        """An escort stop giving a separation peak and a time over 2 km drawn from the profile's ranges.

        The gap grows at the trucks' speed v while the escort stands (stop_s = peak / v), and shrinks
        at the catch-up speed c after: over 2 km for (peak - 2 km) / v + (peak - 2 km) / c.
        """
        profile, leader = self.spec.traffic, draft.leader
        p0 = float(np.interp(stop_from, leader.t_s, leader.progress_m))
        p1 = float(np.interp(stop_from + 120, leader.t_s, leader.progress_m))
        v = max((p1 - p0) / 120, 3.0)
        peak = self.rng.uniform(*profile.separation_peak_m)
        over = self.rng.uniform(*profile.separation_over_min) * 60
        growing = (peak - SEPARATION_M) / v
        catch_up_ms = (peak - SEPARATION_M) / max(over - growing, 30.0)
        return EscortLag(stop_from, peak / v, float(np.clip(catch_up_ms * 3.6, 3.0, 60.0)), anomaly_id)

    def _separation_truth(self, draft: ConvoyDraft, lag: EscortLag) -> InjectedAnomaly | None:
        motions = draft.motions()
        escort = motions[draft.convoy.escort.device_id]
        times = np.arange(lag.stop_from_s, lag.stop_from_s + 6 * 3600, STEP_S)
        times = times[times <= escort.end_s]
        ex, ey = escort.positions_m(draft.route, times)
        expected, starts, ends, farthest = [], [], [], 0.0
        for truck in draft.convoy.trucks:
            x, y = motions[truck.tracker.device_id].positions_m(draft.route, times)
            apart = np.hypot(x - ex, y - ey)
            over = times[apart > SEPARATION_M]
            low_peak, high_peak = self.spec.traffic.separation_peak_m
            low_over, high_over = self.spec.traffic.separation_over_min
            if not len(over) or not low_over * 60 <= over[-1] - over[0] <= high_over * 60 + 30:
                return None
            if not low_peak <= apart.max() <= high_peak + 200:
                return None
            if np.count_nonzero(apart > SEPARATION_M) * STEP_S < over[-1] - over[0]:
                return None  # apart, together, apart again: two separations
            start, end = float(over[0]), float(over[-1])
            starts.append(start)
            ends.append(end)
            farthest = max(farthest, float(apart.max()))
            expected.append(ExpectedSignal("alert", "convoy_separation", start, end, convoy_id=draft.convoy_id,
                                           device_id=truck.tracker.device_id, threshold_s=start + SEPARATION_MIN_S,
                                           interval_s=max(truck.tracker.interval_s, draft.convoy.escort.interval_s)))
        return InjectedAnomaly(
            lag.anomaly_id, AnomalyKind.escort_separation, min(starts), max(ends),
            {"max_separation_m": round(farthest, 1), "separated_s": round(max(ends) - min(starts), 1),
             "escort_stop_s": round(lag.stop_s, 1)},
            convoy_id=draft.convoy_id, device_ids=(draft.convoy.escort.device_id,), expected=tuple(expected),
        )

    # ---- what devices report: the fixes change, the motion does not ----------------------------

    def _in_transit(self, draft: ConvoyDraft, start_s: float, end_s: float, margin_s: float = 120.0) -> bool:
        arrived = draft.convoy.arrived_s if draft.convoy.arrived_s is not None else math.inf
        return draft.convoy.departed_s < start_s - margin_s and end_s + margin_s < arrived

    def signal_losses(self, tracks: dict[str, list[DeviceTrack]]) -> list[InjectedAnomaly]:
        spec = self.spec
        if spec.observable_from_s >= spec.latest_end_s:
            return []  # the live part is too short for the platform's clock to see a silence end

        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            for _ in range(TRIES):
                track = self.rng.choice(tracks[draft.convoy_id])
                times = track.times_s
                resumes = times[(times >= spec.observable_from_s) & (times <= spec.latest_end_s)]
                if not len(resumes):
                    continue
                resume = float(self.rng.choice(list(resumes)))
                if spec.traffic.silence_min is None:
                    silence = 600 + spec.sweep_interval_s + self.rng.uniform(*spec.traffic.silence_extra_min) * 60
                else:
                    # Silent this long beyond the device's own schedule (its next fix was due an interval on).
                    silence = self.rng.uniform(*spec.traffic.silence_min) * 60 + track.device.interval_s
                if any(b < resume + 60 and last_hole > resume - silence - 60 for b, last_hole, _ in track.holes):
                    continue  # not inside a coverage hole: its backlog would fill the silence
                before = times[times <= resume - silence]
                if not len(before):
                    continue
                last = float(before[-1])
                if not self._in_transit(draft, last, resume) or _overlaps((last, resume), self._busy(draft)):
                    continue
                track.times_s = remove_window(times, last, resume)
                self.device_busy.setdefault(draft.convoy_id, []).append((last, resume))
                device = track.device.device_id
                return InjectedAnomaly(
                    anomaly_id, AnomalyKind.signal_loss, last, resume, {"silence_s": round(resume - last, 1)},
                    convoy_id=draft.convoy_id, device_ids=(device,),
                    expected=(ExpectedSignal("alert", "signal_lost", last, resume, convoy_id=draft.convoy_id,
                                             device_id=device, threshold_s=last + SIGNAL_LOST_S,
                                             interval_s=track.device.interval_s),),
                )
            return None

        return self._pick(AnomalyKind.signal_loss, spec.rates.signal_loss, place)

    def gps_jumps(self, tracks: dict[str, list[DeviceTrack]]) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            rng = self.rng
            for _ in range(TRIES):
                track = rng.choice(tracks[draft.convoy_id])
                times = track.times_s
                if len(times) < 8:
                    continue
                i = rng.randrange(3, len(times) - 3)
                burst = rng.choice((1, 1, 2))
                first, last = float(times[i]), float(times[i + burst - 1])
                if last > self.spec.latest_end_s or not self._in_transit(draft, first, last, 300):
                    continue
                if _overlaps((first, last), self._busy(draft)) or i in track.jumps:
                    continue
                dt = float(times[i] - times[i - 1])
                if self.spec.traffic.jump_kmh is not None:
                    near = self._near_threshold_jump(draft, track, i)
                    if near is None:
                        continue
                    burst, last, (distance, east, north) = 1, first, near
                    track.jumps[i] = (east, north)
                    magnitude = {"jump_m": round(distance, 1), "off_track_m": round(math.hypot(east, north), 1),
                                 "implied_kmh": round(distance / dt * 3.6, 1), "fixes": 1}
                else:
                    # At least 250 km/h from the last good fix, however long ago it was.
                    distance = max(rng.uniform(5_000, 40_000), 250 / 3.6 * dt * 1.2)
                    magnitude = None
                    bearing = rng.uniform(0, 2 * math.pi)
                    for j in range(burst):
                        angle = bearing + j * rng.uniform(math.pi / 2, 3 * math.pi / 2)
                        track.jumps[i + j] = (distance * math.sin(angle), distance * math.cos(angle))
                self.device_busy.setdefault(draft.convoy_id, []).append((first, last))
                device = track.device.device_id
                return InjectedAnomaly(
                    anomaly_id, AnomalyKind.gps_jump, first, last,
                    magnitude or {"jump_m": round(distance, 1), "fixes": burst},
                    convoy_id=draft.convoy_id, device_ids=(device,),
                    expected=(ExpectedSignal("alert", "gps_anomaly", first, last, convoy_id=draft.convoy_id,
                                             device_id=device, threshold_s=first,
                                             interval_s=track.device.interval_s),),
                )
            return None

        return self._pick(AnomalyKind.gps_jump, self.spec.rates.gps_jump, place)

    def _near_threshold_jump(self, draft: ConvoyDraft, track: DeviceTrack, i: int
                             ) -> tuple[float, float, float] | None:
        """(distance from the last fix, east, north offset from the true position) of a fix implying 185-230 km/h.

        It lands at least jump_min_offset_m from where the device really is: closer, it is what multipath
        does (50-800 m), and no rule could tell the two apart. Not every device can show such a jump: at
        10 s between fixes, 230 km/h is 640 m, inside multipath's reach.
        """
        profile = self.spec.traffic
        t_prev, t_now = float(track.times_s[i - 1]), float(track.times_s[i])
        (px,), (py,) = track.motion.positions_m(draft.route, np.array([t_prev]))
        (tx,), (ty,) = track.motion.positions_m(draft.route, np.array([t_now]))
        reach = self.rng.uniform(*profile.jump_kmh) / 3.6 * (t_now - t_prev)
        for _ in range(24):
            angle = self.rng.uniform(0, 2 * math.pi)
            jx, jy = px + reach * math.sin(angle), py + reach * math.cos(angle)
            if math.hypot(jx - tx, jy - ty) >= profile.jump_min_offset_m:
                return reach, jx - tx, jy - ty
        return None

    # ---- deadlines --------------------------------------------------------------------------------

    def _clock_deadline(self) -> float | None:
        """A deadline the server's sweeper will see pass during the live part (None: no room)."""
        low = self.spec.observable_from_s
        high = self.spec.latest_end_s - self.spec.sweep_interval_s - 5
        return self.rng.uniform(low, high) if high > low else None

    def overdue_arrivals(self, deadlines: dict[str, float]) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            deadline = self._clock_deadline()
            convoy = draft.convoy
            if deadline is None or convoy.planned_departure_s >= deadline - 60 or convoy.planned_s >= deadline - 60:
                return None
            late_until = convoy.arrived_s if convoy.arrived_s is not None else math.inf
            if late_until <= deadline + self.spec.sweep_interval_s + 120 or not self._in_transit(draft, deadline, deadline):
                return None
            deadlines[draft.convoy_id] = deadline
            end = min(late_until, self.spec.end_s)
            return InjectedAnomaly(
                anomaly_id, AnomalyKind.overdue_arrival, deadline, end, {"late_s_at_end": round(end - deadline, 1)},
                convoy_id=draft.convoy_id,
                expected=(ExpectedSignal("alert", "overdue", deadline, end, convoy_id=draft.convoy_id,
                                         threshold_s=deadline),),
            )

        return self._pick(AnomalyKind.overdue_arrival, self.spec.rates.overdue_arrival, place)

    def transits_never_closed(self, declaration_deadlines: dict[str, float]) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            deadline = self._clock_deadline()
            if deadline is None or draft.convoy.planned_s >= deadline - 600 or 0 in draft.destination_plate:
                return None
            if 0 in draft.destination_gross_kg:
                return None
            declaration = draft.convoy.trucks[0].declaration
            draft.destination_skipped.add(0)
            declaration_deadlines[declaration.number] = deadline
            return InjectedAnomaly(
                anomaly_id, AnomalyKind.transit_never_closed, deadline, self.spec.end_s, {},
                convoy_id=draft.convoy_id, declaration=declaration.number, checkpoint=draft.destination.code,
                expected=(ExpectedSignal("alert", "transit_not_closed", deadline, self.spec.end_s,
                                         declaration=declaration.number),),
            )

        return self._pick(AnomalyKind.transit_never_closed, self.spec.rates.transit_never_closed, place)

    # ---- at the checkpoints -----------------------------------------------------------------------

    def _destination_crossing(self, draft: ConvoyDraft, k: int) -> tuple[float, float] | None:
        """(entry, weighing) times of truck k's destination crossing, if it ends within the scenario."""
        if draft.at_destination_s is None or k in draft.destination_skipped:
            return None
        truck = draft.convoy.trucks[k]
        plan = CrossingPlan(key=f"{draft.convoy_id}-{k + 1}-{draft.destination.code}", group=draft.convoy_id,
                            run_tag=self.factory.run_tag, checkpoint=draft.destination, plate=truck.plate,
                            measured_gross_kg=truck.declaration.declared_gross_kg,
                            entry_s=draft.destination_entry_s[k])
        actions, exit_s = crossing_actions(plan, self.factory.crossing_rng(plan.key), self.factory.reads)
        if exit_s > self.spec.latest_end_s:
            return None
        weighed = next((a.t_s for a in actions if isinstance(a, WeighbridgeReading)), None)
        return (plan.entry_s, weighed) if weighed is not None else None

    def weight_discrepancies(self) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            k = self.rng.randrange(len(draft.convoy.trucks))
            times = self._destination_crossing(draft, k)
            if times is None or k in draft.destination_plate or k in draft.destination_gross_kg:
                return None
            declared = draft.convoy.trucks[k].declaration.declared_gross_kg
            share = self.rng.uniform(*self.spec.traffic.discrepancy_share)
            sign = 1 if declared * (1 + share) <= 36_000 else -1  # cargo added en route, or taken off
            measured = int(declared * (1 + sign * share))
            draft.destination_gross_kg[k] = measured
            declaration = draft.convoy.trucks[k].declaration.number
            weighed = times[1]
            return InjectedAnomaly(
                anomaly_id, AnomalyKind.weight_discrepancy, weighed, weighed,
                {"declared_kg": declared, "measured_kg": measured, "difference_pct": round(100 * (measured - declared) / declared, 1)},
                convoy_id=draft.convoy_id, declaration=declaration, checkpoint=draft.destination.code,
                expected=(ExpectedSignal("finding", "weight_discrepancy", weighed, weighed, convoy_id=draft.convoy_id,
                                         declaration=declaration, checkpoint=draft.destination.code),),
            )

        return self._pick(AnomalyKind.weight_discrepancy, self.spec.rates.weight_discrepancy, place)

    def plate_mismatches(self) -> list[InjectedAnomaly]:
        def place(draft: ConvoyDraft, anomaly_id: str) -> InjectedAnomaly | None:
            k = self.rng.randrange(len(draft.convoy.trucks))
            times = self._destination_crossing(draft, k)
            if times is None or k in draft.destination_gross_kg or k in draft.destination_plate:
                return None
            truck = draft.convoy.trucks[k]
            swapped = self.factory.plates.plate(truck.plate.country)
            draft.destination_plate[k] = swapped
            entry = times[0]
            where = draft.destination.code
            number = truck.declaration.number
            return InjectedAnomaly(
                anomaly_id, AnomalyKind.plate_mismatch, entry, entry + 600, {},
                convoy_id=draft.convoy_id, declaration=number, checkpoint=where,
                expected=(
                    ExpectedSignal("alert", "undeclared_vehicle", entry, entry + 600, checkpoint=where,
                                   plate=swapped.canonical),
                    ExpectedSignal("alert", "plate_mismatch", entry, entry + 600, declaration=number, checkpoint=where,
                                   timed=False),
                ),
            )

        return self._pick(AnomalyKind.plate_mismatch, self.spec.rates.plate_mismatch, place)

    def walk_ins(self) -> tuple[list[CrossingPlan], list[DeclarationPlan], list[InjectedAnomaly]]:
        """Trucks that arrive at a border post with no declaration; the broker files one on the spot."""
        spec, factory, rng = self.spec, self.factory, self.rng
        posts = sorted({r.origin for r in factory.geo.routes if factory.geo.checkpoints[r.origin].border_kind != "inland"})
        latest = spec.latest_end_s - 15 * 60
        if not posts or latest <= 60:
            return [], [], []
        plans, declarations, anomalies = [], [], []
        for n in range(quota(spec.rates.undeclared_vehicle, len(self.drafts))):
            cp = factory.geo.checkpoints[rng.choice(posts)]
            plate = factory.plates.plate(factory.plates.fleet_country(cp.country))
            entry = rng.uniform(60, latest)
            group = f"W{n + 1:02d}"
            number = f"SIM-{factory.run_tag}-{group}"
            dispatch = cp.country or "CN"
            lines, gross = goods.load(dispatch, rng)
            declarations.append(DeclarationPlan(
                number=number, kind="import", filed_s=entry + rng.uniform(1, 3) * 60, vehicle_plate=plate.display,
                trailer_plate=None, declared_gross_kg=gross, goods_lines=tuple(lines),
                consignor=rng.choice(("Kashgar Silk Road Trading Co.", "Almaty Grain Holding LLP", "Andijan Fruit Export")),
                consignee="Dordoi Trade Center", dispatch_country=dispatch, destination_country="KG",
                entry_checkpoint=cp.code, exit_checkpoint=None, deadline_s=None,
            ))
            plans.append(CrossingPlan(key=f"{group}-{cp.code}", group=group, run_tag=factory.run_tag, checkpoint=cp,
                                      plate=plate, measured_gross_kg=int(gross * (1 + rng.uniform(-spec.traffic.normal_weight_share, spec.traffic.normal_weight_share))),
                                      entry_s=entry, link_declaration=number))
            anomalies.append(InjectedAnomaly(
                self._id(AnomalyKind.undeclared_vehicle), AnomalyKind.undeclared_vehicle, entry, entry + 600, {},
                declaration=number, checkpoint=cp.code,
                expected=(ExpectedSignal("alert", "undeclared_vehicle", entry, entry + 600, checkpoint=cp.code,
                                         plate=plate.canonical),),
            ))
        return plans, declarations, anomalies


#: The risk rule (data/risk_rules.toml) each kind of anomaly should make hit on its declaration.
RISK_RULE_OF: dict[AnomalyKind, str] = {
    AnomalyKind.route_deviation: "route_deviation",
    AnomalyKind.unauthorized_stop: "unauthorized_stop",
    AnomalyKind.signal_loss: "signal_lost",
    AnomalyKind.overdue_arrival: "overdue",
    AnomalyKind.transit_never_closed: "overdue",
    AnomalyKind.weight_discrepancy: "weight_discrepancy",
    AnomalyKind.plate_mismatch: "plate_mismatch",
    AnomalyKind.undeclared_vehicle: "plate_mismatch",
    AnomalyKind.plate_misread: "plate_mismatch",  # an entry misread: see sim.plate_reads
}


def with_risk_hits(anomalies: list[InjectedAnomaly], trip_declaration: dict[str, str]) -> list[InjectedAnomaly]:
    """Add to each anomaly the risk rule hit it should cause (once per declaration and rule).

    A convoy's alerts are evidence for the declaration its trip was planned
    under (trip_declaration: convoy id -> number); checkpoint anomalies name
    their declaration. A rule hits a declaration once, however many
    anomalies feed it: the first anomaly carries the expectation.
    """
    seen: set[tuple[str, str]] = set()
    out = []
    for anomaly in sorted(anomalies, key=lambda a: a.start_s):
        rule = RISK_RULE_OF.get(anomaly.kind)
        number = anomaly.declaration or trip_declaration.get(anomaly.convoy_id or "")
        if rule is None or number is None or (number, rule) in seen:
            out.append(anomaly)
            continue
        seen.add((number, rule))
        hit = ExpectedSignal("risk", rule, anomaly.start_s, anomaly.end_s, declaration=number, timed=False)
        out.append(replace(anomaly, expected=(*anomaly.expected, hit)))
    return out

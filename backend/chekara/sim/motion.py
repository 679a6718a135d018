"""True motion along a route: where a vehicle is at every second, before any GPS error.

A Motion is piecewise linear in time: keyframes of progress along the route
(metres from its origin) and of lateral offset from the line (metres to the
left; a detour). Between keyframes a vehicle moves at constant speed, so
speeds change in steps, as a speed profile says (terrain.SpeedProfile).

A detour leaves the line along the normal at one point and comes back the
same way: progress stands still while the offset grows and shrinks. A
sideways offset carried along a bending line would swing through the bend
and imply impossible speeds; a straight side road does not.

MotionBuilder writes a convoy leader's motion step by step (drive, stop,
detour); followers take the leader's motion shifted along the route, and
an escort that falls behind gets its own (escort_lagging).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geography import Route
from .terrain import SpeedProfile

#: Resolution of the stepped escort catch-up and of truth sampling, seconds.
STEP_S = 5.0


@dataclass(frozen=True)
class Motion:
    t_s: np.ndarray
    progress_m: np.ndarray
    lateral_m: np.ndarray

    @property
    def start_s(self) -> float:
        return float(self.t_s[0])

    @property
    def end_s(self) -> float:
        return float(self.t_s[-1])

    def at(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t_s, float)
        return np.interp(t, self.t_s, self.progress_m), np.interp(t, self.t_s, self.lateral_m)

    def shifted(self, offset_m: float, length_m: float) -> "Motion":
        """The same motion offset_m further along the route (negative: behind), kept on the route."""
        return Motion(self.t_s, np.clip(self.progress_m + offset_m, 0.0, length_m), self.lateral_m)

    def time_at_progress(self, progress_m: float) -> float | None:
        """The first time the vehicle reaches progress_m, or None if it never does."""
        reached = np.flatnonzero(self.progress_m >= progress_m)
        if not len(reached):
            return None
        i = int(reached[0])
        if i == 0:
            return float(self.t_s[0])
        p0, p1 = self.progress_m[i - 1], self.progress_m[i]
        t0, t1 = self.t_s[i - 1], self.t_s[i]
        return float(t0 + (t1 - t0) * (progress_m - p0) / (p1 - p0)) if p1 > p0 else float(t1)

    def positions_m(self, route: Route, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        progress, lateral = self.at(t_s)
        return route.points_m(progress, lateral)


class MotionBuilder:
    """Writes a motion step by step; every step starts where the last one ended."""

    def __init__(self, route: Route, start_s: float, progress_m: float) -> None:
        self.route = route
        self.t = [float(start_s)]
        self.p = [float(progress_m)]
        self.lat = [0.0]

    @property
    def now_s(self) -> float:
        return self.t[-1]

    @property
    def progress_m(self) -> float:
        return self.p[-1]

    def _key(self, t: float, p: float, lat: float) -> None:
        if t <= self.t[-1]:  # same instant: the later keyframe wins
            self.p[-1], self.lat[-1] = p, lat
            return
        self.t.append(t)
        self.p.append(p)
        self.lat.append(lat)

    def wait(self, seconds: float) -> "MotionBuilder":
        self._key(self.now_s + seconds, self.progress_m, self.lat[-1])
        return self

    def drive_to(self, target_m: float, profile: SpeedProfile) -> "MotionBuilder":
        """Drive along the route to target_m at the profile's speeds (keyframe at each speed change)."""
        target_m = min(target_m, self.route.length_m)
        while self.progress_m < target_m - 1e-6:
            here = self.progress_m
            change = profile.next_change_m(here)
            step_to = target_m if change is None else min(change, target_m)
            speed_ms = profile.at(here) / 3.6
            self._key(self.now_s + (step_to - here) / speed_ms, step_to, 0.0)
        return self

    def detour(self, distance_m: float, side: int, out_s: float, dwell_s: float, back_s: float) -> "MotionBuilder":
        """Turn off the route to distance_m on one side (+1 left, -1 right), wait, and come back."""
        here = self.progress_m
        self._key(self.now_s + out_s, here, side * distance_m)
        self._key(self.now_s + dwell_s, here, side * distance_m)
        self._key(self.now_s + back_s, here, 0.0)
        return self

    def build(self) -> Motion:
        return Motion(np.array(self.t), np.array(self.p), np.array(self.lat))


def escort_lagging(leader: Motion, offset_m: float, length_m: float, stop_from_s: float, stop_s: float,
                   catch_up_kmh: float) -> Motion:
    """An escort that keeps offset_m from the leader, stops for stop_s, then catches up catch_up_kmh faster."""
    base = leader.shifted(offset_m, length_m)
    if stop_from_s <= base.start_s or stop_from_s >= base.end_s:
        return base
    t = stop_from_s
    p_stop = float(np.interp(t, base.t_s, base.progress_m))
    times, progress = [t, t + stop_s], [p_stop, p_stop]
    t += stop_s
    p = p_stop
    while t < base.end_s:
        t_next = t + STEP_S
        lead_next = float(np.interp(t_next, leader.t_s, leader.progress_m))
        lead_speed = (lead_next - float(np.interp(t, leader.t_s, leader.progress_m))) / STEP_S
        target = min(max(lead_next + offset_m, 0.0), length_m)
        p = min(p + (lead_speed + catch_up_kmh / 3.6) * STEP_S, target)
        times.append(t_next)
        progress.append(p)
        t = t_next
        if p >= target:
            break
    before = base.t_s < stop_from_s
    after = base.t_s > times[-1]
    t_all = np.concatenate([base.t_s[before], times, base.t_s[after]])
    p_all = np.concatenate([base.progress_m[before], progress, base.progress_m[after]])
    lat_all = np.interp(t_all, leader.t_s, leader.lateral_m)
    return Motion(t_all, p_all, lat_all)

"""From true motion to what a device reports: when it takes a fix, how wrong it is, and when it is uploaded.

Trackers and phones report at their own interval (whole seconds, as device
clocks do; the traffic profile says which, sim.profile); a fix is off by
Gaussian noise of the device's ``noise_m``. Now and then a device misses a
few fixes (short gaps, far below the 10 minutes that make signal loss).

In the hard profile, besides: about 1 % of fixes are multipath outliers
(one fix 50-800 m off), a few come without speed and heading, a phone's
clock is off by up to 30 s (its fixes are stamped that much off, taken at
the true time), and coverage holes of 2-8 min delay the upload of the fixes
taken inside them until the network is back (store-and-forward), sometimes
after the first fixes taken once back.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .geography import Route, to_lonlat_arrays
from .model import DeviceSpec, Fix
from .motion import Motion

from .profile import STANDARD, TrafficProfile

#: Speed and heading are taken over this window around the fix, seconds.
DERIVATIVE_S = 2.0


@dataclass
class DeviceTrack:
    """A device's reporting plan: its fix times, and the fixes replaced by GPS jumps."""

    device: DeviceSpec
    motion: Motion
    times_s: np.ndarray
    #: index into times_s -> (east_m, north_m) displacement of a GPS jump.
    jumps: dict[int, tuple[float, float]] = field(default_factory=dict)
    battery_start_pct: float | None = None
    #: Coverage holes: (from_s, to_s, uploaded_s): fixes taken inside are uploaded at uploaded_s.
    holes: list[tuple[float, float, float]] = field(default_factory=list)
    profile: TrafficProfile = STANDARD


def fix_times(device: DeviceSpec, start_s: float, end_s: float, rng: random.Random,
              profile: TrafficProfile = STANDARD) -> np.ndarray:
    """Every fix time from start_s to end_s, with the device's interval and a few short gaps."""
    first = math.ceil(start_s) + rng.randint(0, device.interval_s - 1)
    times = np.arange(first, math.floor(end_s) + 1, device.interval_s, dtype=np.int64)
    hours = max((end_s - start_s) / 3600, 0)
    for _ in range(np.random.default_rng(rng.getrandbits(32)).poisson(profile.short_gaps_per_hour * hours)):
        gap_start = rng.uniform(start_s, end_s)
        gap_end = gap_start + rng.uniform(*profile.short_gap_s)
        times = times[(times < gap_start) | (times > gap_end)]
    return times


def coverage_holes(device: DeviceSpec, start_s: float, end_s: float, rng: random.Random,
                   profile: TrafficProfile) -> list[tuple[float, float, float]]:
    """Where the network is gone: (from_s, to_s, uploaded_s) of each hole (uploaded a little after it, or late)."""
    if profile.coverage_holes_per_hour <= 0:
        return []
    hours = max((end_s - start_s) / 3600, 0)
    holes = []
    for _ in range(np.random.default_rng(rng.getrandbits(32)).poisson(profile.coverage_holes_per_hour * hours)):
        begin = rng.uniform(start_s, end_s)
        end = begin + rng.uniform(*profile.coverage_hole_s)
        uploaded = end + rng.uniform(2, 20)
        if rng.random() < profile.backlog_after_newer_share:
            # The tracker sends what it takes now first and the stored backlog later.
            uploaded = end + rng.uniform(1.5, 3.0) * device.interval_s
        holes.append((begin, end, uploaded))
    return holes


def remove_window(times_s: np.ndarray, after_s: float, before_s: float) -> np.ndarray:
    """Drop the fixes strictly between after_s and before_s."""
    return times_s[(times_s <= after_s) | (times_s >= before_s)]


def build_fixes(track: DeviceTrack, route: Route, rng: random.Random, group: str) -> list[Fix]:
    """The fixes the device sends: true positions plus noise, jumps applied, speed and heading, upload times."""
    t = track.times_s.astype(float)
    if not len(t):
        return []
    profile = track.profile
    x, y = track.motion.positions_m(route, t)
    xb, yb = track.motion.positions_m(route, t - DERIVATIVE_S)
    xa, ya = track.motion.positions_m(route, t + DERIVATIVE_S)
    dx, dy = xa - xb, ya - yb
    speed_kmh = np.hypot(dx, dy) / (2 * DERIVATIVE_S) * 3.6
    heading = np.degrees(np.arctan2(dx, dy)) % 360.0
    noise = np.random.default_rng(rng.getrandbits(32))
    x = x + noise.normal(0.0, track.device.noise_m, len(t))
    y = y + noise.normal(0.0, track.device.noise_m, len(t))
    if profile.multipath_share > 0:
        # A reflection off a gorge wall or a truck beside it: one fix lands tens to hundreds of metres off.
        bounced = np.flatnonzero(noise.random(len(t)) < profile.multipath_share)
        for i in bounced:
            if int(i) in track.jumps:
                continue
            distance, angle = noise.uniform(*profile.multipath_m), noise.uniform(0, 2 * math.pi)
            x[i] += distance * math.sin(angle)
            y[i] += distance * math.cos(angle)
    for i, (east, north) in track.jumps.items():
        x[i] += east
        y[i] += north
    lon, lat = to_lonlat_arrays(x, y)
    moving = speed_kmh > 1.0
    speed = np.where(moving, np.round(np.maximum(speed_kmh + noise.normal(0.0, 1.5, len(t)), 0.0), 1), 0.0)
    accuracy = np.round(noise.uniform(0.8, 2.0, len(t)) * track.device.noise_m, 1)
    if track.battery_start_pct is None:
        battery: list[float | None] = [None] * len(t)
    else:
        # A phone on the dashboard charger: its charge wanders between 40 % and 100 %.
        walk = track.battery_start_pct + np.cumsum(noise.normal(0.0, 0.3, len(t)))
        battery = np.round(np.clip(walk, 40.0, 100.0), 1).tolist()
    headings = [h if m else None for h, m in zip(np.round(heading, 1).tolist(), moving.tolist())]
    speeds: list[float | None] = speed.tolist()
    if profile.no_speed_share > 0:
        for i in np.flatnonzero(noise.random(len(t)) < profile.no_speed_share):
            speeds[i], headings[i] = None, None
    delivered: list[int | None] = [None] * len(t)
    for begin, end, uploaded in track.holes:
        for i in np.flatnonzero((t >= begin) & (t <= end)):
            delivered[i] = int(math.ceil(uploaded))
    device, protocol, skew = track.device.device_id, track.device.protocol, track.device.clock_skew_s
    if skew:  # stamped by a clock that is off; uploaded when taken (at the true time)
        delivered = [d if d is not None else ts for d, ts in zip(delivered, track.times_s.tolist())]
    return [
        Fix(t_s=ts + skew, device_id=device, lon=x_, lat=y_, speed_kmh=v, heading_deg=h, accuracy_m=a, battery_pct=b,
            protocol=protocol, group=group, delivered_s=d)
        for ts, x_, y_, v, h, a, b, d in zip(track.times_s.tolist(), np.round(lon, 7).tolist(),
                                            np.round(lat, 7).tolist(), speeds, headings, accuracy.tolist(), battery,
                                            delivered)
    ]

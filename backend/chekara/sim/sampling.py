"""From true motion to what a device reports: when it takes a fix, and how wrong the fix is.

Trackers report every 20-60 s and phones every 10-15 s (whole seconds, as
device clocks do); a fix is off by Gaussian noise of the device's
``noise_m`` (about 5 m for a truck tracker, 8 m for a phone). Now and then
a device misses a few fixes (a tunnel, a dead spot in a gorge): short gaps
of 1-4 minutes, far below the 10 minutes that make signal loss.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .geography import Route, to_lonlat_arrays
from .model import DeviceSpec, Fix
from .motion import Motion

#: A device misses fixes about this often, per hour of reporting.
SHORT_GAPS_PER_HOUR = 0.5
SHORT_GAP_S = (60, 240)
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


def fix_times(device: DeviceSpec, start_s: float, end_s: float, rng: random.Random) -> np.ndarray:
    """Every fix time from start_s to end_s, with the device's interval and a few short gaps."""
    first = math.ceil(start_s) + rng.randint(0, device.interval_s - 1)
    times = np.arange(first, math.floor(end_s) + 1, device.interval_s, dtype=np.int64)
    hours = max((end_s - start_s) / 3600, 0)
    for _ in range(np.random.default_rng(rng.getrandbits(32)).poisson(SHORT_GAPS_PER_HOUR * hours)):
        gap_start = rng.uniform(start_s, end_s)
        gap_end = gap_start + rng.uniform(*SHORT_GAP_S)
        times = times[(times < gap_start) | (times > gap_end)]
    return times


def remove_window(times_s: np.ndarray, after_s: float, before_s: float) -> np.ndarray:
    """Drop the fixes strictly between after_s and before_s."""
    return times_s[(times_s <= after_s) | (times_s >= before_s)]


def build_fixes(track: DeviceTrack, route: Route, rng: random.Random, group: str) -> list[Fix]:
    """The fixes the device sends: true positions plus noise, jumps applied, speed and heading."""
    t = track.times_s.astype(float)
    if not len(t):
        return []
    x, y = track.motion.positions_m(route, t)
    xb, yb = track.motion.positions_m(route, t - DERIVATIVE_S)
    xa, ya = track.motion.positions_m(route, t + DERIVATIVE_S)
    dx, dy = xa - xb, ya - yb
    speed_kmh = np.hypot(dx, dy) / (2 * DERIVATIVE_S) * 3.6
    heading = np.degrees(np.arctan2(dx, dy)) % 360.0
    noise = np.random.default_rng(rng.getrandbits(32))
    x = x + noise.normal(0.0, track.device.noise_m, len(t))
    y = y + noise.normal(0.0, track.device.noise_m, len(t))
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
    device, protocol = track.device.device_id, track.device.protocol
    return [
        Fix(t_s=ts, device_id=device, lon=x_, lat=y_, speed_kmh=v, heading_deg=h, accuracy_m=a, battery_pct=b,
            protocol=protocol, group=group)
        for ts, x_, y_, v, h, a, b in zip(track.times_s.tolist(), np.round(lon, 7).tolist(), np.round(lat, 7).tolist(),
                                         speed.tolist(), headings, accuracy.tolist(), battery)
    ]

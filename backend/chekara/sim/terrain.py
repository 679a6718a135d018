"""How fast a loaded truck goes along a route: slow over the passes, faster on the plain.

There is no elevation model offline, so the mountain sections are a small
table of the passes and gorges the seeded corridors climb, each a point and
how far either side of it (along the road) the climb slows traffic. The
points are approximate, like the corridors themselves (geodata/README.md
names the Wikipedia pass points the lines were drawn through); a section
applies to a route only where the route passes within MOUNTAIN_REACH_M of
its point.

Typical speeds of a loaded semi-trailer, km/h: 70-85 on the Chuy and
Fergana plains, 50-60 on valley roads, 25-40 on a pass, 20-30 inside a
checkpoint's approach.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Point

from chekara.domain.geometry import to_metric

from .geography import Route

#: A pass point further than this from a route does not slow it, metres.
MOUNTAIN_REACH_M = 4_000.0
#: Speeds are drawn per piece of road this long, metres (traffic, villages, road works).
PIECE_M = 4_000.0
#: Trucks crawl this far from either end (the checkpoint's approach), metres.
APPROACH_M = 2_500.0
APPROACH_SPEED_KMH = (20.0, 30.0)
PLAIN_SPEED_KMH = (65.0, 85.0)


@dataclass(frozen=True)
class MountainSection:
    name: str
    lon: float
    lat: float
    half_length_m: float
    speed_kmh: tuple[float, float]


#: Passes and gorges on the seeded corridors (approximate points; see the module docstring).
MOUNTAIN_SECTIONS: tuple[MountainSection, ...] = (
    MountainSection("Boom gorge", 76.07, 42.52, 12_000, (40.0, 55.0)),
    MountainSection("Dolon pass", 75.745, 41.835, 18_000, (25.0, 40.0)),
    MountainSection("Kyzyl-Bel pass (Naryn)", 75.94, 41.27, 10_000, (30.0, 45.0)),
    MountainSection("Tuz-Bel pass", 75.25, 40.955, 10_000, (30.0, 45.0)),
    MountainSection("Torugart pass road", 75.37, 40.655, 8_000, (25.0, 35.0)),
    MountainSection("Too-Ashuu pass", 73.807, 42.344, 20_000, (25.0, 35.0)),
    MountainSection("Ala-Bel pass", 73.053, 42.246, 18_000, (25.0, 40.0)),
    MountainSection("Chychkan gorge", 72.97, 41.97, 15_000, (35.0, 50.0)),
    MountainSection("Kara-Kul serpentine", 72.77, 41.64, 12_000, (30.0, 45.0)),
    MountainSection("Chyiyrchyk pass", 73.332, 40.248, 12_000, (25.0, 40.0)),
    MountainSection("Taldyk pass", 73.168, 39.765, 15_000, (25.0, 35.0)),
    MountainSection("Taun-Murun pass", 73.64, 39.645, 10_000, (30.0, 45.0)),
    MountainSection("Irkeshtam pass road", 73.83, 39.652, 8_000, (25.0, 35.0)),
)


@dataclass(frozen=True)
class SpeedProfile:
    """Speed along a route: piecewise constant, ``speed_kmh[i]`` from ``start_m[i]`` to ``start_m[i + 1]``."""

    start_m: np.ndarray
    speed_kmh: np.ndarray

    def at(self, progress_m: float) -> float:
        i = int(np.searchsorted(self.start_m, progress_m, side="right")) - 1
        return float(self.speed_kmh[max(i, 0)])

    def next_change_m(self, progress_m: float) -> float | None:
        i = int(np.searchsorted(self.start_m, progress_m, side="right"))
        return float(self.start_m[i]) if i < len(self.start_m) else None


def mountain_ranges(route: Route) -> list[tuple[float, float, MountainSection]]:
    """(from_m, to_m, section) along the route, for each section the route climbs."""
    found = []
    for section in MOUNTAIN_SECTIONS:
        p = to_metric(Point(section.lon, section.lat))
        if route.line_m.distance(p) > MOUNTAIN_REACH_M:
            continue
        at = route.line_m.project(p)
        found.append((max(at - section.half_length_m, 0.0), min(at + section.half_length_m, route.length_m), section))
    return found


def is_mountain(route: Route, progress_m: float) -> bool:
    return any(a <= progress_m <= b for a, b, _ in mountain_ranges(route))


def speed_profile(route: Route, rng: random.Random, pace: float) -> SpeedProfile:
    """Draw a convoy's speeds along a route; pace (about 0.85-1.05) is the driver's habit."""
    mountains = mountain_ranges(route)
    starts, speeds = [], []
    position = 0.0
    while position < route.length_m:
        middle = min(position + PIECE_M / 2, route.length_m)
        if middle < APPROACH_M or middle > route.length_m - APPROACH_M:
            low, high = APPROACH_SPEED_KMH
        else:
            low, high = PLAIN_SPEED_KMH
            for a, b, section in mountains:
                if a <= middle <= b:
                    low, high = section.speed_kmh
                    break
        starts.append(position)
        speeds.append(round(rng.uniform(low, high) * pace, 1))
        position += PIECE_M
    return SpeedProfile(np.array(starts), np.array(speeds))

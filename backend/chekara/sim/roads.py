"""The road a convoy drives, when it is not the corridor's line (the hard traffic profile).

A corridor is drawn by hand through checkpoints and stop zones; the road
between them wanders inside it. Here the road is the line moved sideways by
a smooth wander (a few sine waves 6-18 km long, up to wander_share of the
half-width), brought back onto the line near stop zones and checkpoints
(the corridor was drawn through them), plus a few switchbacks where it
bulges to switchback_share x the half-width over a short stretch. The
polyline is smoothed so that a bend of the corridor line does not become a
kink in the road.

Vehicles drive the road (Route.line_m); the platform measures distances to
the corridor's line (Route.corridor_m), and so does the ground truth.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import numpy as np
from shapely.geometry import LineString, Point

from .geography import Route, SimGeography
from .profile import TrafficProfile

#: The road is sampled every this many metres of the corridor line.
STEP_M = 20.0
#: Wander wavelengths, metres; the road meets the line this close to a zone or checkpoint end, metres,
#: and is fully free this much further on.
WAVELENGTH_M = (6_000.0, 18_000.0)
ON_LINE_M = 400.0
EASE_M = 2_000.0
#: The polyline is averaged over this many samples (kinks at the line's vertices smoothed out).
SMOOTH_SAMPLES = 7


def _ease(distance_m: np.ndarray) -> np.ndarray:
    """0 within ON_LINE_M, rising smoothly to 1 over EASE_M."""
    u = np.clip((distance_m - ON_LINE_M) / EASE_M, 0.0, 1.0)
    return u * u * (3 - 2 * u)


def _bump_width_m(base: np.ndarray, s: np.ndarray, at: float, peak: float, half_width: float,
                  outside_m: float) -> float:
    """The bump width (metres of line) whose stretch beyond the half-width is about outside_m long."""
    low, high = 50.0, 4_000.0
    for _ in range(30):
        width = (low + high) / 2
        lateral = _with_bump(base, s, at, peak, width)
        near = np.abs(s - at) < width  # this bump only, not the others already in
        outside = np.count_nonzero(np.abs(lateral[near]) > half_width) * STEP_M
        if outside > outside_m:
            high = width
        else:
            low = width
    return low


def _with_bump(base: np.ndarray, s: np.ndarray, at: float, peak: float, width: float) -> np.ndarray:
    x = (s - at) / width
    blend = np.where(np.abs(x) < 0.5, np.cos(np.pi * x) ** 2, 0.0)
    return base * (1 - blend) + peak * blend


def road_lateral_m(route: Route, profile: TrafficProfile, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """(progress along the line, the road's offset to its left) every STEP_M, metres."""
    length = route.length_m
    s = np.append(np.arange(0.0, length, STEP_M), length)
    wander = np.zeros_like(s)
    for _ in range(3):
        wavelength = rng.uniform(*WAVELENGTH_M)
        wander += rng.uniform(0.5, 1.0) * np.sin(2 * math.pi * s / wavelength + rng.uniform(0, 2 * math.pi))
    wander /= max(float(np.abs(wander).max()), 1e-9)
    free = _ease(np.minimum(s, length - s))
    for zone in route.stop_zones:
        free = np.minimum(free, _ease(np.abs(s - zone.progress_m) - zone.radius_m))
    half_width = route.half_width_m
    lateral = wander * free * profile.wander_share * half_width
    n = np.random.default_rng(rng.getrandbits(32)).poisson(profile.switchbacks_per_100_km * length / 100_000)
    for _ in range(n):
        candidates = np.flatnonzero(free > 0.99)
        if not len(candidates):
            break
        at = float(s[rng.choice(list(candidates))])
        peak = rng.choice((-1, 1)) * profile.switchback_share * half_width
        width = _bump_width_m(lateral, s, at, peak, half_width, rng.uniform(*profile.switchback_outside_m))
        lateral = _with_bump(lateral, s, at, peak, width)
    return s, lateral


def _smooth(values: np.ndarray) -> np.ndarray:
    if len(values) <= SMOOTH_SAMPLES:
        return values
    pad = SMOOTH_SAMPLES // 2
    padded = np.concatenate([np.full(pad, values[0]), values, np.full(pad, values[-1])])
    return np.convolve(padded, np.ones(SMOOTH_SAMPLES) / SMOOTH_SAMPLES, mode="valid")


def road_route(route: Route, profile: TrafficProfile, rng: random.Random) -> Route:
    """The route with its road as line_m (the corridor's line kept as corridor_m)."""
    s, lateral = road_lateral_m(route, profile, rng)
    x, y = route.points_m(s, lateral)
    road = LineString(np.column_stack((_smooth(x), _smooth(y))))
    zones = tuple(replace(z, progress_m=float(road.project(Point(z.x_m, z.y_m)))) for z in route.stop_zones)
    return Route(route.corridor, route.origin, route.destination, road, route.half_width_m, zones,
                 corridor_m=route.line_m)


def reversed_route(forward: Route, backward: Route) -> Route:
    """The other direction of a corridor on the same road."""
    road = LineString(list(forward.line_m.coords)[::-1])
    zones = tuple(replace(z, progress_m=float(road.project(Point(z.x_m, z.y_m)))) for z in backward.stop_zones)
    return Route(backward.corridor, backward.origin, backward.destination, road, backward.half_width_m, zones,
                 corridor_m=backward.line_m)


def with_roads(geography: SimGeography, profile: TrafficProfile, rng: random.Random) -> SimGeography:
    """The geography with a road of its own in every corridor (both directions on one road)."""
    if profile.wander_share <= 0 and profile.switchbacks_per_100_km <= 0:
        return geography
    by_corridor: dict[str, list[Route]] = {}
    for route in geography.routes:
        by_corridor.setdefault(route.corridor, []).append(route)
    routes = []
    for code in sorted(by_corridor):
        pair = by_corridor[code]
        forward = road_route(pair[0], profile, rng)
        routes.append(forward)
        routes.extend(reversed_route(forward, other) for other in pair[1:])
    return SimGeography(geography.checkpoints, tuple(sorted(routes, key=lambda r: (r.corridor, r.origin))))

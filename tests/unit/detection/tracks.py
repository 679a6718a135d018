"""Tiny hand-built tracks for the detector tests.

Positions are given in metres north / east of a base point near Bishkek and
times in seconds after T0, so a test reads like the situation it describes:
"every 10 s for 10 min at 3000 m from the corridor".
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from chekara.domain.detection import DetectionThresholds, EnrichedFix
from chekara.domain.detection.geo import EARTH_RADIUS_M

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
LON0, LAT0 = 74.60, 42.87
TH = DetectionThresholds()


def at(t_s: float) -> datetime:
    return T0 + timedelta(seconds=t_s)


def iso(t_s: float) -> str:
    return at(t_s).isoformat()


def lonlat(north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """The point north_m / east_m metres from the base point (on the sphere)."""
    lat = LAT0 + math.degrees(north_m / EARTH_RADIUS_M)
    lon = LON0 + math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(LAT0))))
    return lon, lat


def fix(t_s: float, *, device_id: str = "trk-1", role: str = "vehicle", north_m: float = 0.0,
        east_m: float = 0.0, corridor_distance_m: float | None = 0.0, half_width_m: float = 500.0,
        speed_kmh: float | None = None, battery_pct: float | None = None,
        in_stop_zone: str | None = None, in_checkpoint: str | None = None) -> EnrichedFix:
    lon, lat = lonlat(north_m, east_m)
    return EnrichedFix(device_id=device_id, ts=at(t_s), lon=lon, lat=lat, speed_kmh=speed_kmh,
                       battery_pct=battery_pct, corridor_distance_m=corridor_distance_m,
                       corridor_half_width_m=half_width_m, in_stop_zone=in_stop_zone,
                       in_checkpoint=in_checkpoint, role=role)


def track(start_s: float, end_s: float, every_s: float, **kw: Any) -> list[EnrichedFix]:
    """Fixes every every_s seconds from start_s to end_s inclusive, all alike but for time.

    north_m / east_m may be callables of t_s to make the track move.
    """
    fixes = []
    n = int(round((end_s - start_s) / every_s))
    for i in range(n + 1):
        t = start_s + i * every_s
        args = {k: (v(t) if callable(v) else v) for k, v in kw.items()}
        fixes.append(fix(t, **args))
    return fixes


def shifted(fixes: list[EnrichedFix], by_s: float) -> list[EnrichedFix]:
    """The same fixes by_s seconds later."""
    return [replace(f, ts=f.ts + timedelta(seconds=by_s)) for f in fixes]


@dataclass(frozen=True)
class Tick:
    """A clock tick for a clock-driven detector, with its context."""

    t_s: float
    context: dict[str, Any] = field(default_factory=dict)


def replay(detector: Any, steps: list[Any], thresholds: DetectionThresholds = TH,
           split_every: int | None = None, state: dict | None = None) -> tuple[dict, list[Any]]:
    """Run fixes and ticks through a detector, returning (final state, events).

    With split_every, the state goes through json.dumps / json.loads every
    split_every steps, as it does between batches in the pipeline. Every call
    is also checked not to mutate the state it was given.
    """
    state = detector.initial_state() if state is None else state
    events: list[Any] = []
    for i, step in enumerate(steps):
        if split_every and i % split_every == 0:
            state = json.loads(json.dumps(state))
        before = copy.deepcopy(state)
        if isinstance(step, Tick):
            new_state, new_events = detector.on_clock(state, at(step.t_s), thresholds, **step.context)
        else:
            new_state, new_events = detector.on_fix(state, step, thresholds)
        assert state == before, "detector mutated its input state"
        state = new_state
        events.extend(new_events)
    json.dumps(state)  # always JSON-serialisable
    for event in events:
        json.dumps(event.evidence)
    return state, events


def assert_batch_invariant(detector: Any, steps: list[Any], thresholds: DetectionThresholds = TH) -> list[Any]:
    """One batch and many batches (state round-tripped through JSON) give the same events."""
    _, whole = replay(detector, steps, thresholds)
    for split_every in (1, 2, 3, 7, 50):
        _, split = replay(detector, steps, thresholds, split_every=split_every)
        assert split == whole, f"batches of {split_every} differ"
    return whole


def types(events: list[Any]) -> list[tuple[str, str]]:
    """[(class name, type)] for compact assertions."""
    return [(type(e).__name__, e.type) for e in events]

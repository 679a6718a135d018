"""Replay a scenario's fixes through the pure detectors, the way the ingest pipeline would (no database).

Enrichment is redone here in a few lines (corridor distance, stop zone,
checkpoint geofence, trip status) so the generator can be checked without a
server: normal driving must raise nothing, and every injected fix-level
anomaly must raise its alert. The clock-driven signal-lost check runs every
``sweep_s`` from the live part on, as the server's sweeper would.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely

from chekara.domain.detection import (
    FIX_DETECTORS,
    GPS_ANOMALY,
    SIGNAL_LOST,
    AlertRaised,
    DetectionThresholds,
    EnrichedFix,
    is_anomalous,
)
from chekara.domain.geometry import metric_transformer
from chekara.sim.geography import SimGeography
from chekara.sim.scenario import Scenario

EPOCH = datetime(2026, 5, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Raised:
    type: str
    convoy_id: str
    key: str | None
    t_s: float
    evidence: dict


def replay(scenario: Scenario, geo: SimGeography, sweep_s: float = 30.0,
           thresholds: DetectionThresholds = DetectionThresholds()) -> list[Raised]:
    routes = {(r.corridor, r.origin): r for r in geo.routes}
    by_group: dict[str, list] = defaultdict(list)
    for fix in scenario.fixes:
        by_group[fix.group].append(fix)
    raised: list[Raised] = []
    for convoy in scenario.convoys:
        fixes = by_group.get(convoy.convoy_id, [])
        if not fixes:
            continue
        route = routes[(convoy.corridor, convoy.origin)]
        origin, destination = geo.checkpoints[convoy.origin], geo.checkpoints[convoy.destination]
        roles = {d.device_id: d.role for d in convoy.devices}
        lon = np.array([f.lon for f in fixes])
        lat = np.array([f.lat for f in fixes])
        x, y = metric_transformer().transform(lon, lat)
        distance = shapely.distance(route.line_m, shapely.points(x, y))
        zone_of = [None] * len(fixes)
        for zone in route.stop_zones:
            inside = np.hypot(x - zone.x_m, y - zone.y_m) <= zone.radius_m
            for i in np.flatnonzero(inside):
                zone_of[i] = zone_of[i] or zone.name
        fence = geo.checkpoint_distance_m(x, y) <= 0
        at_origin = np.hypot(x - origin.x_m, y - origin.y_m) <= origin.geofence_radius_m
        at_destination = np.hypot(x - destination.x_m, y - destination.y_m) <= destination.geofence_radius_m

        state = {d.type: d.initial_state() for d in (GPS_ANOMALY, *FIX_DETECTORS)}
        status = "planned"
        next_sweep = scenario.spec.history_s + scenario.spec.catch_up_allowance_s
        for i, fix in enumerate(fixes):
            while status == "in_transit" and next_sweep <= fix.t_s and next_sweep <= scenario.spec.end_s:
                state[SIGNAL_LOST.type], events = SIGNAL_LOST.on_clock(
                    state[SIGNAL_LOST.type], EPOCH + timedelta(seconds=next_sweep), thresholds, in_transit=True)
                raised += [Raised(e.type, convoy.convoy_id, e.key, next_sweep, e.evidence)
                           for e in events if isinstance(e, AlertRaised)]
                next_sweep += sweep_s
            if status == "arrived":
                break
            enriched = EnrichedFix(
                fix.device_id, EPOCH + timedelta(seconds=fix.t_s), fix.lon, fix.lat, fix.speed_kmh, fix.battery_pct,
                float(distance[i]), route.half_width_m, zone_of[i], "fence" if fence[i] else None, roles[fix.device_id],
            )
            anomalous = is_anomalous(state[GPS_ANOMALY.type], enriched, thresholds)
            state[GPS_ANOMALY.type], events = GPS_ANOMALY.on_fix(state[GPS_ANOMALY.type], enriched, thresholds)
            raised += [Raised(e.type, convoy.convoy_id, e.key, fix.t_s, e.evidence)
                       for e in events if isinstance(e, AlertRaised)]
            if anomalous:
                continue
            if status == "planned":
                if at_origin[i]:
                    continue
                status = "in_transit"
            for detector in FIX_DETECTORS:
                state[detector.type], events = detector.on_fix(state[detector.type], enriched, thresholds)
                raised += [Raised(e.type, convoy.convoy_id, e.key, fix.t_s, e.evidence)
                           for e in events if isinstance(e, AlertRaised)]
            if at_destination[i]:
                status = "arrived"
    return raised

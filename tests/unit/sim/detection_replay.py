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
        enriched_fixes, at_origin, at_destination = _enrich(convoy, fixes, geo, routes)

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
            enriched = enriched_fixes[i]
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


# ---- the platform's alerts as the evaluation sees them, without a server ---------------------------------------

TRACKED_TYPES = ("route_deviation", "unauthorized_stop", "signal_lost", "gps_anomaly", "convoy_separation")


def replay_observed(scenario: Scenario, geo: SimGeography, sweep_s: float = 30.0,
                    thresholds: DetectionThresholds = DetectionThresholds()):
    """The fix-driven and sweep-driven alerts of the pure detectors, as evaluation.Observed, and a GroundTruth.

    Fixes are examined in the order they are taken (what the platform's late-fix replay restores), but
    the sweep that raises signal_lost knows only what has been uploaded by its time: a coverage hole's
    backlog arrives late (sim.sampling), and the silence before it is real for the platform's clock.
    """
    from chekara.sim.evaluation import START_EVIDENCE, Observed
    from chekara.sim.truth import GroundTruth

    trip_ids = {c.convoy_id: i + 1 for i, c in enumerate(scenario.convoys)}
    truth = GroundTruth("replay", scenario.spec.seed, EPOCH, scenario.spec.end_s, scenario.spec.history_s,
                        scenario.anomalies, trip_ids=trip_ids)
    routes = {(r.corridor, r.origin): r for r in geo.routes}
    by_group: dict[str, list] = defaultdict(list)
    for fix in scenario.fixes:
        by_group[fix.group].append(fix)
    observed: list[Observed] = []
    end = EPOCH + timedelta(seconds=scenario.spec.end_s)
    for convoy in scenario.convoys:
        fixes = sorted(by_group.get(convoy.convoy_id, []), key=lambda f: (f.t_s, f.device_id))
        if not fixes:
            continue
        enriched_fixes, at_origin, at_destination = _enrich(convoy, fixes, geo, routes)

        open_alerts: dict[tuple[str, str | None], tuple] = {}

        def record(events, ts):
            for e in events:
                k = (e.type, e.key)
                if isinstance(e, AlertRaised):
                    if k not in open_alerts:
                        open_alerts[k] = (e, ts)
                elif k in open_alerts:
                    raised, raised_ts = open_alerts.pop(k)
                    observed.append(_observed(raised, raised_ts, e.ts, convoy.convoy_id))

        def _observed(raised, raised_ts, ended, convoy_id):
            began = raised.evidence.get(START_EVIDENCE.get(raised.type, ""))
            start = min(raised_ts, datetime.fromisoformat(began)) if began else raised_ts
            device = raised.key if raised.type in TRACKED_TYPES and raised.type != "route_deviation" else None
            return Observed("alert", raised.type, f"{raised.type} {convoy_id} {raised.key}", start, max(ended, start),
                            trip=trip_ids[convoy_id], device=device, raised=raised_ts)

        state = {d.type: d.initial_state() for d in (GPS_ANOMALY, *FIX_DETECTORS)}
        status = "planned"
        # The sweep's own view of each device: its newest fix uploaded so far.
        uploads = sorted(range(len(fixes)), key=lambda i: (fixes[i].delivery_s, fixes[i].t_s))
        upload_pos = 0
        sweep_state = SIGNAL_LOST.initial_state()
        next_sweep = scenario.spec.history_s + scenario.spec.catch_up_allowance_s
        departed_s = None
        for i, fix in enumerate(fixes):
            while departed_s is not None and status == "in_transit" and next_sweep <= fix.t_s and next_sweep <= scenario.spec.end_s:
                while upload_pos < len(uploads) and fixes[uploads[upload_pos]].delivery_s <= next_sweep:
                    j = uploads[upload_pos]
                    upload_pos += 1
                    f = fixes[j]
                    known = sweep_state["devices"].get(f.device_id)
                    if known is not None and known["last_fix_ts"] >= (EPOCH + timedelta(seconds=f.t_s)).isoformat():
                        continue  # an old fix of a backlog: the clock state keeps the newest
                    sweep_state, events = SIGNAL_LOST.on_fix(sweep_state, enriched_fixes[j], thresholds)
                    record(events, EPOCH + timedelta(seconds=f.delivery_s))
                now = EPOCH + timedelta(seconds=next_sweep)
                sweep_state, events = SIGNAL_LOST.on_clock(sweep_state, now, thresholds, in_transit=True)
                record(events, now)
                next_sweep += sweep_s
            if status == "arrived":
                break
            enriched = enriched_fixes[i]
            anomalous = is_anomalous(state[GPS_ANOMALY.type], enriched, thresholds)
            state[GPS_ANOMALY.type], events = GPS_ANOMALY.on_fix(state[GPS_ANOMALY.type], enriched, thresholds)
            record(events, enriched.ts)
            if anomalous:
                continue
            if status == "planned":
                if at_origin[i]:
                    continue
                status, departed_s = "in_transit", fix.t_s
            for detector in FIX_DETECTORS:
                if detector is SIGNAL_LOST:
                    continue  # the sweep's view above
                state[detector.type], events = detector.on_fix(state[detector.type], enriched, thresholds)
                record(events, enriched.ts)
            if at_destination[i]:
                status = "arrived"
        for raised, raised_ts in open_alerts.values():
            observed.append(_observed(raised, raised_ts, end, convoy.convoy_id))
    return truth, [o for o in observed if o.type in TRACKED_TYPES]


def _enrich(convoy, fixes, geo: SimGeography, routes) -> tuple[list[EnrichedFix], np.ndarray, np.ndarray]:
    """The convoy's fixes as the ingest pipeline enriches them; which lie in its origin and destination geofences."""
    route = routes[(convoy.corridor, convoy.origin)]
    origin, destination = geo.checkpoints[convoy.origin], geo.checkpoints[convoy.destination]
    roles = {d.device_id: d.role for d in convoy.devices}
    x, y = metric_transformer().transform(np.array([f.lon for f in fixes]), np.array([f.lat for f in fixes]))
    distance = shapely.distance(route.line_m, shapely.points(x, y))
    zone_of = [None] * len(fixes)
    for zone in route.stop_zones:
        for i in np.flatnonzero(np.hypot(x - zone.x_m, y - zone.y_m) <= zone.radius_m):
            zone_of[i] = zone_of[i] or zone.name
    fence = geo.checkpoint_distance_m(x, y) <= 0
    enriched = [
        EnrichedFix(f.device_id, EPOCH + timedelta(seconds=f.t_s), f.lon, f.lat, f.speed_kmh, f.battery_pct,
                    float(distance[i]), route.half_width_m, zone_of[i], "fence" if fence[i] else None,
                    roles[f.device_id])
        for i, f in enumerate(fixes)
    ]
    at_origin = np.hypot(x - origin.x_m, y - origin.y_m) <= origin.geofence_radius_m
    at_destination = np.hypot(x - destination.x_m, y - destination.y_m) <= destination.geofence_radius_m
    return enriched, at_origin, at_destination

"""Convoy separation: an escorted vehicle and its escort have drifted apart.

The state keeps the latest fix of every device of the trip. On each fix, each
vehicle device concerned (the fix's own device if it is a vehicle, every
vehicle if it is the escort) is measured against the nearest escort device:

- a pair is measured only when both latest fixes are at most
  separation_max_fix_age_s (30 s) older than the current fix; a stale position
  could be off by speed x age (see DetectionThresholds). No measurement
  neither starts nor ends a separation;
- separated means > separation_m (2 km, strictly: exactly 2 km is together);
- a separation that has lasted >= separation_min_s (5 min: "≥"), from its
  first separated measurement to the current one, raises;
- the first measurement back within separation_m resolves it.

One alert per vehicle device (key = the vehicle's device id). Evidence:
separation_m (current), max_separation_m, first_fix_ts / last_fix_ts (first
and latest separated measurement), duration_s, both devices' positions.
"""

from __future__ import annotations

from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .geo import haversine_m
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


def _nearest_escort(devices: dict[str, Any], vehicle: dict[str, Any], now_ts: str,
                    max_age_s: float) -> tuple[str, float] | None:
    """(escort device id, distance in metres) of the nearest recent escort."""
    best: tuple[str, float] | None = None
    for device_id, other in sorted(devices.items()):
        if other["role"] != "escort" or seconds_between(other["ts"], now_ts) > max_age_s:
            continue
        d = haversine_m(vehicle["lon"], vehicle["lat"], other["lon"], other["lat"])
        if best is None or d < best[1]:
            best = (device_id, d)
    return best


class ConvoySeparationDetector:
    type = "convoy_separation"

    def initial_state(self) -> State:
        return {"devices": {}, "separations": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        now_ts = to_iso(fix.ts)
        devices = {**state["devices"], fix.device_id: {"role": fix.role, "ts": now_ts, "lon": fix.lon, "lat": fix.lat}}
        separations = dict(state["separations"])
        if fix.role == "vehicle":
            vehicle_ids = [fix.device_id]
        else:
            vehicle_ids = sorted(i for i, d in devices.items()
                                 if d["role"] == "vehicle" and seconds_between(d["ts"], now_ts)
                                 <= thresholds.separation_max_fix_age_s)
        events: list[Event] = []
        for vehicle_id in vehicle_ids:
            vehicle = devices[vehicle_id]
            nearest = _nearest_escort(devices, vehicle, now_ts, thresholds.separation_max_fix_age_s)
            if nearest is None:
                continue
            escort_id, distance_m = nearest
            escort = devices[escort_id]
            sep = separations.get(vehicle_id)
            if distance_m <= thresholds.separation_m:
                if sep is not None and sep["raised"]:
                    events.append(AlertResolved(self.type, fix.ts, {
                        **self._evidence(vehicle_id, sep), "separation_m": round(distance_m, 1),
                        "rejoined_ts": now_ts}, key=vehicle_id))
                separations.pop(vehicle_id, None)
                continue
            if sep is None:
                sep = {"first_fix_ts": now_ts, "max_separation_m": distance_m, "raised": False}
            sep = {**sep, "last_fix_ts": now_ts, "max_separation_m": max(sep["max_separation_m"], distance_m),
                   "separation_m": distance_m, "escort_device_id": escort_id,
                   "vehicle_lon": vehicle["lon"], "vehicle_lat": vehicle["lat"],
                   "escort_lon": escort["lon"], "escort_lat": escort["lat"]}
            if not sep["raised"] and seconds_between(sep["first_fix_ts"], now_ts) >= thresholds.separation_min_s:
                sep["raised"] = True
                events.append(AlertRaised(self.type, fix.ts, {
                    **self._evidence(vehicle_id, sep), "separation_m": round(distance_m, 1)}, key=vehicle_id))
            separations[vehicle_id] = sep
        return {**state, "devices": devices, "separations": separations}, events

    @staticmethod
    def _evidence(vehicle_id: str, sep: dict[str, Any]) -> dict[str, Any]:
        return {
            "device_id": vehicle_id, "escort_device_id": sep["escort_device_id"],
            "max_separation_m": round(sep["max_separation_m"], 1),
            "first_fix_ts": sep["first_fix_ts"], "last_fix_ts": sep["last_fix_ts"],
            "duration_s": seconds_between(sep["first_fix_ts"], sep["last_fix_ts"]),
            "vehicle_lon": sep["vehicle_lon"], "vehicle_lat": sep["vehicle_lat"],
            "escort_lon": sep["escort_lon"], "escort_lat": sep["escort_lat"],
        }

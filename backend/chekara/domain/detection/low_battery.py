"""Low battery: a tracker or escort phone is about to die.

Raised once when battery_pct < low_battery_pct (15 %, strictly: 15 % itself
is fine); resolved when battery_pct >= low_battery_resolve_pct (20 %). The
gap between the two is hysteresis: a reading wobbling around 15 % raises one
alert, not one per fix. Fixes without a battery reading are ignored.
Per device (key = device id). Evidence: battery_pct, min_battery_pct,
first_fix_ts (the fix that raised), and on resolution duration_s.
"""

from __future__ import annotations

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


class LowBatteryDetector:
    type = "low_battery"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        if fix.battery_pct is None:
            return state, []
        low = state["devices"].get(fix.device_id)
        if low is None:
            if fix.battery_pct >= thresholds.low_battery_pct:
                return state, []
            low = {"first_fix_ts": to_iso(fix.ts), "min_battery_pct": fix.battery_pct}
            event: Event = AlertRaised(self.type, fix.ts, {
                "device_id": fix.device_id, "role": fix.role, "battery_pct": fix.battery_pct,
                "min_battery_pct": fix.battery_pct, "first_fix_ts": low["first_fix_ts"],
                "lon": fix.lon, "lat": fix.lat}, key=fix.device_id)
            return {**state, "devices": {**state["devices"], fix.device_id: low}}, [event]
        if fix.battery_pct >= thresholds.low_battery_resolve_pct:
            devices = {k: v for k, v in state["devices"].items() if k != fix.device_id}
            return {**state, "devices": devices}, [AlertResolved(self.type, fix.ts, {
                "device_id": fix.device_id, "role": fix.role, "battery_pct": fix.battery_pct,
                "min_battery_pct": low["min_battery_pct"], "first_fix_ts": low["first_fix_ts"],
                "last_fix_ts": to_iso(fix.ts), "duration_s": seconds_between(low["first_fix_ts"], fix.ts)},
                key=fix.device_id)]
        low = {**low, "min_battery_pct": min(low["min_battery_pct"], fix.battery_pct)}
        return {**state, "devices": {**state["devices"], fix.device_id: low}}, []

"""Route deviation: the convoy left its corridor, and not just for a moment.

A device deviates when its own fixes have been outside the corridor for
>= deviation_min_fixes consecutive fixes AND >= deviation_min_s from its
first outside fix to the current one (both "≥", DESIGN.md); a 20-second
excursion raises nothing. Streaks are kept per device, so a truck turning off
while the escort's phone stays on the route is still seen (the escort's
inside fixes do not break the truck's streak).

The alert is one per trip (key None): raised when the first device starts
deviating, resolved by the fix that brings the last deviating device back
inside. While it lasts the farthest point is tracked. Evidence:
- max_distance_m: the largest corridor_distance_m, i.e. from the centreline;
- max_outside_m: that fix's distance beyond the corridor edge
  (max_distance_m - its half-width); lon / lat: where it was;
- first_fix_ts / last_fix_ts: first and last outside fix, duration_s between
  them; outside_fixes; device_ids: the devices that deviated.
Fixes without a corridor distance (no corridor) are ignored and do not break
a streak.

Example: fixes every 10 s at 3 km from the centreline for 10 min raise one
alert at the 7th fix (60 s, 7 fixes) and resolve at the first fix back inside.
"""

from __future__ import annotations

from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


def _farthest(current: dict[str, Any], distance_m: float, half_width_m: float, lon: float, lat: float) -> dict:
    if distance_m <= current["max_distance_m"]:
        return {}
    return {"max_distance_m": distance_m, "half_width_m": half_width_m, "lon": lon, "lat": lat}


class RouteDeviationDetector:
    type = "route_deviation"

    def initial_state(self) -> State:
        return {"streaks": {}, "alert": None}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        if fix.corridor_distance_m is None:
            return state, []
        streaks = dict(state["streaks"])
        alert = state["alert"]
        if not fix.outside_corridor:
            streaks.pop(fix.device_id, None)
            if alert is not None and not any(s["qualified"] for s in streaks.values()):
                return {"streaks": streaks, "alert": None}, [AlertResolved(self.type, fix.ts, {
                    **self._evidence(alert), "returned_ts": to_iso(fix.ts)})]
            return {"streaks": streaks, "alert": alert}, []

        ts = to_iso(fix.ts)
        distance_m, half_width_m = fix.corridor_distance_m, fix.corridor_half_width_m
        streak = streaks.get(fix.device_id)
        if streak is None:
            streak = {"first_fix_ts": ts, "fixes": 0, "max_distance_m": distance_m, "half_width_m": half_width_m,
                      "lon": fix.lon, "lat": fix.lat, "qualified": False}
        streak = {**streak, "last_fix_ts": ts, "fixes": streak["fixes"] + 1,
                  **_farthest(streak, distance_m, half_width_m, fix.lon, fix.lat)}
        events: list[Event] = []
        if streak["qualified"]:
            alert = {**alert, "last_fix_ts": ts, "fixes": alert["fixes"] + 1,
                     **_farthest(alert, distance_m, half_width_m, fix.lon, fix.lat)}
        elif (streak["fixes"] >= thresholds.deviation_min_fixes
              and seconds_between(streak["first_fix_ts"], ts) >= thresholds.deviation_min_s):
            streak["qualified"] = True
            if alert is None:
                alert = {**{k: v for k, v in streak.items() if k != "qualified"}, "device_ids": [fix.device_id]}
                events.append(AlertRaised(self.type, fix.ts, self._evidence(alert)))
            else:  # another device joins an open deviation
                alert = {**alert, "last_fix_ts": ts, "fixes": alert["fixes"] + streak["fixes"],
                         "first_fix_ts": min(alert["first_fix_ts"], streak["first_fix_ts"]),
                         "device_ids": [*alert["device_ids"], fix.device_id],
                         **_farthest(alert, streak["max_distance_m"], streak["half_width_m"],
                                     streak["lon"], streak["lat"])}
        streaks[fix.device_id] = streak
        return {"streaks": streaks, "alert": alert}, events

    @staticmethod
    def _evidence(alert: dict[str, Any]) -> dict[str, Any]:
        return {
            "max_distance_m": round(alert["max_distance_m"], 1),
            "max_outside_m": round(alert["max_distance_m"] - alert["half_width_m"], 1),
            "corridor_half_width_m": alert["half_width_m"],
            "lon": alert["lon"], "lat": alert["lat"],
            "first_fix_ts": alert["first_fix_ts"], "last_fix_ts": alert["last_fix_ts"],
            "duration_s": seconds_between(alert["first_fix_ts"], alert["last_fix_ts"]),
            "outside_fixes": alert["fixes"], "device_ids": alert["device_ids"],
        }

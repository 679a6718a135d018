"""Unauthorized stop: an escorted vehicle stands still where it may not.

A stop, in the manner of MovingPandas' TrajectoryStopDetector but with an
anchor instead of a sliding window (O(1) state per fix):

- the stop's anchor is its first fix; every later fix within
  <= stop_radius_m (150 m) of the anchor belongs to the stop, so the stop fits
  in a circle of that radius around the anchor;
- the first fix farther than stop_radius_m ends it and anchors the next stop;
- its duration runs from the anchor to the latest fix within the radius. A
  gap in the fixes does not end a stop: if the fix after the gap is still
  within the radius, the stop went on through the gap;
- it is raised once duration >= stop_min_s (15 min: "≥", so exactly 15 min
  raises and 14 min 59 s does not), at the fix that reaches it;
- it is authorised, and never raised, when any of its fixes up to that moment
  lies in a designated stop zone or a checkpoint geofence. A stop straddling a
  zone boundary is therefore authorised: GPS jitter at a zone's edge is not an
  offence, and the whole stop is within 150 m of a fix that was in the zone.
  Once raised, a later fix inside a zone does not resolve it: the vehicle
  has not moved;
- the alert resolves at the first fix beyond the radius ("it moved away").

Only "vehicle" fixes are tracked: the goods are in the truck, and the escort
(a person with a phone) may walk about. One stop per vehicle device: key =
device id. The place in the evidence (lon / lat) is the mean of the stop's
fixes; start_ts is the anchor's time, end_ts the last fix within the radius.
"""

from __future__ import annotations

from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .geo import haversine_m
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


def _new_stop(fix: EnrichedFix) -> dict[str, Any]:
    return {
        "anchor_lon": fix.lon, "anchor_lat": fix.lat,
        "start_ts": to_iso(fix.ts), "last_fix_ts": to_iso(fix.ts),
        "fixes": 1, "sum_lon": fix.lon, "sum_lat": fix.lat,
        "authorised_by": fix.in_stop_zone or fix.in_checkpoint,
        "raised": False,
    }


class UnauthorizedStopDetector:
    type = "unauthorized_stop"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        if fix.role != "vehicle":
            return state, []
        stop = state["devices"].get(fix.device_id)
        events: list[Event] = []
        if stop is None:
            stop = _new_stop(fix)
        elif haversine_m(stop["anchor_lon"], stop["anchor_lat"], fix.lon, fix.lat) <= thresholds.stop_radius_m:
            stop = {**stop, "last_fix_ts": to_iso(fix.ts), "fixes": stop["fixes"] + 1,
                    "sum_lon": stop["sum_lon"] + fix.lon, "sum_lat": stop["sum_lat"] + fix.lat}
            if not stop["raised"] and stop["authorised_by"] is None:
                stop["authorised_by"] = fix.in_stop_zone or fix.in_checkpoint
        else:
            if stop["raised"]:
                events.append(AlertResolved(self.type, fix.ts, {
                    **self._evidence(stop, fix.device_id), "end_ts": stop["last_fix_ts"],
                    "moved_ts": to_iso(fix.ts)}, key=fix.device_id))
            stop = _new_stop(fix)

        if (not stop["raised"] and stop["authorised_by"] is None
                and seconds_between(stop["start_ts"], fix.ts) >= thresholds.stop_min_s):
            stop["raised"] = True
            events.append(AlertRaised(self.type, fix.ts, self._evidence(stop, fix.device_id), key=fix.device_id))
        return {**state, "devices": {**state["devices"], fix.device_id: stop}}, events

    @staticmethod
    def _evidence(stop: dict[str, Any], device_id: str) -> dict[str, Any]:
        return {
            "device_id": device_id,
            "lon": stop["sum_lon"] / stop["fixes"], "lat": stop["sum_lat"] / stop["fixes"],
            "start_ts": stop["start_ts"], "last_fix_ts": stop["last_fix_ts"],
            "duration_s": seconds_between(stop["start_ts"], stop["last_fix_ts"]),
            "fixes": stop["fixes"],
        }

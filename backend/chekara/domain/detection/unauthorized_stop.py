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

What a sparse or noisy tracker can show (trackers report every 10 to 300 s;
about one fix in a hundred is a multipath outlier):

- a stop is standing still, not rolling through the circle: an anchor that
  reports moving is the vehicle rolling in, up to 100 m short of where it
  stops; the first fix within the radius that reports standing still
  becomes the anchor, and the stop began when the vehicle, at the anchor's
  speed, covered the distance between them. Fixes within the radius that
  report moving after it stood (rolling out) do not lengthen it;
- once the vehicle is seen standing (two fixes within the radius, or an
  anchor reporting speed 0), a fix beyond the radius that reports standing
  still (speed_kmh known and below stop_moving_kmh) is a bad position,
  not a departure: it is held, and only ends the stop if the next fix is
  beyond the radius too;
- when the fix before the anchor was moving, the stop began when the
  vehicle, at that fix's speed, covered the distance to the anchor (at 300 s
  between fixes the anchor can be up to five minutes after the vehicle
  stopped); start_ts is that moment (the anchor's time otherwise, or when
  the anchor itself was still moving);
- likewise at the departure: when the first fix beyond the radius is moving,
  the stop ended when, at its speed, the vehicle left the last fix within
  the radius. A stop whose fixes never showed 15 min but whose start and
  end so estimated did is raised then, and resolved at once (a tracker at
  300 s can show a 15.5-min stop as 10 min between its first and last fix).
  An estimate assumes the vehicle kept the speed it reported; it slows down
  to park (a cafe's side road at 30 km/h), so a stop must last longer by as
  much as was estimated rather than seen, up to stop_reckon_margin_s (60 s).

Only "vehicle" fixes are tracked: the goods are in the truck, and the escort
(a person with a phone) may walk about. One stop per vehicle device: key =
device id. The place in the evidence (lon / lat) is the mean of the stop's
fixes; start_ts is when the stop began (above), anchor_ts the anchor's time,
end_ts the last fix within the radius.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .geo import haversine_m
from .thresholds import DetectionThresholds
from .timestamps import from_iso, seconds_between, to_iso


def _moving(speed_kmh: float | None, th: DetectionThresholds) -> bool:
    return speed_kmh is not None and speed_kmh >= th.stop_moving_kmh


def _seen(fix: EnrichedFix) -> dict[str, Any]:
    return {"ts": to_iso(fix.ts), "lon": fix.lon, "lat": fix.lat, "speed_kmh": fix.speed_kmh}


def _started_ts(before: dict[str, Any] | None, anchor: EnrichedFix, th: DetectionThresholds) -> str:
    """When a stop anchored at this fix began: dead-reckoned from a moving fix before it (see the module doc)."""
    if before is None or _moving(anchor.speed_kmh, th) or not _moving(before["speed_kmh"], th):
        return to_iso(anchor.ts)
    gap_s = seconds_between(before["ts"], anchor.ts)
    if not 0 < gap_s <= th.stop_reckon_max_gap_s:
        return to_iso(anchor.ts)  # a long silence: the vehicle may have gone anywhere meanwhile
    travel_s = haversine_m(before["lon"], before["lat"], anchor.lon, anchor.lat) / (before["speed_kmh"] / 3.6)
    return _plus(before["ts"], min(travel_s, gap_s))


def _plus(ts: str, seconds: float) -> str:
    return to_iso(from_iso(ts) + timedelta(seconds=seconds))


def _ended_ts(stop: dict[str, Any], departure: EnrichedFix, th: DetectionThresholds) -> str:
    """When the vehicle left: dead-reckoned back from a moving first fix beyond the radius, else the last fix in."""
    # A held fix (far, but reporting standing still) says the vehicle still stood at its time.
    stood_ts = stop["held"]["ts"] if stop.get("held") else stop["last_fix_ts"]
    if not _moving(departure.speed_kmh, th) or seconds_between(stood_ts, departure.ts) > th.stop_reckon_max_gap_s:
        return stood_ts
    travel_s = haversine_m(stop["last_lon"], stop["last_lat"], departure.lon, departure.lat) / (departure.speed_kmh / 3.6)
    gap_s = seconds_between(stood_ts, departure.ts)
    return _plus(stood_ts, max(gap_s - travel_s, 0.0))


def _moved_to_held(stop: dict[str, Any], fix: EnrichedFix, th: DetectionThresholds) -> bool:
    held = stop.get("held")
    return held is not None and haversine_m(held["lon"], held["lat"], fix.lon, fix.lat) <= th.stop_radius_m


def _needed_s(stop: dict[str, Any], th: DetectionThresholds, ended_ts: str | None = None) -> float:
    """How long a stop must be seen: stop_min_s, plus as much of stop_reckon_margin_s as was estimated, not seen."""
    estimated_s = max(0.0, seconds_between(stop["start_ts"], stop["anchor_ts"]))
    if ended_ts is not None:
        estimated_s += max(0.0, seconds_between(stop["last_fix_ts"], ended_ts))
    return th.stop_min_s + min(th.stop_reckon_margin_s, estimated_s)


def _new_stop(fix: EnrichedFix, before: dict[str, Any] | None, th: DetectionThresholds) -> dict[str, Any]:
    return {
        "anchor_lon": fix.lon, "anchor_lat": fix.lat, "anchor_ts": to_iso(fix.ts),
        "start_ts": _started_ts(before, fix, th), "last_fix_ts": to_iso(fix.ts),
        "last_lon": fix.lon, "last_lat": fix.lat,
        "fixes": 1, "sum_lon": fix.lon, "sum_lat": fix.lat,
        "authorised_by": fix.in_stop_zone or fix.in_checkpoint,
        "raised": False, "held": None, "anchor_moving": _moving(fix.speed_kmh, th), "anchor_speed_kmh": fix.speed_kmh,
        "stood": fix.speed_kmh is not None and not _moving(fix.speed_kmh, th),
        # Seen standing (two fixes together, or one reporting speed 0): a far fix may then be a bad one.
        "standing": fix.speed_kmh is not None and not _moving(fix.speed_kmh, th),
    }


class UnauthorizedStopDetector:
    type = "unauthorized_stop"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        if fix.role != "vehicle":
            return state, []
        th = thresholds
        stop = state["devices"].get(fix.device_id)
        before = state.get("last", {}).get(fix.device_id)
        events: list[Event] = []
        if stop is None:
            stop = _new_stop(fix, before, th)
        elif haversine_m(stop["anchor_lon"], stop["anchor_lat"], fix.lon, fix.lat) <= th.stop_radius_m:
            still = fix.speed_kmh is not None and not _moving(fix.speed_kmh, th)
            rolling_out = stop.get("stood") and _moving(fix.speed_kmh, th)
            stop = {**stop, "fixes": stop["fixes"] + 1, "held": None, "standing": True,
                    "sum_lon": stop["sum_lon"] + fix.lon, "sum_lat": stop["sum_lat"] + fix.lat}
            if not rolling_out:  # rolling away through the circle is driving, not standing
                stop.update(last_fix_ts=to_iso(fix.ts), last_lon=fix.lon, last_lat=fix.lat)
            if not stop["raised"] and stop["authorised_by"] is None:
                stop["authorised_by"] = fix.in_stop_zone or fix.in_checkpoint
            if still and stop.get("anchor_moving"):
                # The anchor was the vehicle still rolling in: it stood once it covered the distance to this
                # first standing fix at the anchor's speed, and stands here.
                rolled_s = haversine_m(stop["anchor_lon"], stop["anchor_lat"], fix.lon, fix.lat) \
                    / (stop["anchor_speed_kmh"] / 3.6)
                stop.update(anchor_lon=fix.lon, anchor_lat=fix.lat, anchor_moving=False,
                            start_ts=min(_plus(stop["anchor_ts"], rolled_s), to_iso(fix.ts)))
            if still:
                stop["stood"] = True
        elif (stop.get("held") is None and stop.get("standing") and fix.speed_kmh is not None
              and not _moving(fix.speed_kmh, th)):
            stop = {**stop, "held": _seen(fix)}  # standing still, yet far: a bad position until the next fix says
        elif _moved_to_held(stop, fix, th):
            # The held fix was no bad position: the vehicle had moved there and stands there still.
            held = stop["held"]
            moved = replace(fix, ts=from_iso(held["ts"]), lon=held["lon"], lat=held["lat"], speed_kmh=held["speed_kmh"])
            events.extend(self._ended({**stop, "held": None}, moved, th))
            stop = _new_stop(moved, None, th)
            stop.update(last_fix_ts=to_iso(fix.ts), last_lon=fix.lon, last_lat=fix.lat, fixes=2,
                        sum_lon=stop["sum_lon"] + fix.lon, sum_lat=stop["sum_lat"] + fix.lat, standing=True)
        else:
            events.extend(self._ended(stop, fix, th))
            stop = _new_stop(fix, before, th)

        if (not stop["raised"] and stop["authorised_by"] is None and stop["last_fix_ts"] == to_iso(fix.ts)
                and seconds_between(stop["start_ts"], stop["last_fix_ts"]) >= _needed_s(stop, th)):
            stop["raised"] = True
            events.append(AlertRaised(self.type, fix.ts, self._evidence(stop, fix.device_id), key=fix.device_id))
        last = {**state.get("last", {}), fix.device_id: _seen(fix)}
        return {**state, "devices": {**state["devices"], fix.device_id: stop}, "last": last}, events

    def _ended(self, stop: dict[str, Any], fix: EnrichedFix, th: DetectionThresholds) -> list[Event]:
        """The stop is over at this fix: resolve it, or raise and resolve it if only its estimated end shows 15 min."""
        end = {"end_ts": stop["last_fix_ts"], "moved_ts": to_iso(fix.ts)}
        if stop["raised"]:
            return [AlertResolved(self.type, fix.ts, {**self._evidence(stop, fix.device_id), **end}, key=fix.device_id)]
        ended = _ended_ts(stop, fix, th)
        if stop["authorised_by"] is not None or seconds_between(stop["start_ts"], ended) < _needed_s(stop, th, ended):
            return []
        evidence = {**self._evidence(stop, fix.device_id), "estimated_end_ts": ended,
                    "estimated_duration_s": seconds_between(stop["start_ts"], ended)}
        return [AlertRaised(self.type, fix.ts, evidence, key=fix.device_id),
                AlertResolved(self.type, fix.ts, {**evidence, **end}, key=fix.device_id)]

    @staticmethod
    def _evidence(stop: dict[str, Any], device_id: str) -> dict[str, Any]:
        return {
            "device_id": device_id,
            "lon": stop["sum_lon"] / stop["fixes"], "lat": stop["sum_lat"] / stop["fixes"],
            "start_ts": stop["start_ts"], "anchor_ts": stop.get("anchor_ts", stop["start_ts"]),
            "last_fix_ts": stop["last_fix_ts"],
            "duration_s": seconds_between(stop["start_ts"], stop["last_fix_ts"]),
            "fixes": stop["fixes"],
        }

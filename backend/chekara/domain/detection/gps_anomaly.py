"""GPS anomaly: a fix that implies an impossible jump from the device's track.

The implied speed is the great-circle distance from the device's previous
*accepted* fix divided by the time between them; above anomaly_speed_kmh
(strictly: "> 180 km/h") the fix is anomalous. The pipeline calls screen()
(on_fix and is_anomalous() in one) to flag the fix and keeps anomalous fixes
away from the other detectors, so a jump never moves the convoy.

- The first fix of a device is accepted: there is nothing to compare it with.
- The time step is floored at anomaly_min_dt_s (1 s): a repeated timestamp at
  the same point is speed 0 (accepted), at 1 km away it is 3600 km/h.
- Re-anchoring: if the reference itself was wrong, every later good fix would
  look like a jump. When anomaly_reanchor_fixes consecutive fixes agree with
  each other but not with the reference, the last is accepted (see
  DetectionThresholds).
- Alerts: one per burst and device (key = device id), and only for a burst
  no receiver error explains. Multipath (a reflection off a gorge wall or a
  truck) puts single fixes tens to hundreds of metres off; at 10 s between
  fixes 500 m is already "over 180 km/h". Such a fix is flagged and kept
  from the other detectors, but an operator is alerted only when a fix of
  the burst lies at least anomaly_alert_offset_m (1 km) from where the
  device can have been:
  - at once, when its jump exceeds the distance the device could cover at
    anomaly_speed_kmh by that much (a jump of kilometres);
  - otherwise when the burst ends: the next accepted fix tells where the
    device really was, and each fix of the burst is measured against the
    straight line between the fixes before and after it (one reporting
    interval later than at once; a re-anchored burst, where the reference
    was the wrong fix, raises nothing).
  Later anomalous fixes of the burst only update the open alert's count and
  maxima; the next accepted fix resolves it.

The "fix more than 5 min in the future" rule of DESIGN.md needs the wall
clock and belongs to the validate step, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .geo import haversine_m
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


@dataclass(frozen=True)
class _Assessment:
    anomalous: bool
    implied_speed_kmh: float
    jump_m: float
    dt_s: float
    reanchored: bool
    agrees_with_last_rejected: bool


def _point(fix: EnrichedFix) -> dict[str, Any]:
    return {"ts": to_iso(fix.ts), "lon": fix.lon, "lat": fix.lat}


def _implied(ref: dict[str, Any], fix: EnrichedFix, th: DetectionThresholds) -> tuple[float, float, float]:
    """(implied_speed_kmh, jump_m, dt_s) from a stored point to the fix."""
    jump_m = haversine_m(ref["lon"], ref["lat"], fix.lon, fix.lat)
    dt_s = seconds_between(ref["ts"], fix.ts)
    return jump_m / max(dt_s, th.anomaly_min_dt_s) * 3.6, jump_m, dt_s


def _assess(device: dict[str, Any] | None, fix: EnrichedFix, th: DetectionThresholds) -> _Assessment:
    if device is None:
        return _Assessment(False, 0.0, 0.0, 0.0, False, False)
    speed, jump_m, dt_s = _implied(device["ref"], fix, th)
    if speed <= th.anomaly_speed_kmh:
        return _Assessment(False, speed, jump_m, dt_s, False, False)
    last = device["chain_last"]
    agrees = last is not None and _implied(last, fix, th)[0] <= th.anomaly_speed_kmh
    if agrees and device["chain_len"] + 1 >= th.anomaly_reanchor_fixes:
        return _Assessment(False, speed, jump_m, dt_s, True, True)
    return _Assessment(True, speed, jump_m, dt_s, False, agrees)


#: At most this many fixes of a burst are kept to be measured when it ends.
_BURST_POINTS = 6


def _beyond_reach_m(verdict: _Assessment, th: DetectionThresholds) -> float:
    """How far the fix lies beyond anywhere the device could have driven at anomaly_speed_kmh, metres."""
    return verdict.jump_m - th.anomaly_speed_kmh / 3.6 * max(verdict.dt_s, th.anomaly_min_dt_s)


def _off_track_m(ref: dict[str, Any], after: EnrichedFix, point: dict[str, Any]) -> float:
    """Distance of a burst fix from the straight line between the fixes before and after the burst, metres."""
    span = seconds_between(ref["ts"], after.ts)
    share = seconds_between(ref["ts"], point["ts"]) / span if span > 0 else 0.0
    lon = ref["lon"] + (after.lon - ref["lon"]) * share
    lat = ref["lat"] + (after.lat - ref["lat"]) * share
    return haversine_m(lon, lat, point["lon"], point["lat"])


def is_anomalous(state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> bool:
    """True when the fix is an impossible jump from the device's accepted track."""
    return _assess(state["devices"].get(fix.device_id), fix, thresholds).anomalous


class GpsAnomalyDetector:
    """Flags impossible jumps; sees every fix, anomalous or not."""

    type = "gps_anomaly"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        new_state, events, _ = self.screen(state, fix, thresholds)
        return new_state, events

    def screen(self, state: State, fix: EnrichedFix,
               thresholds: DetectionThresholds) -> tuple[State, list[Event], bool]:
        """on_fix and is_anomalous in one: (new state, events, whether the fix is anomalous).

        The pipeline asks both of every fix; one assessment serves them (it is the detector's
        distance and time arithmetic, done twice per fix on the ingest path before)."""
        device = state["devices"].get(fix.device_id)
        verdict = _assess(device, fix, thresholds)
        if verdict.anomalous:
            new_device, events = self._reject(device, fix, verdict, thresholds)
        else:
            new_device, events = self._accept(device, fix, verdict, thresholds)
        return {**state, "devices": {**state["devices"], fix.device_id: new_device}}, events, verdict.anomalous

    def _accept(self, device: dict[str, Any] | None, fix: EnrichedFix, verdict: _Assessment,
                th: DetectionThresholds) -> tuple[dict[str, Any], list[Event]]:
        """The fix becomes the reference; an open burst ends (and raises now if it was far off the track)."""
        events: list[Event] = []
        opened = device["open"] if device is not None else None
        if opened is not None and not opened.get("raised", True) and not verdict.reanchored:
            off_m = max(_off_track_m(device["ref"], fix, p) for p in opened["points"])
            if off_m >= th.anomaly_alert_offset_m:
                events.append(AlertRaised(self.type, fix.ts, {**opened["raise_evidence"],
                                                                "off_track_m": round(off_m, 1)}, key=fix.device_id))
                opened = {**opened, "raised": True}
        if opened is not None and opened.get("raised", True):
            summary = {k: v for k, v in opened.items() if k not in ("raised", "points", "raise_evidence")}
            events.append(AlertResolved(self.type, fix.ts, {
                **summary, "device_id": fix.device_id, "resumed_ts": to_iso(fix.ts),
                "reanchored": verdict.reanchored}, key=fix.device_id))
        return {"ref": _point(fix), "chain_last": None, "chain_len": 0, "open": None}, events

    def _reject(self, device: dict[str, Any], fix: EnrichedFix, verdict: _Assessment,
                th: DetectionThresholds) -> tuple[dict[str, Any], list[Event]]:
        """The reference stays; a burst raises at its first fix beyond any receiver error, the others count."""
        speed = round(verdict.implied_speed_kmh, 1)
        jump_m = round(verdict.jump_m, 1)
        opened = device["open"]
        events: list[Event] = []
        if opened is None:
            ref = device["ref"]
            opened = {"first_fix_ts": to_iso(fix.ts), "last_fix_ts": to_iso(fix.ts), "anomalous_fixes": 1,
                      "max_implied_speed_kmh": speed, "max_jump_m": jump_m, "raised": False, "points": [],
                      "raise_evidence": {
                          "device_id": fix.device_id, "role": fix.role, "implied_speed_kmh": speed, "jump_m": jump_m,
                          "dt_s": verdict.dt_s, "lon": fix.lon, "lat": fix.lat, "first_fix_ts": to_iso(fix.ts),
                          "prev_fix_ts": ref["ts"], "prev_lon": ref["lon"], "prev_lat": ref["lat"]}}
        else:
            opened = {**opened, "last_fix_ts": to_iso(fix.ts), "anomalous_fixes": opened["anomalous_fixes"] + 1,
                      "max_implied_speed_kmh": max(opened["max_implied_speed_kmh"], speed),
                      "max_jump_m": max(opened["max_jump_m"], jump_m)}
        if not opened.get("raised", True):
            if _beyond_reach_m(verdict, th) >= th.anomaly_alert_offset_m:
                events.append(AlertRaised(self.type, fix.ts, opened["raise_evidence"], key=fix.device_id))
                opened = {**opened, "raised": True}
            else:
                opened = {**opened, "points": [*opened["points"], _point(fix)][-_BURST_POINTS:]}
        chain_len = device["chain_len"] + 1 if verdict.agrees_with_last_rejected else 1
        return {"ref": device["ref"], "chain_last": _point(fix), "chain_len": chain_len, "open": opened}, events

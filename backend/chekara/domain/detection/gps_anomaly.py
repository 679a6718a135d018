"""GPS anomaly: a fix that implies an impossible jump from the device's track.

The implied speed is the great-circle distance from the device's previous
*accepted* fix divided by the time between them; above anomaly_speed_kmh
(strictly: "> 180 km/h") the fix is anomalous. The pipeline calls
is_anomalous() to flag the fix and keeps anomalous fixes away from the other
detectors, so a jump never moves the convoy.

- The first fix of a device is accepted: there is nothing to compare it with.
- The time step is floored at anomaly_min_dt_s (1 s): a repeated timestamp at
  the same point is speed 0 (accepted), at 1 km away it is 3600 km/h.
- Re-anchoring: if the reference itself was wrong, every later good fix would
  look like a jump. When anomaly_reanchor_fixes consecutive fixes agree with
  each other but not with the reference, the last is accepted (see
  DetectionThresholds).
- Alerts: one per burst and device (key = device id). The first anomalous fix
  raises; later anomalous fixes of the burst only update the open alert's
  count and maxima; the next accepted fix resolves it.

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


def is_anomalous(state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> bool:
    """True when the fix is an impossible jump from the device's accepted track."""
    return _assess(state["devices"].get(fix.device_id), fix, thresholds).anomalous


class GpsAnomalyDetector:
    """Flags impossible jumps; sees every fix, anomalous or not."""

    type = "gps_anomaly"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        device = state["devices"].get(fix.device_id)
        verdict = _assess(device, fix, thresholds)
        if verdict.anomalous:
            new_device, events = self._reject(device, fix, verdict)
        else:
            new_device, events = self._accept(device, fix, verdict)
        return {**state, "devices": {**state["devices"], fix.device_id: new_device}}, events

    def _accept(self, device: dict[str, Any] | None, fix: EnrichedFix,
                verdict: _Assessment) -> tuple[dict[str, Any], list[Event]]:
        """The fix becomes the reference; an open burst ends."""
        events: list[Event] = []
        if device is not None and device["open"] is not None:
            events.append(AlertResolved(self.type, fix.ts, {
                **device["open"], "device_id": fix.device_id, "resumed_ts": to_iso(fix.ts),
                "reanchored": verdict.reanchored}, key=fix.device_id))
        return {"ref": _point(fix), "chain_last": None, "chain_len": 0, "open": None}, events

    def _reject(self, device: dict[str, Any], fix: EnrichedFix,
                verdict: _Assessment) -> tuple[dict[str, Any], list[Event]]:
        """The reference stays; the first rejected fix of a burst raises, the others count."""
        speed = round(verdict.implied_speed_kmh, 1)
        jump_m = round(verdict.jump_m, 1)
        opened = device["open"]
        events: list[Event] = []
        if opened is None:
            opened = {"first_fix_ts": to_iso(fix.ts), "last_fix_ts": to_iso(fix.ts), "anomalous_fixes": 1,
                      "max_implied_speed_kmh": speed, "max_jump_m": jump_m}
            ref = device["ref"]
            events.append(AlertRaised(self.type, fix.ts, {
                "device_id": fix.device_id, "role": fix.role, "implied_speed_kmh": speed, "jump_m": jump_m,
                "dt_s": verdict.dt_s, "lon": fix.lon, "lat": fix.lat, "first_fix_ts": to_iso(fix.ts),
                "prev_fix_ts": ref["ts"], "prev_lon": ref["lon"], "prev_lat": ref["lat"],
            }, key=fix.device_id))
        else:
            opened = {**opened, "last_fix_ts": to_iso(fix.ts), "anomalous_fixes": opened["anomalous_fixes"] + 1,
                      "max_implied_speed_kmh": max(opened["max_implied_speed_kmh"], speed),
                      "max_jump_m": max(opened["max_jump_m"], jump_m)}
        chain_len = device["chain_len"] + 1 if verdict.agrees_with_last_rejected else 1
        return {"ref": device["ref"], "chain_last": _point(fix), "chain_len": chain_len, "open": opened}, events

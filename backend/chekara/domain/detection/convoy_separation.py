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
- the first measurement back within separation_m resolves it, when it is
  clearly back (within separation_m - separation_rejoin_margin_m, 1.5 km);
  one just under 2 km is held until the next: a multipath fix (1 % of
  fixes, up to 800 m off) moves a single measurement that much. And an
  escort phone's clock may be off by separation_clock_error_s (30 s): while
  the escort moves at v, its position is uncertain by v x 30 s (670 m at
  80 km/h), so a separation goes on until the measurement is back under
  2 km by more than that. A separation begins only above 2 km.

What a sparse tracker can show: a truck reporting every 300 s is compared
with its escort only around its own fixes, and a separation of 5.5 min may
lie between two of them; its last fix, up to 30 s old, is also off by up to
700 m at speed. So when a vehicle's fix comes more than
separation_max_fix_age_s after its previous one (and at most
separation_max_interp_s after it), the vehicle is sparse: the escort's
fixes are not measured against its stale fix as they come, but when its
next fix comes, against its position interpolated in time between its two
fixes (the escort's fixes say where the escort was). The events are then
the vehicle fix's, one reporting interval after the measurement, which is
when the platform can know.

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
from .timestamps import iso_of_micros, micros, seconds_between, to_iso

#: An escort's track (kept for a sparse vehicle's interpolation, in the trip's stored state) keeps at most one
#: fix per this many seconds besides the newest: a phone at 1 Hz would otherwise keep 360 fixes (36 kB of state
#: per trip, read and written on every ingest group). The escort is measured only at its kept fixes, so a
#: separation is seen at most this much later and ends at most this much earlier; the positions are exact.
ESCORT_TRACK_STEP_S = 10.0
#: Decimals of a kept fix's speed, km/h (a float's noise, "60.00000000000001", was a fifth of a kept fix's text).
TRACK_SPEED_DECIMALS = 2


def _kept_fix(ts_us: int, lon: float, lat: float, speed_kmh: float | None) -> list:
    """An escort fix as its track stores it: [ts (microseconds since 1970, UTC), lon, lat, speed km/h or None].

    A list of numbers, not an object with an ISO time: a phone at 10 s keeps 37 of them, and the trip's
    state is read and written on every ingest group (keys and ISO texts were half of the track's JSON)."""
    return [ts_us, lon, lat, None if speed_kmh is None else round(speed_kmh, TRACK_SPEED_DECIMALS)]


def _stored_track(track: list) -> list[list]:
    """A track in the stored form. A state written before it kept objects ({"ts": ISO, "lon", "lat",
    "speed_kmh"}), or lists with an ISO time: a trip in transit across the upgrade goes on from them.
    A track is written whole in one form, so its first fix tells (the rest are not looked at on every fix)."""
    if not track or (isinstance(track[0], list) and not isinstance(track[0][0], str)):
        return track
    if isinstance(track[0], dict):
        return [[micros(p["ts"]), p["lon"], p["lat"], p.get("speed_kmh")] for p in track]
    return [[micros(p[0]), *p[1:]] for p in track]


def _escort_fix(entry: list) -> dict[str, Any]:
    """A kept fix as the measurement reads an escort's position."""
    ts_us, lon, lat, speed_kmh = entry
    return {"role": "escort", "ts": iso_of_micros(ts_us), "lon": lon, "lat": lat, "speed_kmh": speed_kmh}


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


def _clock_error_m(escort: dict[str, Any], th: DetectionThresholds) -> float:
    """How far off a moving escort's position may be for its phone's clock error, metres (0 standing or unknown)."""
    speed = escort.get("speed_kmh")
    return 0.0 if speed is None else speed / 3.6 * th.separation_clock_error_s


def _interpolated(before: dict[str, Any], after: dict[str, Any], ts: str) -> dict[str, Any]:
    """The vehicle's position at ts on the straight line between two of its fixes."""
    span = seconds_between(before["ts"], after["ts"])
    share = seconds_between(before["ts"], ts) / span if span > 0 else 1.0
    return {"role": "vehicle", "ts": ts, "lon": before["lon"] + (after["lon"] - before["lon"]) * share,
            "lat": before["lat"] + (after["lat"] - before["lat"]) * share}


def _escort_at(track: list[list], ts: str, max_age_s: float) -> dict[str, Any] | None:
    """The escort's kept fix nearest in time to ts, if within max_age_s."""
    at_us = micros(ts)
    best = min(track, key=lambda p: abs(p[0] - at_us), default=None)
    return _escort_fix(best) if best is not None and abs(best[0] - at_us) / 1_000_000 <= max_age_s else None


def _kept_track(track: list[list], point: list, max_age_s: float) -> list[list]:
    """The escort's track with its newest fix: the last max_age_s, one fix per ESCORT_TRACK_STEP_S and the newest.

    The fix before the newest stays only if it is at least ESCORT_TRACK_STEP_S after the one before it,
    so a phone at 10-15 s keeps every fix and one at 1 Hz keeps one in ten (37 fixes over 360 s).
    """
    # One bound for the whole track (a 1 Hz phone keeps ~37 fixes, each compared with every new one).
    oldest = point[0] - round(max_age_s * 1_000_000)
    kept = [p for p in track if p[0] >= oldest]
    if len(kept) >= 2 and (kept[-1][0] - kept[-2][0]) / 1_000_000 < ESCORT_TRACK_STEP_S:
        kept.pop()
    kept.append(point)
    return kept


class ConvoySeparationDetector:
    type = "convoy_separation"

    def initial_state(self) -> State:
        return {"devices": {}, "separations": {}, "escort_tracks": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        th = thresholds
        now_ts = to_iso(fix.ts)
        previous = state["devices"].get(fix.device_id)
        gap_s = seconds_between(previous["ts"], now_ts) if previous is not None else 0.0
        # A vehicle reporting less often than every separation_max_fix_age_s is measured between its fixes.
        here = {"role": fix.role, "ts": now_ts, "lon": fix.lon, "lat": fix.lat, "speed_kmh": fix.speed_kmh,
                "sparse": fix.role == "vehicle" and th.separation_max_fix_age_s < gap_s <= th.separation_max_interp_s}
        devices = {**state["devices"], fix.device_id: here}
        separations = dict(state["separations"])
        tracks = {k: _stored_track(v) for k, v in state.get("escort_tracks", {}).items()}
        events: list[Event] = []
        if fix.role == "escort":
            tracks[fix.device_id] = _kept_track(
                tracks.get(fix.device_id, []), _kept_fix(micros(fix.ts), fix.lon, fix.lat, fix.speed_kmh),
                th.separation_max_interp_s)
            vehicle_ids = sorted(i for i, d in devices.items()
                                 if d["role"] == "vehicle" and not d.get("sparse")
                                 and seconds_between(d["ts"], now_ts) <= th.separation_max_fix_age_s)
        else:
            vehicle_ids = [fix.device_id]
            if here["sparse"]:
                # From the previous fix itself if it was sparse too (the escort's fixes since were not measured).
                after_s = 0.0 if previous.get("sparse") else th.separation_max_fix_age_s
                events += self._between(separations, tracks, fix, previous, here, after_s, th)
        for vehicle_id in vehicle_ids:
            vehicle = devices[vehicle_id]
            nearest = _nearest_escort(devices, vehicle, now_ts, th.separation_max_fix_age_s)
            if nearest is not None:
                escort_id, distance_m = nearest
                events += self._measure(separations, vehicle_id, now_ts, distance_m, escort_id, vehicle,
                                        devices[escort_id], fix, th)
        return {**state, "devices": devices, "separations": separations, "escort_tracks": tracks}, events

    def _between(self, separations: dict[str, Any], tracks: dict[str, list], fix: EnrichedFix,
                 before: dict[str, Any], after: dict[str, Any], after_s: float,
                 th: DetectionThresholds) -> list[Event]:
        """The escorts' fixes more than after_s after a sparse vehicle's previous fix and before this one,
        measured against its interpolated track."""
        events: list[Event] = []
        before_us, after_us = micros(before["ts"]), micros(after["ts"])
        times = sorted({p[0] for track in tracks.values() for p in track
                        if (p[0] - before_us) / 1_000_000 > after_s and p[0] < after_us})
        for ts_us in times:
            ts = iso_of_micros(ts_us)
            vehicle = _interpolated(before, after, ts)
            best: tuple[str, float, dict[str, Any]] | None = None
            for escort_id, track in sorted(tracks.items()):
                escort = _escort_at(track, ts, th.separation_max_fix_age_s)
                if escort is None:
                    continue
                d = haversine_m(vehicle["lon"], vehicle["lat"], escort["lon"], escort["lat"])
                if best is None or d < best[1]:
                    best = (escort_id, d, escort)
            if best is not None:
                events += self._measure(separations, fix.device_id, ts, best[1], best[0], vehicle, best[2], fix, th)
        return events

    def _measure(self, separations: dict[str, Any], vehicle_id: str, now_ts: str, distance_m: float,
                 escort_id: str, vehicle: dict[str, Any], escort: dict[str, Any], fix: EnrichedFix,
                 th: DetectionThresholds) -> list[Event]:
        """One measurement of a vehicle against its nearest escort at now_ts; events carry the fix's time."""
        sep = separations.get(vehicle_id)
        # Within what the phone's clock error makes of a moving escort, a separation is not over: it goes on.
        unclear = sep is not None and distance_m > th.separation_m - _clock_error_m(escort, th)
        if distance_m <= th.separation_m and not unclear:
            if sep is not None and not sep.get("held") and distance_m > th.separation_m - th.separation_rejoin_margin_m:
                separations[vehicle_id] = {**sep, "held": True}  # once just under 2 km: a bad fix, or a rejoin?
                return []
            separations.pop(vehicle_id, None)
            if sep is not None and sep["raised"]:
                return [AlertResolved(self.type, fix.ts, {
                    **self._evidence(vehicle_id, sep), "separation_m": round(distance_m, 1),
                    "rejoined_ts": now_ts}, key=vehicle_id)]
            return []
        if sep is None:
            sep = {"first_fix_ts": now_ts, "max_separation_m": distance_m, "raised": False}
        sep = {**sep, "held": False, "last_fix_ts": now_ts, "max_separation_m": max(sep["max_separation_m"], distance_m),
               "separation_m": distance_m, "escort_device_id": escort_id,
               "vehicle_lon": vehicle["lon"], "vehicle_lat": vehicle["lat"],
               "escort_lon": escort["lon"], "escort_lat": escort["lat"]}
        events: list[Event] = []
        if not sep["raised"] and seconds_between(sep["first_fix_ts"], now_ts) >= th.separation_min_s:
            sep["raised"] = True
            events.append(AlertRaised(self.type, fix.ts, {
                **self._evidence(vehicle_id, sep), "separation_m": round(distance_m, 1)}, key=vehicle_id))
        separations[vehicle_id] = sep
        return events

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

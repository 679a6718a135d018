"""Hand-built tracks along a corridor, for the tracking tests (metres and seconds).

    track = TrackBuilder(corridor_coords, start=t0, device_id="TRK-1")
    track.drive(minutes=10, speed_kmh=60).drive(minutes=10, speed_kmh=60, offset_m=3000).drive(minutes=5)
    track.fixes  ->  [{"device_id", "ts", "lat", "lon", "speed_kmh"}, …]
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import LineString, Point

from chekara.domain.geometry import to_lonlat, to_metric


class TrackBuilder:
    def __init__(
        self, coords: list[list[float]], start: datetime, device_id: str, interval_s: float = 20.0,
        start_m: float = 0.0,
    ) -> None:
        self.line_m: LineString = to_metric(LineString(coords))
        self.t = start
        self.progress_m = start_m
        self.device_id = device_id
        self.interval_s = interval_s
        self.fixes: list[dict[str, Any]] = []
        #: Progress along the corridor of each fix, metres.
        self.progress: list[float] = []
        self.extra: dict[str, Any] = {}
        #: Present sideways distance from the corridor, metres; drive() moves it gradually.
        self.offset_m = 0.0
        #: How fast a vehicle can move sideways off the line, km/h (with 60 km/h along it,
        #: the implied speed stays under the 180 km/h GPS-anomaly threshold).
        self.lateral_kmh = 150.0

    def _point(self, progress_m: float, offset_m: float) -> Point:
        here = self.line_m.interpolate(progress_m)
        ahead = self.line_m.interpolate(min(progress_m + 10.0, self.line_m.length))
        if ahead.equals(here):
            ahead, here = here, self.line_m.interpolate(progress_m - 10.0)
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = (dx * dx + dy * dy) ** 0.5
        point = Point(here.x - dy / norm * offset_m, here.y + dx / norm * offset_m)
        return to_lonlat(point)

    def _emit(self, offset_m: float, speed_kmh: float) -> None:
        p = self._point(self.progress_m, offset_m)
        self.progress.append(self.progress_m)
        self.fixes.append({
            "device_id": self.device_id, "ts": self.t.isoformat(), "lat": round(p.y, 7), "lon": round(p.x, 7),
            "speed_kmh": speed_kmh, **self.extra,
        })

    def lonlat_at(self, progress_m: float, offset_m: float = 0.0) -> tuple[float, float]:
        p = self._point(max(progress_m, 0.0), offset_m)
        return round(p.x, 7), round(p.y, 7)

    def drive(self, minutes: float, speed_kmh: float = 60.0, offset_m: float = 0.0) -> "TrackBuilder":
        """Drive along the corridor; the sideways offset moves towards offset_m at lateral_kmh."""
        steps = int(round(minutes * 60 / self.interval_s))
        max_side_step = self.lateral_kmh / 3.6 * self.interval_s
        for _ in range(steps):
            self.t += timedelta(seconds=self.interval_s)
            self.progress_m = min(self.progress_m + speed_kmh / 3.6 * self.interval_s, self.line_m.length)
            change = max(-max_side_step, min(max_side_step, offset_m - self.offset_m))
            self.offset_m += change
            self._emit(self.offset_m, speed_kmh)
        return self

    def stop(self, minutes: float, offset_m: float = 0.0) -> "TrackBuilder":
        steps = int(round(minutes * 60 / self.interval_s))
        for _ in range(steps):
            self.t += timedelta(seconds=self.interval_s)
            self._emit(self.offset_m + offset_m, 0.0)
        return self

    def gap(self, minutes: float) -> "TrackBuilder":
        self.t += timedelta(minutes=minutes)
        return self

    def to_end(self, speed_kmh: float = 80.0) -> "TrackBuilder":
        """Drive to the end of the corridor (into the destination geofence)."""
        remaining = self.line_m.length - self.progress_m
        return self.drive(minutes=remaining / (speed_kmh / 3.6) / 60 + 1, speed_kmh=speed_kmh)

    def jump(self, km: float) -> "TrackBuilder":
        """One fix km kilometres off the track (a GPS jump), then back to normal."""
        self.t += timedelta(seconds=self.interval_s)
        self._emit(self.offset_m + km * 1000, 60.0)
        return self

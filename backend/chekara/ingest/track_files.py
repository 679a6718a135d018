"""Recorded tracks from files: GPX and CSV, as raw fixes for the pipeline (pure: text in, dicts out).

CSV columns (header names, case-insensitive): device_id (or the --device
option), ts / time / timestamp (ISO 8601 or Unix seconds/ms), lat / latitude,
lon / lng / longitude, and optionally speed_kmh, heading_deg, accuracy_m,
battery_pct. Unknown columns are ignored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import gpxpy
import gpxpy.gpx

_ALIASES = {
    "device_id": ("device_id", "device", "id"),
    "ts": ("ts", "time", "timestamp", "datetime"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "speed_kmh": ("speed_kmh",),
    "heading_deg": ("heading_deg", "heading", "bearing"),
    "accuracy_m": ("accuracy_m", "accuracy"),
    "battery_pct": ("battery_pct", "battery"),
}


class TrackFileError(ValueError):
    pass


def gpx_fixes(text: str, device_id: str) -> list[dict[str, Any]]:
    """Every track point (or route point) with a time, in file order."""
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise TrackFileError(f"not a readable GPX file: {exc}") from exc
    fixes = []
    for point in (p for t in gpx.tracks for s in t.segments for p in s.points):
        fix: dict[str, Any] = {
            "device_id": device_id, "ts": point.time.isoformat() if point.time else None,
            "lat": point.latitude, "lon": point.longitude,
        }
        if point.speed is not None:
            fix["speed_kmh"] = point.speed * 3.6  # GPX speed is metres per second
        fixes.append(fix)
    if not fixes:
        raise TrackFileError("the GPX file has no track points")
    return fixes


def csv_fixes(text: str, device_id: str | None = None) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise TrackFileError("the CSV file is empty")
    columns = {name.strip().lower(): name for name in reader.fieldnames}
    mapping = {}
    for field, aliases in _ALIASES.items():
        found = next((columns[a] for a in aliases if a in columns), None)
        if found:
            mapping[field] = found
    missing = [f for f in ("ts", "lat", "lon") if f not in mapping]
    if device_id is None and "device_id" not in mapping:
        missing.append("device_id (or --device)")
    if missing:
        raise TrackFileError(f"the CSV header lacks: {', '.join(missing)}")
    for row in reader:
        fix: dict[str, Any] = {field: row[column] for field, column in mapping.items() if row.get(column) not in (None, "")}
        if device_id is not None:
            fix["device_id"] = device_id
        for field in ("lat", "lon", "speed_kmh", "heading_deg", "accuracy_m", "battery_pct"):
            if field in fix:
                try:
                    fix[field] = float(fix[field])
                except ValueError:
                    pass  # left as text: the pipeline names the field and the reason
        yield fix

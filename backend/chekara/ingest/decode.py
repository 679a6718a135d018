"""Decoding fixes from what devices send (pure: no I/O).

Two wire forms: Chekara's JSON batch (`POST /api/v1/positions`) and the
OsmAnd protocol spoken by Traccar Client and similar phone apps (`/osmand`,
query parameters or a JSON body). Each decoder returns IncomingFix objects or
Rejection objects naming the field and the reason; nothing raises.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chekara.ingest.fixes import IncomingFix, Rejection

if TYPE_CHECKING:
    from chekara.ingest.batch import Batch, IngestContext

#: Knots to km/h: OsmAnd's `speed` is in knots, as Traccar reads it.
KNOTS_TO_KMH = 1.852
#: Unix times above this are milliseconds (year 2286 in seconds).
_MILLISECONDS_FROM = 10_000_000_000

#: Optional numeric fields of a JSON fix: (name, minimum, maximum, unit).
OPTIONAL_FIELDS: tuple[tuple[str, float, float], ...] = (
    ("speed_kmh", 0.0, 400.0),
    ("heading_deg", 0.0, 360.0),
    ("accuracy_m", 0.0, 100_000.0),
    ("altitude_m", -500.0, 9_000.0),
    ("battery_pct", 0.0, 100.0),
)
MAX_DEVICE_ID_LENGTH = 64


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse_timestamp(value: Any, field: str = "ts") -> datetime:
    """ISO 8601 (with a zone, or UTC assumed), or Unix seconds / milliseconds."""
    if isinstance(value, bool):
        raise _Bad(field, "must be an ISO 8601 time or a Unix time")
    if isinstance(value, (int, float)) or (isinstance(value, str) and _is_number(value)):
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise _Bad(field, "is not a valid Unix time")
        if number >= _MILLISECONDS_FROM:
            number /= 1000.0
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise _Bad(field, "is not a valid Unix time") from exc
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise _Bad(field, f"{value!r} is not an ISO 8601 time") from exc
        try:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except (OverflowError, ValueError) as exc:  # 9999-12-31T23:59:59-05:00 is past year 9999 in UTC
            raise _Bad(field, f"{value!r} is outside the years 1..9999 in UTC") from exc
    raise _Bad(field, "must be an ISO 8601 time or a Unix time")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or value is None:
        raise _Bad(field, "must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(field, "must be a number") from exc
    if not math.isfinite(number):
        raise _Bad(field, "must be a finite number (not NaN or infinity)")
    if not low <= number <= high:
        raise _Bad(field, f"{number:g} is outside {low:g}..{high:g}")
    return number


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f]")


def device_key(value: Any) -> str | None:
    """The device id a raw value names, as the decoder reads it (numbers as text, spaces trimmed); None if invalid."""
    try:
        return _device_id(value)
    except _Bad:
        return None


def _device_id(value: Any, field: str = "device_id") -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or not value.strip():
        raise _Bad(field, "is required")
    value = value.strip()
    if len(value) > MAX_DEVICE_ID_LENGTH or _CONTROL_CHARACTER.search(value):
        raise _Bad(field, f"must be 1..{MAX_DEVICE_ID_LENGTH} printable characters")
    return value


def decode_json_fix(index: int, item: Any) -> IncomingFix | Rejection:
    """One element of a JSON batch: {device_id, ts, lat, lon, speed_kmh?, heading_deg?, …}."""
    if not isinstance(item, Mapping):
        return Rejection(index, "fix", "must be a JSON object")
    try:
        for required in ("device_id", "ts", "lat", "lon"):
            if item.get(required) is None:
                raise _Bad(required, "is required")
        optional = {
            name: _number(item[name], name, low, high)
            for name, low, high in OPTIONAL_FIELDS
            if item.get(name) is not None
        }
        return IncomingFix(
            index=index,
            device_id=_device_id(item["device_id"]),
            ts=parse_timestamp(item["ts"]),
            lat=_number(item["lat"], "lat", -90.0, 90.0),
            lon=_number(item["lon"], "lon", -180.0, 180.0),
            **optional,
        )
    except _Bad as bad:
        return Rejection(index, bad.field, bad.reason)


def decode_osmand_query(params: Mapping[str, str]) -> IncomingFix | Rejection:
    """OsmAnd query parameters: id, lat, lon, timestamp, speed (knots), bearing, altitude, accuracy, batt.

    `deviceid` is accepted for `id`, and `location=lat,lon` for lat/lon, as Traccar does.
    """
    try:
        device = params.get("id") or params.get("deviceid")
        if not device:
            raise _Bad("id", "is required")
        lat, lon = params.get("lat"), params.get("lon")
        if (lat is None or lon is None) and params.get("location"):
            parts = params["location"].split(",")
            if len(parts) != 2:
                raise _Bad("location", "must be 'lat,lon'")
            lat, lon = parts
        if lat is None:
            raise _Bad("lat", "is required")
        if lon is None:
            raise _Bad("lon", "is required")
        fix = IncomingFix(
            index=0,
            device_id=_device_id(device, "id"),
            ts=parse_timestamp(params["timestamp"], "timestamp") if params.get("timestamp") else datetime.now(UTC),
            lat=_number(lat, "lat", -90.0, 90.0),
            lon=_number(lon, "lon", -180.0, 180.0),
        )
        if params.get("speed") not in (None, ""):
            fix.speed_kmh = _number(params["speed"], "speed", 0.0, 400.0 / KNOTS_TO_KMH) * KNOTS_TO_KMH
        for source, target, low, high in (
            ("bearing", "heading_deg", 0.0, 360.0),
            ("heading", "heading_deg", 0.0, 360.0),
            ("altitude", "altitude_m", -500.0, 9_000.0),
            ("accuracy", "accuracy_m", 0.0, 100_000.0),
            ("batt", "battery_pct", 0.0, 100.0),
        ):
            if params.get(source) not in (None, ""):
                setattr(fix, target, _number(params[source], source, low, high))
        return fix
    except _Bad as bad:
        return Rejection(0, bad.field, bad.reason)


def _mapping(value: Any) -> Mapping[str, Any]:
    """A JSON object, or an empty one for anything else (the fields it lacks are then named as missing)."""
    return value if isinstance(value, Mapping) else {}


def osmand_json_to_query(body: Mapping[str, Any]) -> dict[str, str]:
    """The JSON variant (Traccar Client 8+): {device_id, location: {timestamp, coords: {…}, battery: {level}}}.

    Flattened to the query form so one decoder reads both. battery.level is a 0..1 fraction.
    """
    location = _mapping(body.get("location"))
    coords = _mapping(location.get("coords"))
    battery = _mapping(location.get("battery"))
    flat: dict[str, Any] = {
        "id": body.get("device_id"),
        "timestamp": location.get("timestamp"),
        "lat": coords.get("latitude"),
        "lon": coords.get("longitude"),
        "accuracy": coords.get("accuracy"),
        "altitude": coords.get("altitude"),
        "bearing": coords.get("heading"),
    }
    # The JSON variant reports speed in metres per second; the query form in knots.
    if coords.get("speed") is not None:
        try:
            flat["speed"] = max(float(coords["speed"]), 0.0) * 3.6 / KNOTS_TO_KMH
        except (TypeError, ValueError):
            flat["speed"] = coords["speed"]
    if battery.get("level") is not None:
        try:
            flat["batt"] = float(battery["level"]) * 100.0
        except (TypeError, ValueError):
            flat["batt"] = battery["level"]
    if isinstance(flat["bearing"], (int, float)) and flat["bearing"] < 0:
        flat["bearing"] = None  # -1 means unknown in the JSON variant
    return {k: str(v) for k, v in flat.items() if v is not None}


def decode_step(batch: "Batch", ctx: "IngestContext") -> "Batch":
    """Pipeline step: each raw item of each submission becomes a fix or a rejection."""
    for number, submission in enumerate(batch.submissions):
        decoder = submission.decode or decode_json_fix
        for index, item in enumerate(submission.raw):
            outcome = decoder(index, item)
            outcome.index = index
            outcome.submission = number
            if isinstance(outcome, Rejection):
                batch.rejected.append(outcome)
            else:
                batch.fixes.append(outcome)
    return batch

"""Closed months of positions as GeoParquet: one file a UTC day, a manifest, and a content checksum.

Layout under the archive folder (CHEKARA_ARCHIVE_DIR)::

    positions/2026-10/2026-10-05.parquet   one day's fixes (GeoParquet 1.1, WKB points in EPSG:4326,
                                           a bbox covering column; written by geopandas/pyarrow)
    positions/2026-10/manifest.json        per day: file, rows, the file's SHA-256, its content digest

Each row is a fix with what a reader needs without the database: the device's own id, the trip,
the res-9 H3 cell, the corridor distance, and ``dwell_ms``, the time to the device's next fix
(capped as the rollups cap it), computed at export so the archive's dwell equals the rollups'.
Rows are sorted by trip, device and time in row groups of 50,000, so reading one trip skips
most of a file.

The *content digest* is a SHA-256 over every row's values in id order (hashed column by column
with pandas' stable hash), computed the same way from the rows read out of the database and
from the rows read back from the files: equal digests mean the files hold exactly those rows.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from chekara.domain.analytics.dwell import DWELL_CAP_S
from chekara.domain.archive.months import month_label

#: The archive's columns (besides the geometry), in file order, with their Arrow types.
SCHEMA = pa.schema([
    ("id", pa.int64()), ("device_ref", pa.int32()), ("device", pa.string()), ("trip_id", pa.int32()),
    ("ts", pa.timestamp("us", tz="UTC")), ("received_at", pa.timestamp("us", tz="UTC")),
    ("speed_kmh", pa.float64()), ("heading_deg", pa.float64()), ("accuracy_m", pa.float64()),
    ("altitude_m", pa.float64()), ("battery_pct", pa.float64()), ("h3_r9", pa.int64()),
    ("corridor_distance_m", pa.float64()), ("stop_zone_id", pa.int32()), ("checkpoint_id", pa.int32()),
    ("anomaly", pa.bool_()), ("dwell_ms", pa.int64()),
])
ROW_GROUP_ROWS = 50_000
MANIFEST = "manifest.json"
#: A day file's columns: SCHEMA and the fix's lon/lat (the geometry is made from them).
_FILE_SCHEMA = pa.schema([*SCHEMA, ("lon", pa.float64()), ("lat", pa.float64())])

_CSV_TYPES = {f.name: (pa.int64() if pa.types.is_timestamp(f.type) else f.type) for f in SCHEMA} | {
    "lon": pa.float64(), "lat": pa.float64()}
_CSV_COLUMNS = [*(f.name for f in SCHEMA), "lon", "lat"]

# One day (and the next DWELL_CAP_S, for the last fixes' next fix), as CSV: fast to read into Arrow.
_DAY_COPY = """
COPY (
    SELECT p.id, p.device_id, d.device_id, p.trip_id,
           (EXTRACT(EPOCH FROM p.ts) * 1000000)::bigint, (EXTRACT(EPOCH FROM p.received_at) * 1000000)::bigint,
           p.speed_kmh, p.heading_deg, p.accuracy_m, p.altitude_m, p.battery_pct, p.h3_r9, p.corridor_distance_m,
           p.stop_zone_id, p.checkpoint_id, p.anomaly,
           CASE WHEN p.next_ts IS NOT NULL
                THEN LEAST((EXTRACT(EPOCH FROM (p.next_ts - p.ts)) * 1000)::bigint, {cap_ms})
                -- no next fix within the reach: a later one, if any, is at least the cap away
                WHEN EXISTS (SELECT 1 FROM positions q WHERE q.device_id = p.device_id AND q.ts >= {reach})
                THEN {cap_ms} END,
           ST_X(p.geom), ST_Y(p.geom)
    FROM (
        SELECT *, lead(ts) OVER (PARTITION BY device_id ORDER BY ts) AS next_ts FROM positions
        WHERE ts >= {start} AND ts < {reach}
    ) p JOIN devices d ON d.id = p.device_id
    WHERE p.ts < {end}
    ORDER BY p.trip_id NULLS LAST, p.device_id, p.ts
) TO STDOUT WITH (FORMAT csv)
"""


@dataclass(frozen=True)
class DayFile:
    day: date
    #: Relative to the month's folder; None for a day without fixes.
    file: str | None
    rows: int
    file_sha256: str | None
    content_sha256: str


def month_folder(root: Path, month: date) -> Path:
    return root / "positions" / month_label(month)


def _literal(instant: datetime) -> str:
    return f"'{instant.astimezone(UTC).isoformat()}'::timestamptz"


def read_day(driver_connection, day: date) -> pa.Table:
    """One UTC day of positions as an Arrow table of SCHEMA plus lon, lat (a psycopg connection)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    sql = _DAY_COPY.format(start=_literal(start), end=_literal(end), reach=_literal(end + timedelta(seconds=DWELL_CAP_S)),
                           cap_ms=int(DWELL_CAP_S * 1000))
    buffer = io.BytesIO()
    with driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for chunk in copy:
            buffer.write(chunk)
    if buffer.tell() == 0:
        return pa.table({c: pa.array([], type=_CSV_TYPES[c]) for c in _CSV_COLUMNS}).cast(_FILE_SCHEMA)
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=_CSV_COLUMNS),
        convert_options=pacsv.ConvertOptions(column_types=_CSV_TYPES, true_values=["t"], false_values=["f"]),
    )
    return table.cast(_FILE_SCHEMA)


def _hash_column(column: pa.ChunkedArray) -> np.ndarray:
    """A stable uint64 per value (nulls apart from every value)."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = column.cast(pa.int64())
    elif pa.types.is_boolean(kind):
        column = column.cast(pa.int8())
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_string(column.type):
        values = pc.fill_null(column, "").to_numpy(zero_copy_only=False).astype(object)
    elif pa.types.is_floating(column.type):
        values = pc.fill_null(column, 0.0).to_numpy(zero_copy_only=False).view(np.uint64)
    else:
        values = pc.fill_null(column.cast(pa.int64()), 0).to_numpy(zero_copy_only=False).view(np.uint64)
    return pd.util.hash_array(values) ^ np.where(valid, np.uint64(0), np.uint64(0x9E3779B97F4A7C15))


def content_digest(table: pa.Table) -> str:
    """SHA-256 over the rows (SCHEMA's columns, then lon and lat) in id order."""
    if table.num_rows == 0:
        return hashlib.sha256(b"").hexdigest()
    table = table.sort_by("id")
    rows = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in _CSV_COLUMNS:
            rows = rows * np.uint64(1_000_003) + _hash_column(table.column(name))
    return hashlib.sha256(rows.tobytes()).hexdigest()


def write_day(table: pa.Table, path: Path) -> str:
    """Write one day as GeoParquet 1.1 (geopandas); returns the file's SHA-256."""
    frame = table.drop_columns(["lon", "lat"]).to_pandas()
    geometry = gpd.points_from_xy(table.column("lon").to_numpy(), table.column("lat").to_numpy(), crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_parquet(path, index=False, schema_version="1.1.0", write_covering_bbox=True,
                   row_group_size=ROW_GROUP_ROWS, compression="zstd")
    return file_sha256(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(path: Path, filters=None) -> pa.Table:
    """A day file back as SCHEMA plus lon, lat (the geometry decoded)."""
    table = pq.read_table(path, filters=filters)
    points = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    table = table.drop_columns([c for c in table.column_names if c not in SCHEMA.names])
    table = table.append_column("lon", pa.array(shapely.get_x(points), pa.float64()))
    table = table.append_column("lat", pa.array(shapely.get_y(points), pa.float64()))
    return table.select(_CSV_COLUMNS).cast(_FILE_SCHEMA)


def write_manifest(folder: Path, month: date, days: list[DayFile], month_digest: str) -> None:
    body = {
        "month": month_label(month), "format": "GeoParquet 1.1", "crs": "EPSG:4326",
        "rows": sum(d.rows for d in days), "content_sha256": month_digest,
        "days": [{"day": d.day.isoformat(), "file": d.file, "rows": d.rows, "file_sha256": d.file_sha256,
                  "content_sha256": d.content_sha256} for d in days],
    }
    (folder / MANIFEST).write_text(json.dumps(body, indent=2))


def read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None


def month_digest(day_digests: list[str]) -> str:
    """The month's digest: SHA-256 over its days' digests in day order."""
    return hashlib.sha256("".join(day_digests).encode()).hexdigest()


def day_files(root: Path, month: date) -> list[Path]:
    """The month's day files that hold fixes, from its manifest (none if it has none)."""
    folder = month_folder(root, month)
    manifest = read_manifest(folder)
    if manifest is None:
        return []
    return [folder / d["file"] for d in manifest["days"] if d["file"]]


def files_between(root: Path, start: datetime, end: datetime) -> list[Path]:
    """The archive's day files (every exported month's) whose day meets [start, end)."""
    from chekara.domain.archive.months import month_of, months_between

    out = []
    first_day, last_instant = start.astimezone(UTC).date(), end.astimezone(UTC) - timedelta(microseconds=1)
    for month in months_between(month_of(start), month_of(last_instant)):
        manifest = read_manifest(month_folder(root, month))
        for day in (manifest or {}).get("days", []):
            if day["file"] and first_day <= date.fromisoformat(day["day"]) <= last_instant.date():
                out.append(month_folder(root, month) / day["file"])
    return out

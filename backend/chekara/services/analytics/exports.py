"""Any analytics result as a file: GeoJSON, CSV or GeoPackage, from one GeoDataFrame.

Every result becomes a GeoDataFrame in EPSG:4326 (one row per cell, stop,
place, period…), then:

- GeoJSON: a FeatureCollection (RFC 7946, lon/lat);
- CSV: the attribute columns, then the geometry as WKT (and lon, lat for points),
  for spreadsheets;
- GeoPackage: one layer, written by geopandas (pyogrio) in memory, for QGIS.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

FORMATS = ("geojson", "csv", "gpkg")
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}


def frame(records: Iterable[Mapping[str, Any]], geometries: Iterable[BaseGeometry | None]) -> gpd.GeoDataFrame:
    """A GeoDataFrame from attribute dicts (all with the same keys) and their geometries."""
    records = list(records)
    geometries = list(geometries)
    columns = list(records[0].keys()) if records else []
    return gpd.GeoDataFrame(
        {c: [r[c] for r in records] for c in columns}, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def _plain(value: Any) -> Any:
    """A JSON- and CSV-friendly value."""
    if value is None or value is pd.NaT:  # pandas turns a missing time into NaT
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _attributes(gdf: gpd.GeoDataFrame) -> list[str]:
    return [c for c in gdf.columns if c != gdf.geometry.name]


def to_geojson(gdf: gpd.GeoDataFrame, **members: Any) -> dict[str, Any]:
    """A FeatureCollection; ``members`` are added beside "features" (the query that made it)."""
    columns = _attributes(gdf)
    features = [
        {
            "type": "Feature",
            "geometry": mapping(geom) if geom is not None else None,
            "properties": {c: _plain(row[c]) for c in columns},
        }
        for (_, row), geom in zip(gdf.iterrows(), gdf.geometry)
    ]
    return {"type": "FeatureCollection", **{k: _plain(v) for k, v in members.items()}, "features": features}


def to_csv(gdf: gpd.GeoDataFrame) -> str:
    columns = _attributes(gdf)
    points = len(gdf) > 0 and all(g is not None and g.geom_type == "Point" for g in gdf.geometry)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*columns, *(("lon", "lat") if points else ()), "geometry_wkt"])
    for (_, row), geom in zip(gdf.iterrows(), gdf.geometry):
        values = ["" if _plain(row[c]) is None else _plain(row[c]) for c in columns]
        lonlat = (round(geom.x, 7), round(geom.y, 7)) if points else ()
        writer.writerow([*values, *lonlat, geom.wkt if geom is not None else ""])
    return out.getvalue()


def to_gpkg(gdf: gpd.GeoDataFrame, layer: str) -> bytes:
    out = io.BytesIO()
    # GeoPackage has no timezone-aware timestamps in every reader: write instants as ISO text (UTC offsets kept).
    plain = gdf.copy()
    for column in _attributes(plain):
        if any(isinstance(v, (datetime, date, Decimal)) or v is pd.NaT for v in plain[column]):
            plain[column] = [_plain(v) for v in plain[column]]
    plain.to_file(out, driver="GPKG", layer=layer, engine="pyogrio")
    return out.getvalue()

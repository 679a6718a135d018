"""Heatmaps over the GeoParquet archive with Dask: the same numbers the rollups gave, from the files alone.

A LocalCluster on this machine by default (workers as processes, no dashboard: offline), or a
running cluster given its scheduler's address; the workers read the day files by path, so on a
cluster the archive folder is shared storage (NFS, a mounted object store). Each partition (a
day file) is reduced on its worker to one row per cell; only those partial sums travel.

- fixes: rows per cell; speed: sum of speeds / fixes with a speed; dwell: sum of ``dwell_ms``
  (each fix's time to its device's next fix, computed at export exactly as the rollups compute
  it) in seconds; trips: distinct (cell, trip) pairs per cell.
- The window is whole UTC hours (chekara.services.analytics.heatmap.hour_window), like the map's.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from datetime import datetime
from pathlib import Path

import dask_geopandas
import geopandas as gpd
import pandas as pd

from chekara.domain.analytics.h3_cells import BASE_RESOLUTION, hexagon
from chekara.services.analytics.heatmap import HeatCell, hour_window

_COLUMNS = ["ts", "h3_r9", "trip_id", "speed_kmh", "dwell_ms"]


@dataclass(frozen=True)
class ArchiveHeatmap:
    metric: str
    res: int
    from_: datetime
    to: datetime
    cells: list[HeatCell]
    files: int
    workers: int


def parent_cells(cells: pd.Series, res: int) -> pd.Series:
    """Each res-9 cell's parent at ``res`` (h3), computed once per distinct cell."""
    if res == BASE_RESOLUTION:
        return cells
    import h3.api.basic_int as h3

    distinct = pd.unique(cells.to_numpy())
    parents = {int(c): int(h3.cell_to_parent(int(c), res)) for c in distinct}
    return cells.map(parents).astype("int64")


def _partial(frame: pd.DataFrame, metric: str, res: int) -> pd.DataFrame:
    """One day file's contribution per cell (runs on a worker)."""
    frame = frame.assign(cell=parent_cells(frame["h3_r9"], res))
    if metric == "trips":
        pairs = frame.loc[frame["trip_id"].notna(), ["cell", "trip_id"]].drop_duplicates()
        return pairs.astype({"trip_id": "int64"})
    grouped = frame.groupby("cell")
    out = pd.DataFrame({
        "fixes": grouped.size(),
        "speed_sum": grouped["speed_kmh"].sum(),
        "speed_fixes": grouped["speed_kmh"].count(),
        "dwell_ms": grouped["dwell_ms"].sum(),
    })
    if metric == "speed":
        out["speed_sum"] = out.index.map(_decimal_sums(frame["cell"], frame["speed_kmh"])).astype(object)
    return out.reset_index()


def _decimal_sums(cells: pd.Series, speeds: pd.Series) -> dict[int, Decimal]:
    """Speeds summed per cell as the rollups sum them: each double as PostgreSQL's float8::numeric
    (15 significant digits), added exactly. A float sum can put a mean on the other side of a 0.0005
    rounding step. Each distinct speed is converted once."""
    known = speeds.notna().to_numpy()
    values = speeds.to_numpy()[known]
    as_decimal = {v: Decimal(format(v, ".15g")) for v in pd.unique(values).tolist()}
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for cell, value in zip(cells.to_numpy()[known].tolist(), values.tolist()):
        sums[cell] += as_decimal[value]
    return sums


def _exact_sum(values: pd.Series) -> Decimal:
    return sum(values.tolist(), Decimal(0))


def _meta(metric: str) -> pd.DataFrame:
    if metric == "trips":
        return pd.DataFrame({"cell": pd.Series(dtype="int64"), "trip_id": pd.Series(dtype="int64")})
    return pd.DataFrame({
        "cell": pd.Series(dtype="int64"), "fixes": pd.Series(dtype="int64"),
        "speed_sum": pd.Series(dtype="object" if metric == "speed" else "float64"),  # Decimal for speed
        "speed_fixes": pd.Series(dtype="int64"), "dwell_ms": pd.Series(dtype="float64"),
    })


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2):
    """A Client on the given scheduler, or on a LocalCluster of ``workers`` single-threaded processes."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="10s") as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit="auto") as cluster, Client(cluster) as client:
        yield client


def archive_heatmap(client, files: list[Path], metric: str, res: int, from_: datetime, to: datetime) -> ArchiveHeatmap:
    """The heatmap of the fixes in ``files`` within [from_, to) (taken out to whole hours), computed on ``client``."""
    start, end = hour_window(from_, to)
    workers = len(client.scheduler_info().get("workers", {}))
    if not files:
        return ArchiveHeatmap(metric, res, start, end, [], 0, workers)
    # dask-geopandas reads the GeoParquet metadata; only the attribute columns are loaded (no geometry decoding).
    frame = dask_geopandas.read_parquet([str(f) for f in files], columns=_COLUMNS,
                                        filters=[("ts", ">=", start), ("ts", "<", end)])
    frame = frame[(frame["ts"] >= pd.Timestamp(start)) & (frame["ts"] < pd.Timestamp(end))]
    partials = frame.map_partitions(_partial, metric, res, meta=_meta(metric))
    if metric == "trips":
        counts = partials.drop_duplicates().groupby("cell").size()
        values = client.compute(counts).result()
        cells = [HeatCell(int(c), int(v)) for c, v in values.sort_index().items()]
    else:
        # The partial sums are one row per cell and file: small enough to add up here, exactly (Decimal speeds).
        parts = client.compute(partials).result()
        totals = parts.groupby("cell").agg({"fixes": "sum", "speed_fixes": "sum", "dwell_ms": "sum",
                                             "speed_sum": _exact_sum if metric == "speed" else "sum"}).sort_index()
        cells = _values(totals, metric)
    return ArchiveHeatmap(metric, res, start, end, cells, len(files), workers)


def _values(totals: pd.DataFrame, metric: str) -> list[HeatCell]:
    if metric == "fixes":
        return [HeatCell(int(c), int(v)) for c, v in totals["fixes"].items()]
    if metric == "dwell":
        return [HeatCell(int(c), round(float(v) / 1000.0, 3)) for c, v in totals["dwell_ms"].items()]
    with_speed = totals[totals["speed_fixes"] > 0]
    return [HeatCell(int(c), round(float(Decimal(total) / int(n)), 3))
            for c, total, n in zip(with_speed.index, with_speed["speed_sum"], with_speed["speed_fixes"])]


def heatmap_frame(result: ArchiveHeatmap) -> gpd.GeoDataFrame:
    """One hexagon per cell with its value, EPSG:4326."""
    from chekara.domain.analytics.h3_cells import cell_hex

    return gpd.GeoDataFrame(
        {"cell": [cell_hex(c.cell) for c in result.cells], "value": [c.value for c in result.cells]},
        geometry=[hexagon(c.cell) for c in result.cells], crs="EPSG:4326",
    )


def write_result(result: ArchiveHeatmap, out: Path) -> None:
    """GeoJSON (.geojson/.json) or GeoParquet 1.1 (.parquet), chosen by the file's suffix."""
    import json

    from chekara.services.analytics.exports import to_geojson

    gdf = heatmap_frame(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        gdf.to_parquet(out, index=False, schema_version="1.1.0", write_covering_bbox=True)
        return
    body = to_geojson(gdf, metric=result.metric, res=result.res, **{"from": result.from_, "to": result.to},
                      source="archive", files=result.files)
    out.write_text(json.dumps(body))


SUFFIXES = (".geojson", ".json", ".parquet")

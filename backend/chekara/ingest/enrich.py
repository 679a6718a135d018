"""Enrich: the trip each fix belongs to, its H3 cell, its distance to the corridor, the zones it is in.

Geometry is measured in Python against cached metric shapes (numpy and
shapely over the whole batch at once), not row by row in the database.
"""

from __future__ import annotations

import h3.api.basic_int as h3
import numpy as np
import shapely

from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.geography import checkpoint_fences, corridor_shape, project
from chekara.ingest.trip_rows import lock_trips_of

#: H3 resolution of every stored fix (edge ~200 m); coarser ones derive by parent cell.
H3_RESOLUTION = 9


def h3_cell(lat: float, lon: float) -> int:
    """The resolution-9 cell as a signed 64-bit integer (H3 indexes never set the top bit)."""
    return int(h3.latlng_to_cell(lat, lon, H3_RESOLUTION))


def _attach_trips(batch: Batch, ctx: IngestContext) -> None:
    by_device = lock_trips_of(ctx.session, {f.device_pk for f in batch.fixes})
    for fix in batch.fixes:
        trip = by_device.get(fix.device_pk)
        if trip is not None:
            fix.trip_id, fix.role = trip.id, trip.roles[fix.device_pk]
            batch.trips[trip.id] = trip


def enrich_step(batch: Batch, ctx: IngestContext) -> Batch:
    if not batch.fixes:
        return batch
    _attach_trips(batch, ctx)
    lon = np.fromiter((f.lon for f in batch.fixes), float, len(batch.fixes))
    lat = np.fromiter((f.lat for f in batch.fixes), float, len(batch.fixes))
    x, y = project(lon, lat)
    for fix, xi, yi in zip(batch.fixes, x, y):
        fix.x_m, fix.y_m = float(xi), float(yi)
        fix.h3_r9 = h3_cell(fix.lat, fix.lon)
    for fix, fence in zip(batch.fixes, checkpoint_fences(ctx.session).zones.first_containing(x, y)):
        if fence is not None:
            fix.checkpoint_id, fix.checkpoint_code = fence.id, fence.name
    # One vectorised measurement for the whole batch: each fix against its own trip's corridor line
    # (shapely takes an array of lines beside the array of points), not a call per corridor or per trip.
    members = [i for i, fix in enumerate(batch.fixes) if fix.trip_id is not None]
    if not members:
        return batch
    shapes = []
    for i in members:
        trip = batch.trips[batch.fixes[i].trip_id]
        shapes.append(corridor_shape(ctx.session, trip.corridor_id, trip.corridor_version))
    lines = np.array([shape.line_m for shape in shapes], dtype=object)
    points = shapely.points(x[members], y[members])
    distances = shapely.distance(lines, points)
    progress = shapely.line_locate_point(lines, points)
    for i, distance, along in zip(members, distances, progress):
        fix = batch.fixes[i]
        fix.corridor_distance_m = float(distance)
        fix.corridor_progress_m = float(along)
    by_corridor: dict[int, list[int]] = {}
    for k, shape in enumerate(shapes):
        by_corridor.setdefault(id(shape), []).append(k)
    for ks in by_corridor.values():
        stop_zones = shapes[ks[0]].stop_zones
        rows = [members[k] for k in ks]
        for i, zone in zip(rows, stop_zones.first_containing(x[rows], y[rows])):
            if zone is not None:
                batch.fixes[i].stop_zone_id, batch.fixes[i].stop_zone_name = zone.id, zone.name
    return batch

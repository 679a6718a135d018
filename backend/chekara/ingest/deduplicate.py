"""Deduplicate: the same fix (device, time) twice is stored once, within a batch and across batches.

A fix with the device and time of another but a position more than CONFLICT_M away is no
duplicate: it is the signature of a second sender (a forged track beside the real one). It is
refused, named in `rejected`, and raises a `fix_conflict` alert with both positions.

The devices of the batch were locked by the validate step (transaction
advisory locks), so a fix stored by a concurrent batch is already visible here.
"""

from __future__ import annotations

from chekara.db import driver
from chekara.domain.detection.geo import haversine_m
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.fixes import IncomingFix
from chekara.services import alerts


#: Two fixes of one device and time further apart than this are a conflict, metres
#: (a re-sent fix is the same to the last digit; rounding moves it by centimetres).
CONFLICT_M = 10.0


def deduplicate_step(batch: Batch, ctx: IngestContext) -> Batch:
    unique: dict[tuple[int, object], IncomingFix] = {}
    conflicts: list[tuple[IncomingFix, float, float, float]] = []  # (fix, kept lon, kept lat, metres apart)
    for fix in sorted(batch.fixes, key=lambda f: (f.device_pk, f.ts)):
        key = (fix.device_pk, fix.ts)
        first = unique.get(key)
        if first is None:
            unique[key] = fix
        elif (apart_m := haversine_m(first.lon, first.lat, fix.lon, fix.lat)) > CONFLICT_M:
            conflicts.append((fix, first.lon, first.lat, apart_m))
        else:
            batch.count_duplicate(fix)
    # One indexed lookup per fix through the unique (device_id, ts) index. The batch's time bounds
    # let the planner keep only the month partitions they span (planning every partition: 5 ms).
    stored: dict[tuple[int, object], tuple[float, float]] = {}
    if unique:
        devices, times = zip(*unique)
        rows = driver.execute(
            ctx.session,
            "SELECT p.device_id, p.ts, ST_X(p.geom), ST_Y(p.geom)"
            " FROM unnest(CAST(%(devices)s AS int[]), CAST(%(times)s AS timestamptz[])) AS b(device_id, ts)"
            " JOIN positions p ON p.device_id = b.device_id AND p.ts = b.ts"
            " WHERE p.ts BETWEEN %(earliest)s AND %(latest)s",
            {"devices": driver.array_literal(devices), "times": driver.array_literal(times),
             "earliest": min(times), "latest": max(times)},
        )
        stored = {(device_id, ts): (lon, lat) for device_id, ts, lon, lat in rows}
    for key, (lon, lat) in stored.items():
        fix = unique[key]
        if (apart_m := haversine_m(lon, lat, fix.lon, fix.lat)) > CONFLICT_M:
            conflicts.append((fix, lon, lat, apart_m))
        else:
            batch.count_duplicate(fix)
    batch.fixes = [fix for key, fix in unique.items() if key not in stored]
    for conflict in conflicts:
        _conflict(batch, ctx, *conflict)
    return batch


def _conflict(batch: Batch, ctx: IngestContext, fix: IncomingFix, lon: float, lat: float, apart_m: float) -> None:
    batch.reject(fix, "ts", f"another fix of this device at this time is {apart_m:,.0f} m away: refused as a second sender")
    alerts.raise_alert(
        ctx.session, type="fix_conflict", subject=f"device:{fix.device_id}", raised_at=ctx.now, device_id=fix.device_id,
        evidence={"ts": fix.ts.isoformat(), "kept": {"lon": lon, "lat": lat},
                  "refused": {"lon": fix.lon, "lat": fix.lat}, "apart_m": round(apart_m, 1)},
    )

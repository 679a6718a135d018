"""Validate: time window, known devices, and a device token only for its own devices."""

from __future__ import annotations

from chekara.ingest.batch import Batch, IngestContext
from chekara.services.devices import devices_by_external_id


def validate_step(batch: Batch, ctx: IngestContext) -> Batch:
    devices = devices_by_external_id(ctx.session, {f.device_id for f in batch.fixes})
    kept = []
    for fix in batch.fixes:
        if fix.ts > ctx.now + ctx.max_future:
            batch.reject(fix, "ts", f"is more than {int(ctx.max_future.total_seconds() // 60)} min in the future")
            continue
        if fix.ts < ctx.now - ctx.max_age:
            batch.reject(fix, "ts", f"is older than the {ctx.max_age.days}-day horizon")
            continue
        device = devices.get(fix.device_id)
        if device is None:
            batch.reject(fix, "device_id", "unknown device: register it first")
            continue
        if ctx.actor.role == "device" and (device.owner is None or device.owner.name != ctx.actor.name):
            batch.reject(fix, "device_id", "this token may not post fixes for that device")
            continue
        fix.device_pk = device.id
        kept.append(fix)
    batch.fixes = kept
    return batch

"""Validate: time window, known devices, and a device token only for its own devices.

The devices' lookup also takes their advisory locks (in pk order, so two batches cannot
deadlock): from here to commit, two batches of one device run one after the other, which
keeps deduplication and detection in order.
"""

from __future__ import annotations

from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.deduplicate import DEVICE_LOCK_NAMESPACE
from chekara.services.devices import reporting_devices


def validate_step(batch: Batch, ctx: IngestContext) -> Batch:
    devices = reporting_devices(ctx.session, {f.device_id for f in batch.fixes}, lock_namespace=DEVICE_LOCK_NAMESPACE)
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
        actor = batch.actor_of(fix)
        if actor.role == "device" and device.owner != actor.name:
            batch.reject(fix, "device_id", "this token may not post fixes for that device")
            continue
        fix.device_pk = device.pk
        kept.append(fix)
    batch.fixes = kept
    return batch

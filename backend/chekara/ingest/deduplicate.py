"""Deduplicate: the same fix (device, time) twice is stored once, within a batch and across batches.

The devices of the batch are locked (transaction advisory locks, in a fixed
order so two batches cannot deadlock): two batches of one device are then
processed one after the other, which keeps both dedupe and detection in order.
"""

from __future__ import annotations

from sqlalchemy import text

from chekara.ingest.batch import Batch, IngestContext

#: Namespace of the per-device advisory locks (first key of the two-key form).
DEVICE_LOCK_NAMESPACE = 0x6366  # "cf"


def deduplicate_step(batch: Batch, ctx: IngestContext) -> Batch:
    for device_pk in sorted({f.device_pk for f in batch.fixes}):
        ctx.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": DEVICE_LOCK_NAMESPACE, "key": device_pk})
    unique: dict[tuple[int, object], object] = {}
    for fix in sorted(batch.fixes, key=lambda f: (f.device_pk, f.ts)):
        key = (fix.device_pk, fix.ts)
        if key in unique:
            batch.duplicates += 1
            continue
        unique[key] = fix
    # One indexed lookup per fix through the unique (device_id, ts) index.
    stored: set[tuple[int, object]] = set()
    if unique:
        devices, times = zip(*unique)
        rows = ctx.session.execute(
            text(
                "SELECT p.device_id, p.ts FROM unnest(CAST(:devices AS int[]), CAST(:times AS timestamptz[])) AS b(device_id, ts)"
                " JOIN positions p ON p.device_id = b.device_id AND p.ts = b.ts"
            ),
            {"devices": list(devices), "times": list(times)},
        )
        stored = {(device_id, ts) for device_id, ts in rows}
    batch.duplicates += len(stored)
    batch.fixes = [fix for key, fix in unique.items() if key not in stored]
    return batch

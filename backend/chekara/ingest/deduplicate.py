"""Deduplicate: the same fix (device, time) twice is stored once, within a batch and across batches.

The devices of the batch were locked by the validate step (transaction
advisory locks), so a fix stored by a concurrent batch is already visible here.
"""

from __future__ import annotations

from sqlalchemy import text

from chekara.ingest.batch import Batch, IngestContext

#: Namespace of the per-device advisory locks (first key of the two-key form).
DEVICE_LOCK_NAMESPACE = 0x6366  # "cf"


def deduplicate_step(batch: Batch, ctx: IngestContext) -> Batch:
    unique: dict[tuple[int, object], object] = {}
    for fix in sorted(batch.fixes, key=lambda f: (f.device_pk, f.ts)):
        key = (fix.device_pk, fix.ts)
        if key in unique:
            batch.count_duplicate(fix)
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
    for key in stored:
        batch.count_duplicate(unique[key])
    batch.fixes = [fix for key, fix in unique.items() if key not in stored]
    return batch


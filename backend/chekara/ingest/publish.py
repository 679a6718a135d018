"""Publish: tell the live pages which convoys moved (sent when the batch commits)."""

from __future__ import annotations

from chekara.ingest.batch import Batch, IngestContext
from chekara.services import events


def publish_step(batch: Batch, ctx: IngestContext) -> Batch:
    moved = sorted({f.trip_id for f in batch.fixes if f.trip_id is not None})
    if moved:
        events.publish(ctx.session, "positions", {"trips": moved[:500], "fixes": len(batch.fixes)})
    return batch

"""Publish: tell the live pages and the live map's snapshots which convoys moved, and where to (sent at commit)."""

from __future__ import annotations

from chekara.ingest.batch import Batch, IngestContext
from chekara.services import events

#: Convoys a positions event names with their position; past this the event says only how many
#: fixes came, and the snapshots reload (a NOTIFY carries at most ~8 kB: about 60 positions).
MAX_POSITIONS = 50


def publish_step(batch: Batch, ctx: IngestContext) -> Batch:
    moved = sorted({f.trip_id for f in batch.fixes if f.trip_id is not None})
    if not moved:
        return batch
    data: dict = {"trips": moved[:500], "fixes": len(batch.fixes)}
    moving = [t for t in batch.trips.values() if t.newest is not None]
    if len(moving) <= MAX_POSITIONS:
        data["at"] = [events.convoy_position(t.id, t.last_fix_at, *t.newest[:4]) for t in moving]
    events.publish(ctx.session, "positions", data)
    return batch

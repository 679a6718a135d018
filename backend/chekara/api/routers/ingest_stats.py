"""What this server process's ingest has done: group commits, and fixes refused for their credentials.

Counted in memory per process (a deployment with several workers answers for the one that takes
the request); refusals are the signature of forgery attempts, for the administrator to watch.
"""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from chekara.api.deps import Admin
from chekara.api.ingest_queue import ingest_queue
from chekara.ingest import validate, written_states

router = APIRouter(prefix="/ingest", tags=["positions"])


class IngestStats(BaseModel):
    process: int = Field(description="the server process that answered")
    groups: int = Field(description="transactions that committed grouped requests")
    submissions: int = Field(description="requests (or import chunks) those groups answered")
    pipeline_s: float = Field(description="seconds spent running and committing the groups")
    refused: dict[str, int] = Field(description="fixes refused for who sent them, by reason")
    parts_offered: int = Field(description="parts of large groups offered to the other server processes")
    parts_done_by_peers: int = Field(description="of those, parts another process ran")
    parts_done_for_peers: int = Field(description="parts of other processes' groups this process ran")
    states_kept_used: int = Field(description="trips' detector states taken from this process's memory, the row "
                                              "still holding what it wrote (ingest/written_states.py)")
    states_read: int = Field(description="trips' detector states read and parsed from their rows")


@router.get("/stats", response_model=IngestStats, summary="This server process's ingest counters (group commit, refusals)")
def ingest_stats(request: Request, _: Admin) -> IngestStats:
    queue, states = ingest_queue(request), written_states.this_process()
    return IngestStats(process=os.getpid(), groups=queue.groups, submissions=queue.submissions,
                       pipeline_s=round(queue.busy_s, 3), refused=dict(validate.refusals),
                       parts_offered=queue.parts_offered, parts_done_by_peers=queue.parts_done_by_peers,
                       parts_done_for_peers=queue.parts_done_for_peers,
                       states_kept_used=states.used, states_read=states.read)

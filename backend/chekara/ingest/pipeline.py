"""The position pipeline. Its steps, in order, are the whole story of a fix:

    decode → validate → deduplicate → enrich → detect → persist → publish

Each step is a plain function step(batch, ctx) -> batch. Enrichment comes
before detection (detectors only read what enrichment computed), detection
before persistence (a fix and the alerts it caused commit together), and
publication last (NOTIFY is delivered at commit). The caller commits: one
transaction per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chekara.ingest.batch import Batch, IngestContext, IngestResult, Submission
from chekara.ingest.decode import decode_step
from chekara.ingest.deduplicate import deduplicate_step
from chekara.ingest.detect import detect_step
from chekara.ingest.enrich import enrich_step
from chekara.ingest.persist import persist_step
from chekara.ingest.publish import publish_step
from chekara.ingest.validate import validate_step

Step = Callable[[Batch, IngestContext], Batch]

STEPS: tuple[Step, ...] = (
    decode_step,
    validate_step,
    deduplicate_step,
    enrich_step,
    detect_step,
    persist_step,
    publish_step,
)

#: Largest batch POST /api/v1/positions takes.
MAX_BATCH = 10_000


def ingest_submissions(submissions: list[Submission], ctx: IngestContext) -> list[IngestResult]:
    """Run every step over the submissions as one batch; one result per submission. Nothing is committed here."""
    batch = Batch(submissions=submissions)
    for step in STEPS:
        batch = step(batch, ctx)
    return batch.results()


def ingest(raw: list[Any], ctx: IngestContext) -> IngestResult:
    """One sender's fixes (ctx.actor, ctx.decode) through every step. Nothing is committed here."""
    return ingest_submissions([Submission(raw, ctx.actor, ctx.decode)], ctx)[0]

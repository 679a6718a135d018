"""The process's group-commit queue (ingest/group_commit.py), started with the app and found by the routes."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from fastapi import FastAPI, Request

from chekara.config import get_settings
from chekara.db.engine import open_session, session_factory
from chekara.ingest.group_commit import IngestQueue, IngestSettings


def start_ingest_queue(app: FastAPI) -> IngestQueue:
    settings = get_settings()
    override = app.dependency_overrides.get(open_session)
    if override is None:
        def sessions():
            return session_factory()()
    else:  # the tests' rolled-back session
        def sessions():
            return nullcontext(override())
    queue = IngestQueue(
        sessions,
        IngestSettings(
            thresholds=settings.detection_thresholds(),
            max_future=timedelta(minutes=5),
            max_age=timedelta(days=settings.max_fix_age_days),
        ),
        threads=settings.ingest_threads,
    )
    queue.start()
    app.state.ingest_queue = queue
    return queue


def ingest_queue(request: Request) -> IngestQueue:
    queue = getattr(request.app.state, "ingest_queue", None)
    if queue is None:  # an app run without its lifespan (never in the server)
        queue = start_ingest_queue(request.app)
    return queue

"""The process's group-commit queue (ingest/group_commit.py), started with the app and found by the routes."""

from __future__ import annotations

import gc
import inspect
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from fastapi import FastAPI, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from chekara.api.event_hub import hub
from chekara.config import get_settings
from chekara.db.engine import get_engine, open_session
from chekara.ingest.group_commit import IngestQueue, IngestSettings, Sharing
from chekara.ingest.shared_parts import INGEST_APPLICATION_PREFIX, PARTS_OFFERED


#: Allocations between young-generation collections (Python's default: 700). A group of a
#: thousand trips allocates hundreds of thousands of small objects; with the default, the cyclic
#: collector walked the whole heap often enough to take half of the batch's time (cProfile).
GC_YOUNG_THRESHOLD = 50_000


def tune_interpreter() -> None:
    """For a server process whose hot path is the ingest pipeline (measured: docs/PERFORMANCE.md).

    Only in a server's main thread: an app run by a test client (in a thread of the test process)
    leaves the test process as it is."""
    if threading.current_thread() is not threading.main_thread():
        return
    gc.collect()
    gc.freeze()  # what start-up made (modules, the app, settings) is never garbage: stop walking it
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)


class OwnConnection:
    """The ingest worker's own database connection, kept between groups.

    A group through the pool checks a connection out and pings it first (pool_pre_ping): two
    round trips' worth of work per group at one fix per request. A connection that failed is
    dropped, and the next group opens a new one (after a database restart, say)."""

    def __init__(self, engine: Engine, application_name: str | None = None) -> None:
        self._engine = engine
        #: How the connection shows in pg_stat_activity (the other processes look for ours: shared_parts.py).
        self._application_name = application_name
        self._connection: Connection | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        if self._connection is None:
            self._connection = self._engine.connect()
            if self._application_name:
                self._connection.exec_driver_sql("SELECT set_config('application_name', %(name)s, false)",
                                                 {"name": self._application_name})
                self._connection.commit()
        session = Session(bind=self._connection, expire_on_commit=False)
        try:
            yield session
        except BaseException:
            self._drop()
            raise
        finally:
            session.close()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        try:
            connection.invalidate()  # not back to the pool: it failed, and it carries our application name
            connection.close()
        except Exception:  # noqa: BLE001 - it is being thrown away because it failed
            pass


def _sharing(serving: bool) -> Sharing | None:
    """In a server process of several (`chekara serve --workers N` sets CHEKARA_WORKERS for them):
    how it shares large groups with the others. A test's app, or a lone process, shares nothing."""
    settings = get_settings()
    processes = settings.workers or 1
    if not serving or processes < 2 or settings.ingest_share_from_fixes == 0:
        return None
    return Sharing(processes=processes, from_fixes=settings.ingest_share_from_fixes,
                   origin=f"{os.getpid()}-{secrets.token_hex(4)}")


def _hear_offers(queue: IngestQueue, origin: str) -> None:
    """The other processes' offers reach this process's queue through its event listener."""
    def on_event(event: dict) -> None:
        if event.get("kind") == PARTS_OFFERED and (event.get("data") or {}).get("origin") != origin:
            queue.peer_offered()

    hub.watch(on_event)
    hub.start()


def start_ingest_queue(app: FastAPI) -> IngestQueue:
    settings = get_settings()
    tune_interpreter()
    override = app.dependency_overrides.get(open_session)
    serving = override is None and threading.current_thread() is threading.main_thread()
    sharing = _sharing(serving)
    if override is None:
        name = f"{INGEST_APPLICATION_PREFIX}{sharing.origin if sharing else os.getpid()}"
        sessions = OwnConnection(get_engine(), application_name=name).session
    elif inspect.isgeneratorfunction(override):  # a test's session dependency that cleans up after itself
        sessions = contextmanager(override)
    else:  # the tests' rolled-back session
        def sessions():
            return nullcontext(override())
    queue = IngestQueue(
        sessions,
        IngestSettings(
            thresholds=settings.detection_thresholds(),
            max_future=timedelta(seconds=settings.max_future_s),
            max_age=timedelta(days=settings.max_fix_age_days),
        ),
        threads=settings.ingest_threads,
        gather_s=settings.ingest_gather_ms / 1000,
        sharing=sharing,
    )
    queue.start()
    if sharing is not None:
        _hear_offers(queue, sharing.origin)
    app.state.ingest_queue = queue
    return queue


def ingest_queue(request: Request) -> IngestQueue:
    queue = getattr(request.app.state, "ingest_queue", None)
    if queue is None:  # an app run without its lifespan (never in the server)
        queue = start_ingest_queue(request.app)
    return queue

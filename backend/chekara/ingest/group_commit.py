"""Group commit: concurrent requests go through the pipeline together, in one transaction.

A tracker sends one fix per request; running the pipeline once per request
costs ~10 round trips to the database for a single row. Instead, every
request hands its fixes to this process's IngestQueue and waits. A worker
thread takes whatever has gathered while the previous transaction ran, runs
the pipeline over it as one batch, commits, and only then answers each request
with its own result. An answer therefore always means "committed": nothing is
acknowledged from memory.

Under light load a request goes alone, at once. Under load the requests a
commit answered come back about a millisecond later, while the next group is
already running: left alone, the clients split into two cohorts taking turns,
each group half as large as it could be, each paying the whole fixed cost of a
transaction (~2 ms of CPU: docs/PERFORMANCE.md). So when the last group had
company, the next one waits up to `gather_s` for more before it starts.

If the group fails, nothing of it was committed: a deadlock or serialization
failure is retried; any other error is retried one submission at a time, so a
request that breaks the pipeline fails alone and the others are stored.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from chekara.domain.detection import DetectionThresholds
from chekara.ingest.batch import IngestContext, IngestResult, Submission
from chekara.ingest.pipeline import ingest_submissions

log = logging.getLogger("chekara.ingest")

#: A group stops growing at this many raw fixes (one full batch goes alone).
MAX_GROUP_FIXES = 10_000
#: Tries of a group that lost a deadlock or a serialization conflict.
RETRIES = 3
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)


def _database_unavailable(exc: Exception) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)) and not (
        isinstance(exc, DBAPIError) and isinstance(exc.orig, _RETRYABLE))


@dataclass(frozen=True)
class IngestSettings:
    thresholds: DetectionThresholds
    max_future: timedelta
    max_age: timedelta


@dataclass
class _Pending:
    """A submission and where its answer goes: a future of the event loop `loop`."""

    submission: Submission
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


def _settle(answers: list[tuple[asyncio.Future, IngestResult | None, BaseException | None]]) -> None:
    """In the event loop: answer a group's requests (one wake-up of the loop for the whole group)."""
    for future, result, error in answers:
        if future.done():  # the request went away (client gone, server stopping)
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


def _answer(group: list[tuple[_Pending, IngestResult | None, BaseException | None]]) -> None:
    """Hand each answer to its waiter, in one call per event loop, not one per request (each
    call_soon_threadsafe writes to the loop's wake-up pipe: measured as a real share of the
    server's CPU at one fix per request)."""
    by_loop: dict[asyncio.AbstractEventLoop, list] = {}
    for pending, result, error in group:
        by_loop.setdefault(pending.loop, []).append((pending.future, result, error))
    for loop, answers in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, answers)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


class IngestQueue:
    """One per server process: `await ingest(...)` from the event loop, answered after the group's commit."""

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]], settings: IngestSettings,
                 threads: int = 1, gather_s: float = 0.0) -> None:
        self._sessions = sessions
        self._settings = settings
        self._gather_s = gather_s
        self._had_company = False  # the last group held more than one submission
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._run, name=f"chekara-ingest-{i}", daemon=True) for i in range(threads)]
        # What it did, for the log at stop: groups, submissions, seconds spent committing them.
        self.groups = 0
        self.submissions = 0
        self.busy_s = 0.0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish everything already submitted, then stop the workers."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        log.info("ingest: %d submissions in %d groups, %.1f s in the pipeline", self.submissions, self.groups, self.busy_s)

    async def ingest(self, submission: Submission) -> IngestResult:
        """Wait for the submission's group to commit; its own result, or the error that stopped it."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Pending(submission, future, loop))
        return await future

    # -- the worker thread -------------------------------------------------------

    def _take_group(self) -> list[_Pending] | None:
        first = self._queue.get()
        if first is None:
            return None
        group, size = [first], len(first.submission.raw)
        deadline = time.monotonic() + self._gather_s if self._had_company else 0.0
        while size < MAX_GROUP_FIXES:
            wait_s = deadline - time.monotonic()
            try:
                more = self._queue.get(timeout=wait_s) if wait_s > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:  # stop: finish this group first, then let the sentinel end the loop
                self._queue.put(None)
                break
            group.append(more)
            size += len(more.submission.raw)
        self._had_company = len(group) > 1
        return group

    def _run(self) -> None:
        while (group := self._take_group()) is not None:
            self.groups += 1
            self.submissions += len(group)
            started = time.perf_counter()
            try:
                results = self._commit([p.submission for p in group])
            except Exception as exc:  # noqa: BLE001 - isolate the submission at fault
                if len(group) == 1 or _database_unavailable(exc):  # every one of them would fail the same way
                    _answer([(pending, None, exc) for pending in group])
                    continue
                log.warning("a group of %d submissions failed (%s); retrying them one by one", len(group), exc)
                _answer([(pending, *self._commit_alone(pending.submission)) for pending in group])
                continue
            _answer([(pending, result, None) for pending, result in zip(group, results)])
            self.busy_s += time.perf_counter() - started

    def _commit_alone(self, submission: Submission) -> tuple[IngestResult | None, BaseException | None]:
        try:
            return self._commit([submission])[0], None
        except Exception as exc:  # noqa: BLE001 - reported to its own request
            return None, exc

    def _commit(self, submissions: list[Submission]) -> list[IngestResult]:
        for attempt in range(1, RETRIES + 1):
            try:
                with self._sessions() as session:
                    try:
                        ctx = IngestContext(
                            session=session, actor=submissions[0].actor, now=datetime.now(UTC),
                            thresholds=self._settings.thresholds, max_future=self._settings.max_future,
                            max_age=self._settings.max_age,
                        )
                        results = ingest_submissions(submissions, ctx)
                        session.commit()
                        return results
                    except BaseException:
                        session.rollback()
                        raise
            except DBAPIError as exc:
                if attempt < RETRIES and isinstance(exc.orig, _RETRYABLE):
                    log.info("ingest group lost a lock conflict (%s); retrying", type(exc.orig).__name__)
                    continue
                if attempt == 1 and exc.connection_invalidated:
                    # The worker keeps its connection between groups (no ping before each): one that
                    # died meanwhile (a database restart) fails the group's first statement, and the
                    # group, of which nothing was committed, goes again on a new connection.
                    log.info("ingest connection was lost (%s); retrying the group on a new one", type(exc.orig).__name__)
                    continue
                raise
        raise AssertionError("unreachable")

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

With several server processes, a large group (integrations' batches) is cut into parts by trip
and shared with the other processes through the database (ingest/batch_parts.py,
ingest/shared_parts.py): each part commits in its own transaction, and the group's requests are
answered once all of its parts have committed.
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
from typing import TypeVar

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from chekara.domain.detection import DetectionThresholds
from chekara.domain.roles import SYSTEM, Actor
from chekara.ingest import batch_parts, shared_parts
from chekara.ingest.batch import IngestContext, IngestResult, Submission
from chekara.ingest.batch_parts import PieceResult
from chekara.ingest.pipeline import ingest_submissions

log = logging.getLogger("chekara.ingest")
T = TypeVar("T")  # what a transaction's work returns

#: A group stops growing at this many raw fixes (one full batch goes alone).
MAX_GROUP_FIXES = 10_000
#: Tries of a group that lost a deadlock or a serialization conflict.
RETRIES = 3
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)


def _cause(exc: BaseException) -> BaseException:
    """The driver's error: statements run through SQLAlchemy raise it wrapped, those run straight
    through psycopg (db/driver.py, most of the pipeline's) raise it as it is."""
    return exc.orig if isinstance(exc, DBAPIError) else exc


def _database_unavailable(exc: Exception) -> bool:
    unavailable = (OperationalError, InterfaceError, PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError)
    return isinstance(exc, unavailable) and not isinstance(_cause(exc), _RETRYABLE)


@dataclass(frozen=True)
class IngestSettings:
    thresholds: DetectionThresholds
    max_future: timedelta
    max_age: timedelta


@dataclass(frozen=True)
class Sharing:
    """How this process shares large groups with the deployment's other server processes."""

    #: Server processes in the deployment: a shared group is cut into at most this many parts.
    processes: int
    #: A group of at least this many fixes is shared.
    from_fixes: int
    #: This process's name in the parts table (unique among the processes).
    origin: str


#: A shared group is cut into this many parts per server process: the origin keeps one, the others
#: take one each while they have nothing of their own, and the origin runs what nobody took. Finer
#: parts (two per process, taken one at a time) measured ~10 % slower for one integration's batches
#: on two processes (each part pays a transaction's fixed cost) and no better balanced when both
#: integrations' connections were on one process (docs/PERFORMANCE.md, seventh round).
PARTS_PER_PROCESS = 1
#: In the queue: another process offered parts; take them, one at a time, while idle.
_HELP = object()
#: How long the origin waits for a part a peer holds before it gives up, seconds (each of RETRIES
#: tries): a part takes a fraction of a second; a peer stalled inside its transaction must not
#: stall this process's own requests for good (they are answered 503, to be sent again).
PEER_WAIT_S = 10.0
#: Parts that failed in this process, not taken again (their origins run them): the newest ones.
FAILED_PARTS_KEPT = 100


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
                 threads: int = 1, gather_s: float = 0.0, sharing: Sharing | None = None) -> None:
        self._sessions = sessions
        self._settings = settings
        self._gather_s = gather_s
        self._sharing = sharing
        self._had_company = False  # the last group held more than one submission
        self._help_wanted = False  # an offer heard while gathering a group: look after it
        self._failed_parts: list[int] = []  # parts other processes offered that failed here
        self._queue: queue.Queue[_Pending | object | None] = queue.Queue()  # a request, _HELP, or None (stop)
        self._threads = [threading.Thread(target=self._run, name=f"chekara-ingest-{i}", daemon=True) for i in range(threads)]
        # What it did, for the log at stop and GET /api/v1/ingest/stats: groups, submissions,
        # seconds spent committing them; parts of groups offered, done by peers, done for peers.
        self.groups = 0
        self.submissions = 0
        self.busy_s = 0.0
        self.parts_offered = 0
        self.parts_done_by_peers = 0
        self.parts_done_for_peers = 0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish everything already submitted, then stop the workers."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        log.info("ingest: %d submissions in %d groups, %.1f s in the pipeline; %d parts offered, %d done by peers, %d done for peers",
                 self.submissions, self.groups, self.busy_s, self.parts_offered, self.parts_done_by_peers,
                 self.parts_done_for_peers)

    async def ingest(self, submission: Submission) -> IngestResult:
        """Wait for the submission's group to commit; its own result, or the error that stopped it."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Pending(submission, future, loop))
        return await future

    def peer_offered(self) -> None:
        """Another server process offered parts of a group (heard from any thread). One wake-up is
        enough however many: once idle, this process takes parts until none is left."""
        if self._sharing is not None:
            self._queue.put(_HELP)

    # -- the worker thread -------------------------------------------------------

    def _gather(self, first: _Pending) -> list[_Pending]:
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
            if more is _HELP:  # a peer's offer: after this group
                self._help_wanted = True
                continue
            group.append(more)
            size += len(more.submission.raw)
        self._had_company = len(group) > 1
        return group

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            if first is _HELP:
                self._help_peer()
                continue
            self._commit_and_answer(self._gather(first))
            if self._help_wanted:
                self._help_wanted = False
                self._help_peer()

    def _commit_and_answer(self, group: list[_Pending]) -> None:
        self.groups += 1
        self.submissions += len(group)
        started = time.perf_counter()
        try:
            results = self._commit_group([p.submission for p in group])
        except Exception as exc:  # noqa: BLE001 - isolate the submission at fault
            if len(group) == 1 or _database_unavailable(exc):  # every one of them would fail the same way
                _answer([(pending, None, exc) for pending in group])
                return
            log.warning("a group of %d submissions failed (%s); retrying them one by one", len(group), exc)
            _answer([(pending, *self._commit_alone(pending.submission)) for pending in group])
            return
        _answer([(pending, result, None) for pending, result in zip(group, results)])
        self.busy_s += time.perf_counter() - started

    def _commit_alone(self, submission: Submission) -> tuple[IngestResult | None, BaseException | None]:
        try:
            return self._commit([submission])[0], None
        except Exception as exc:  # noqa: BLE001 - reported to its own request
            return None, exc

    def _commit(self, submissions: list[Submission]) -> list[IngestResult]:
        return self._transaction(lambda ctx: ingest_submissions(submissions, ctx), submissions[0].actor)

    def _transaction(self, work: Callable[[IngestContext], T], actor: Actor = SYSTEM) -> T:
        """`work` in one transaction, committed; retried after a lock conflict or a lost connection."""
        for attempt in range(1, RETRIES + 1):
            try:
                with self._sessions() as session:
                    try:
                        ctx = IngestContext(
                            session=session, actor=actor, now=datetime.now(UTC),
                            thresholds=self._settings.thresholds, max_future=self._settings.max_future,
                            max_age=self._settings.max_age,
                        )
                        done = work(ctx)
                        session.commit()
                        return done
                    except BaseException:
                        session.rollback()
                        raise
            except (DBAPIError, psycopg.Error) as exc:
                if attempt < RETRIES and isinstance(_cause(exc), _RETRYABLE):
                    log.info("ingest group lost a lock conflict (%s); retrying", type(_cause(exc)).__name__)
                    continue
                if attempt == 1 and isinstance(exc, DBAPIError) and exc.connection_invalidated:
                    # The worker keeps its connection between groups (no ping before each): one that
                    # died meanwhile (a database restart) fails the group's first statement, and the
                    # group, of which nothing was committed, goes again on a new connection.
                    log.info("ingest connection was lost (%s); retrying the group on a new one", type(exc.orig).__name__)
                    continue
                raise
        raise AssertionError("unreachable")

    # -- sharing a large group with the other server processes ------------------------

    def _commit_group(self, submissions: list[Submission]) -> list[IngestResult]:
        """The group's results; a large one is cut into parts and shared (ingest/shared_parts.py)."""
        sharing = self._sharing
        if sharing is None or sum(len(s.raw) for s in submissions) < sharing.from_fixes:
            return self._commit(submissions)

        def trips_if_a_peer_is_free(ctx: IngestContext) -> dict[str, int] | None:
            if shared_parts.busy_peers(ctx.session) >= sharing.processes - 1:
                return None  # nobody free to help: parts would only add their cost
            return shared_parts.trips_of(ctx.session, batch_parts.devices_named(submissions))

        trip_of = self._transaction(trips_if_a_peer_is_free)
        if trip_of is None:
            return self._commit(submissions)
        parts = batch_parts.cut(submissions, sharing.processes * PARTS_PER_PROCESS, trip_of)
        if len(parts) < 2:
            return self._commit(submissions)
        kept, offered = parts[0], [batch_parts.encode_part(part) for part in parts[1:]]
        ids = self._transaction(lambda ctx: shared_parts.offer(ctx.session, sharing.origin, offered))
        self.parts_offered += len(ids)
        try:
            pieces = self._run_part(kept, self._commit)
            pieces += self._collect_offered(ids)
        except Exception:
            # The group is retried submission by submission, unshared: take back what nobody holds
            # (a part that failed here is back in the table after the rollback; peers skip it anyway).
            self._withdraw(ids)
            raise
        return batch_parts.merge(len(submissions), pieces)

    @staticmethod
    def _run_part(part: batch_parts.Part, run: Callable[[list[Submission]], list[IngestResult]]) -> list[PieceResult]:
        """A part's pieces through `run` (the pipeline), their rejections named by the whole submissions' indices."""
        return batch_parts.results_of(part, run(batch_parts.submissions_of(part)))

    def _withdraw(self, ids: list[int]) -> None:
        """Take back the offered parts nobody holds (the ones peers hold, they finish; their rows go as stale)."""
        try:
            self._transaction(lambda ctx: shared_parts.withdraw(ctx.session, ids))
        except Exception as exc:  # noqa: BLE001 - left for the next offer to clear as stale
            log.warning("could not withdraw offered parts %s (%s)", ids, exc)

    def _collect_offered(self, ids: list[int]) -> list[PieceResult]:
        """The results of the parts this process offered: what peers did, and what nobody took, run here."""
        pending, pieces = list(ids), []

        def look(ctx: IngestContext) -> tuple[shared_parts.Settled, list[PieceResult]]:
            settled = shared_parts.settle(ctx.session, pending)
            found = [piece for results in settled.done.values() for piece in batch_parts.decode_results(results)]
            if settled.untaken is not None:  # run here, in the transaction that removes it
                found += self._run_part(batch_parts.decode_part(settled.untaken[1]),
                                        lambda submissions: ingest_submissions(submissions, ctx))
            return settled, found

        while pending:
            settled, found = self._transaction(look)
            pieces += found
            self.parts_done_by_peers += len(settled.done)
            untaken_id = settled.untaken[0] if settled.untaken is not None else None
            pending = [i for i in pending if i not in settled.done and i != untaken_id]
            if pending and not settled.done and untaken_id is None:  # all held by peers: wait for them
                remaining = self._transaction(lambda ctx: shared_parts.wait_for_peers(ctx.session, pending, PEER_WAIT_S))
                if vanished := sorted(set(pending) - set(remaining)):
                    raise RuntimeError(f"shared parts {vanished} vanished before their results were read")
        return pieces

    def _help_peer(self) -> None:
        """While this process has no request of its own waiting: take parts other processes offered
        and nobody holds, each run with its results beside it, one commit a part."""
        origin = self._sharing.origin
        taken: list[int] = []

        def work(ctx: IngestContext) -> bool:
            part_id_and_payload = shared_parts.take_for_peer(ctx.session, origin, self._failed_parts)
            if part_id_and_payload is None:
                return False
            part_id, payload = part_id_and_payload
            taken.append(part_id)
            results = self._run_part(batch_parts.decode_part(payload),
                                     lambda submissions: ingest_submissions(submissions, ctx))
            shared_parts.record_results(ctx.session, part_id, batch_parts.encode_results(results))
            return True

        while self._queue.empty():  # a request of this process's own comes first
            started = time.perf_counter()
            taken.clear()
            try:
                if not self._transaction(work):
                    return
            except Exception as exc:  # noqa: BLE001 - rolled back: the part is free again, and its origin runs it
                log.warning("a part another process offered failed here (%s); its origin will run it", exc)
                self._failed_parts = (self._failed_parts + taken[-1:])[-FAILED_PARTS_KEPT:]
                return
            self.parts_done_for_peers += 1
            self.busy_s += time.perf_counter() - started

"""Server processes sharing a large group's parts through `ingest_parts` (ingest/shared_parts.py),
two ingest queues in one process on the real database standing for two server processes.

Whoever runs a part, every fix is stored once and its request is answered with the whole
submission's counts; a part nobody takes, or one whose taker fails, is run by its origin.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from chekara.api.ingest_queue import OwnConnection
from chekara.domain.detection import DetectionThresholds
from chekara.domain.roles import Actor
from chekara.db.models import Device, User
from chekara.ingest.batch import Submission
from chekara.ingest import group_commit
from chekara.ingest.group_commit import IngestQueue, IngestSettings, Sharing
from chekara.ingest.shared_parts import INGEST_APPLICATION_PREFIX, PARTS_OFFERED
from chekara.services.events import CHANNEL

DEVICES = 40


@pytest.fixture
def owner(seeded) -> Iterator[tuple[str, list[str]]]:
    """A device-role sender and its devices, committed (the queues commit); removed afterwards."""
    name = f"share-{uuid.uuid4().hex[:8]}"
    devices = [f"{name}-{n}" for n in range(DEVICES)]
    with Session(seeded) as session:
        user = User(name=name, role="device")
        session.add(user)
        session.flush()
        session.add_all(Device(device_id=d, owner_id=user.id) for d in devices)
        session.commit()
    yield name, devices
    with seeded.begin() as conn:
        conn.execute(text("DELETE FROM positions WHERE device_id IN (SELECT id FROM devices WHERE device_id LIKE :p)"),
                     {"p": f"{name}-%"})
        conn.execute(text("DELETE FROM devices WHERE device_id LIKE :p"), {"p": f"{name}-%"})
        conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


def _queue(engine, origin: str) -> IngestQueue:
    settings = IngestSettings(DetectionThresholds(), timedelta(seconds=60), timedelta(days=7))
    name = f"{origin}-{uuid.uuid4().hex[:6]}"
    return IngestQueue(OwnConnection(engine, f"{INGEST_APPLICATION_PREFIX}{name}").session, settings,
                       sharing=Sharing(processes=2, from_fixes=50, origin=name))


@contextmanager
def _running(*queues: IngestQueue) -> Iterator[None]:
    for queue in queues:
        queue.start()
    try:
        yield
    finally:
        for queue in queues:
            queue.stop()


def _libpq_url(engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _batch(devices: list[str]) -> list[dict]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    fixes = [{"device_id": d, "ts": (start + timedelta(seconds=10 * k)).isoformat(), "lat": 42.5, "lon": 74.5 + k / 1e3}
             for k in range(5) for d in devices]
    for place in (3, 77, 150):  # refused, named by their place in the whole batch
        fixes[place] = fixes[place] | {"lon": 250.0}
    return fixes


def _send(queue: IngestQueue, name: str, fixes: list[dict]):
    return asyncio.run(queue.ingest(Submission(fixes, Actor(name, "device")))).as_dict()


def _stored(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM positions p JOIN devices d ON d.id = p.device_id"
                                 " WHERE d.device_id LIKE :p"), {"p": f"{name}-%"}).scalar_one()


def _parts_left(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ingest_parts")).scalar_one()


def _after_taking_a_part(peer: IngestQueue, then) -> None:
    """`then()` runs in the peer's transaction once it has taken and run a part, before its commit."""
    transaction = peer._transaction

    def with_then(work, *args):
        def work_then(ctx):
            done = work(ctx)
            if done:
                then()
            return done
        return transaction(work_then, *args)

    peer._transaction = with_then


#: The longest the origin's own part waits for its peer to take one (a test that fails, not one that hangs).
PEER_TAKES_WITHIN_S = 10.0


def _origin_waits_for_the_peer(origin: IngestQueue, peer: IngestQueue, then=lambda: None) -> None:
    """The origin's own part runs only once the peer has taken and run an offered one (`then()` runs
    in the peer's transaction after that, before its commit): the peer gets the part whatever the
    threads' timing. A fixed delay of the origin's part instead lost the race on a busy machine."""
    taken = threading.Semaphore(0)

    def taken_then() -> None:
        taken.release()
        then()

    _after_taking_a_part(peer, taken_then)
    commit, offers_waited_for = origin._commit, [0]

    def after_the_peer(submissions):
        if origin.parts_offered > offers_waited_for[0]:  # its own part of a shared group, not a group run whole
            offers_waited_for[0] = origin.parts_offered
            taken.acquire(timeout=PEER_TAKES_WITHIN_S)
        return commit(submissions)

    origin._commit = after_the_peer


class _Listening:
    """The peer hears the origin's offers by NOTIFY, as a server process does (api/ingest_queue.py)."""

    def __init__(self, peer: IngestQueue, engine) -> None:
        self._peer, self._url, self._stop = peer, _libpq_url(engine), threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=0.05):
                    event = json.loads(notice.payload)
                    if event["kind"] == PARTS_OFFERED:
                        self._peer.peer_offered()

    def __enter__(self):
        self._thread.start()
        assert self._listening.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def test_a_part_nobody_takes_is_run_by_its_origin(seeded, owner):
    name, devices = owner
    origin = _queue(seeded, "alone")
    with _running(origin):
        fixes = _batch(devices)
        answer = _send(origin, name, fixes)
    assert answer["accepted"] == len(fixes) - 3 and [r["index"] for r in answer["rejected"]] == [3, 77, 150]
    assert origin.parts_offered >= 1 and origin.parts_done_by_peers == 0
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_a_peer_runs_the_part_it_takes_and_the_origin_answers_for_the_whole(seeded, owner):
    name, devices = owner
    origin, peer = _queue(seeded, "origin"), _queue(seeded, "peer")
    _origin_waits_for_the_peer(origin, peer)
    with _running(origin, peer), _Listening(peer, seeded):
        fixes = _batch(devices)
        answer = _send(origin, name, fixes)
        replay = _send(origin, name, fixes)
    assert answer["accepted"] == len(fixes) - 3 and answer["duplicates"] == 0
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(3, "lon"), (77, "lon"), (150, "lon")]
    assert replay["accepted"] == 0 and replay["duplicates"] == len(fixes) - 3
    assert origin.parts_offered >= 2  # a part or more of each request
    assert origin.parts_done_by_peers == peer.parts_done_for_peers == origin.parts_offered  # the origin was slow
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_a_part_whose_taker_fails_is_run_by_its_origin(seeded, owner):
    name, devices = owner
    origin, peer = _queue(seeded, "origin"), _queue(seeded, "failing-peer")
    taken = threading.Event()

    def fail() -> None:  # the part was taken and run: its fixes are in this transaction, not committed
        taken.set()
        raise RuntimeError("the peer's transaction fails before its commit")

    _origin_waits_for_the_peer(origin, peer, then=fail)
    with _running(origin, peer), _Listening(peer, seeded):
        fixes = _batch(devices)
        answer = _send(origin, name, fixes)
    assert taken.is_set()  # the peer did take it, and rolled back
    assert answer["accepted"] == len(fixes) - 3 and [r["index"] for r in answer["rejected"]] == [3, 77, 150]
    assert (origin.parts_done_by_peers, peer.parts_done_for_peers) == (0, 0)
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_no_part_is_offered_while_every_peer_is_in_a_transaction_of_its_own(seeded, owner):
    """Offering to processes busy with their own requests would only add the offer's cost."""
    name, devices = owner
    origin = _queue(seeded, "origin")
    busy_name = f"{INGEST_APPLICATION_PREFIX}busy-{uuid.uuid4().hex[:6]}"
    with _running(origin), psycopg.connect(_libpq_url(seeded), application_name=busy_name) as busy:
        busy.execute("SELECT 1")  # a peer's ingest connection in the middle of its own group ('idle in transaction')
        fixes = _batch(devices)
        answer = _send(origin, name, fixes)
        offered_while_busy = origin.parts_offered
        busy.rollback()
        replay = _send(origin, name, fixes)  # the peer now between groups ('idle'): offered, and run here
    assert answer["accepted"] == len(fixes) - 3 and offered_while_busy == 0
    assert replay["duplicates"] == len(fixes) - 3 and origin.parts_offered >= 1
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_the_origin_waits_for_a_part_its_peer_holds(seeded, owner):
    name, devices = owner
    origin, peer = _queue(seeded, "origin"), _queue(seeded, "slow-peer")
    # The part is run and locked, not yet committed: the origin must wait for it.
    _origin_waits_for_the_peer(origin, peer, then=lambda: time.sleep(0.5))  # holds it while the origin runs its own
    with _running(origin, peer), _Listening(peer, seeded):
        fixes = _batch(devices)
        answer = _send(origin, name, fixes)
    assert answer["accepted"] == len(fixes) - 3 and [r["index"] for r in answer["rejected"]] == [3, 77, 150]
    assert origin.parts_done_by_peers == peer.parts_done_for_peers == origin.parts_offered == 1
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_a_part_that_fails_at_its_origin_is_taken_back_not_left_for_the_peers(seeded, owner, monkeypatch):
    """The request fails (the part that broke the pipeline is not stored); nothing is left in the
    table for the other processes to trip over, and the next request is shared and stored."""
    name, devices = owner
    origin = _queue(seeded, "origin")
    runs = []
    pipeline = group_commit.ingest_submissions

    def second_run_fails(submissions, ctx):
        runs.append(len(submissions))
        if len(runs) == 2:  # the origin's own part went; the untaken one breaks
            raise RuntimeError("a bug in the pipeline")
        return pipeline(submissions, ctx)

    monkeypatch.setattr(group_commit, "ingest_submissions", second_run_fails)
    fixes = _batch(devices)  # the same fixes both times: a batch built a second later would be new fixes
    with _running(origin):
        with pytest.raises(RuntimeError, match="a bug in the pipeline"):
            _send(origin, name, fixes)
        assert _parts_left(seeded) == 0
        again = _send(origin, name, fixes)
    assert again["accepted"] + again["duplicates"] == len(fixes) - 3 and origin.parts_offered == 2
    assert _stored(seeded, name) == len(fixes) - 3 and _parts_left(seeded) == 0


def test_parts_left_by_an_origin_that_stopped_are_cleared_once_stale(db_session):
    """An origin that died leaves its parts (fixes, its sender's name); the sweep clears them after STALE."""
    from chekara.ingest import shared_parts

    ids = shared_parts.offer(db_session, "gone-origin", [b"[]", b"[]"])
    db_session.execute(text("UPDATE ingest_parts SET offered_at = now() - interval '11 minutes' WHERE id = :id"),
                       {"id": ids[0]})
    assert shared_parts.clear_stale(db_session) == 1
    left = db_session.execute(text("SELECT id FROM ingest_parts WHERE id = ANY(:ids)"), {"ids": ids}).scalars().all()
    assert left == [ids[1]]  # a part of a group still under way stays


def test_the_origin_gives_up_on_a_peer_stalled_inside_its_transaction(seeded, owner, monkeypatch):
    """A peer that holds a part and does not finish must not stall the origin's own requests for good:
    after its wait (PEER_WAIT_S, each of the tries) the request fails with the lock timeout (the API's
    503 for an unavailable database, to be sent again), and the origin serves the next one."""
    name, devices = owner
    monkeypatch.setattr(group_commit, "PEER_WAIT_S", 0.2)
    origin, peer = _queue(seeded, "origin"), _queue(seeded, "stalled-peer")
    release = threading.Event()
    _origin_waits_for_the_peer(origin, peer, then=lambda: release.wait(30))  # holds the part, uncommitted, until the test lets go
    with _running(origin, peer), _Listening(peer, seeded):
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            _send(origin, name, _batch(devices))
        gave_up_s = time.monotonic() - started
        release.set()
        later = _send(origin, name, _batch(devices)[:25])  # below the sharing size: run at once
    assert 0.6 <= gave_up_s < 10  # three waits of 0.2 s (the lock timeout is retried), not the peer's 30
    assert later["accepted"] + later["duplicates"] == 24 and [r["index"] for r in later["rejected"]] == [3]
